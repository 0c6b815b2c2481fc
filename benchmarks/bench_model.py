"""Model timings and peak memory on PhysioNet set A: train (all of set A, default settings) and predict.

Run: nice -n 19 .venv/bin/python benchmarks/bench_model.py [--skip-train] [--model DIR]
Limits (issue 11): train within 15 minutes, predict on 20,000 patients within 60 s, peak memory
within 3 GB, on this 2-core machine. Each command runs in its own process; its peak resident
memory is read from the operating system (ru_maxrss of the finished child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"


def _run(*args: str) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (GB) and CPU seconds (user + system) of one ``sepsiscope`` command."""
    exe = Path(sys.executable).with_name("sepsiscope")
    started = time.perf_counter()
    pid = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid
    _, status, usage = os.wait4(pid, 0)
    if status:
        raise SystemExit(f"sepsiscope {' '.join(args)} failed (status {status})")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, usage.ru_maxrss / 1024**2, cpu  # ru_maxrss: KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--model", help="model directory for predict (default: the shipped model)")
    parser.add_argument("--train-option", action="append", default=[], help="extra train option (--features=all)")
    args = parser.parse_args()
    model = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_train:
            seconds, gb, cpu = _run("train", str(SET_A), "--out", f"{tmp}/m", *args.train_option)
            print(f"train (CV + final model): {seconds:.1f} s ({cpu:.0f} CPU-s), peak {gb:.2f} GB", flush=True)
        runs = (("predict", ()), ("predict --abstain", ("--abstain",)), ("predict --explain", ("--explain",)))
        for k, (name, extra) in enumerate(runs):
            seconds, gb, cpu = _run("predict", str(SET_A), "--out", f"{tmp}/predictions{k}", *extra, *model)
            print(f"{name}: {seconds:.1f} s ({cpu:.0f} CPU-s), peak {gb:.2f} GB", flush=True)


if __name__ == "__main__":
    main()
