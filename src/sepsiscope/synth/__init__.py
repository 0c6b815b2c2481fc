"""Synthetic data: seeded, made-up ward and ICU stays for the demo and the tests.

Nothing here is real patient data, and nothing here is fit for training or validating
clinical models; see :mod:`sepsiscope.synth.ward` for the model of deterioration.
"""

from sepsiscope.synth.ward import PHYSIONET_HEADER, TRAJECTORIES, SyntheticWard, generate_ward, to_psv_folder

__all__ = ["PHYSIONET_HEADER", "TRAJECTORIES", "SyntheticWard", "generate_ward", "to_psv_folder"]
