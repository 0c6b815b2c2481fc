"""End-to-end benchmark: `sepsiscope score` on PhysioNet set A vs a plain csv-module loop.

Both run as fresh processes, so start-up (imports) is included, as a user would see it.
Run: .venv/bin/python benchmarks/bench_score.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"

BASELINE = r"""
import csv, io, sys, zipfile
rows = 0
with zipfile.ZipFile(sys.argv[1]) as zf:
    for name in sorted(n for n in zf.namelist() if n.endswith(".psv")):
        with zf.open(name) as fh:
            reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8"), delimiter="|")
            header = next(reader)
            for row in reader:
                [float(x) for x in row]
                rows += 1
print(rows)
"""


def _time(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of all its threads) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not SET_A.exists():
        sys.exit(f"set A not found at {SET_A}")
    exe = Path(sys.executable).with_name("sepsiscope")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.parquet"
        ours = [_time([str(exe), "score", str(SET_A), "--out", str(out)]) for _ in range(args.repeat)]
    base = [_time([sys.executable, "-c", BASELINE, str(SET_A)]) for _ in range(args.repeat)]
    rows = 790_215
    best, best_base = min(ours), min(base)
    print(
        f"sepsiscope score (read + 5 scores + parquet, start-up included): best {best[0]:.2f} s "
        f"({best[1]:.2f} CPU-s), all {', '.join(f'{t:.2f}' for t, _ in ours)} -> {rows / best[0]:,.0f} rows/s"
    )
    print(
        f"csv-module per-file loop (read + float parse only): best {best_base[0]:.2f} s "
        f"({best_base[1]:.2f} CPU-s), all {', '.join(f'{t:.2f}' for t, _ in base)}"
    )
    print(f"speed-up: {best_base[0] / best[0]:.1f}x")


if __name__ == "__main__":
    main()
