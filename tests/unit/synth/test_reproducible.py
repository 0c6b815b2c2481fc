"""Same seed, same ward, byte for byte: pinned digests of the PSV export and the truth.

The digests were taken before the ward generator was split into patients / trajectories /
schedule / charting / export and are unchanged by the split. A deliberate change of the
model changes them: update the digests in the same commit and say why. (New features that
must not move the existing values should draw from their own ``rng.spawn`` stream.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sepsiscope.synth import generate_ward, to_psv_folder

CASES = [
    (
        {"n_patients": 12, "hours": 36, "seed": 0},
        "b95eee7d396af890b39ee1bd1f3592368d6f20e167c4653472f00a6116a97b42",
        "2687ba0f499fdfde1fa8e4c307d836fcef60dcb09fbdc33e7a6a89c468ea1d37",
    ),
    (
        {"n_patients": 8, "hours": 48, "seed": 2019, "mix": (0.0, 0.5, 0.5)},
        "24d52ac768e143163b636b5da1debbb46eccb51b764aa8edd69f282a53ec1b53",
        "26128a0c381e46e0691036ba47975f8f7c46a884f993f8e65e3436c2d9a1033a",
    ),
]


@pytest.mark.parametrize(("kwargs", "psv_digest", "truth_digest"), CASES, ids=["seed0", "seed2019-septic"])
def test_psv_export_and_truth_are_pinned(
    tmp_path: Path, kwargs: dict[str, object], psv_digest: str, truth_digest: str
) -> None:
    ward = generate_ward(**kwargs)  # type: ignore[arg-type]
    digest = hashlib.sha256()
    for path in sorted(to_psv_folder(ward, tmp_path)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert digest.hexdigest() == psv_digest
    assert hashlib.sha256(ward.truth.write_csv().encode()).hexdigest() == truth_digest


def test_a_different_seed_moves_the_digest(tmp_path: Path) -> None:
    ward = generate_ward(12, 36, seed=1)
    digest = hashlib.sha256()
    for path in sorted(to_psv_folder(ward, tmp_path)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert digest.hexdigest() != CASES[0][1]
