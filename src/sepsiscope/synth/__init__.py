"""Synthetic data: seeded, made-up ward and ICU stays for the demo and the tests.

Nothing here is real patient data, and nothing here is fit for training or validating
clinical models; see :mod:`sepsiscope.synth.ward` for the model of deterioration and the
modules it draws from (patients, trajectories, schedule, charting; PSV files: export).
"""

from sepsiscope.synth.export import PHYSIONET_HEADER, to_psv_folder
from sepsiscope.synth.trajectories import TRAJECTORIES
from sepsiscope.synth.ward import SyntheticWard, generate_ward

__all__ = ["PHYSIONET_HEADER", "TRAJECTORIES", "SyntheticWard", "generate_ward", "to_psv_folder"]
