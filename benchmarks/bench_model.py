"""Model timings on PhysioNet set A: train (all of set A, default settings) and predict (20,336 patients).

Run: .venv/bin/python benchmarks/bench_model.py [--skip-train]
Requirements (issue "early-warning model"): train within 15 minutes, predict within 5 minutes on this
2-core machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"


def _run(*args: str) -> float:
    exe = Path(sys.executable).with_name("sepsiscope")
    started = time.perf_counter()
    subprocess.run([str(exe), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_train:
            print(f"train (5-fold CV + final model): {_run('train', str(SET_A), '--out', f'{tmp}/m'):.1f} s")
        print(f"predict, default model: {_run('predict', str(SET_A), '--out', f'{tmp}/p'):.1f} s")
        print(f"predict --explain: {_run('predict', str(SET_A), '--out', f'{tmp}/e', '--explain'):.1f} s")


if __name__ == "__main__":
    main()
