"""Online path timing (issue 11: median ≤ 5 ms per update): set-A patients, one new hour at a time.

For each sampled patient the first half of the stay is the stored history
(``OnlineRisk.from_history``); every later hour is added with ``add_hour`` and timed (wall and
this process's CPU time). The result is checked against batch ``predict`` on the same hours.

Run: nice -n 10 .venv/bin/python benchmarks/bench_online.py [--patients 200] [--model DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import setA_cache  # noqa: E402

from sepsiscope.model.artifact import ModelArtifact, load_default  # noqa: E402
from sepsiscope.model.online import OnlineRisk  # noqa: E402
from sepsiscope.model.predict import predict_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    args = parser.parse_args()
    artifact = ModelArtifact.load(args.model) if args.model else load_default()
    table = setA_cache.table().drop("sepsis_label")
    ids = table.get_column("patient_id").unique(maintain_order=True)
    chosen = ids.gather(np.linspace(0, len(ids) - 1, args.patients).astype(int))
    sample = table.filter(pl.col("patient_id").is_in(chosen.implode()))
    batch = predict_table(artifact, sample).frame
    wall, cpu, build, mismatched = [], [], [], 0
    for pid in chosen:
        patient = sample.filter(pl.col("patient_id") == pid).sort("hour")
        stored = patient.height // 2
        started = time.perf_counter()
        state = OnlineRisk.from_history(artifact, patient.head(stored))
        build.append(time.perf_counter() - started)
        expected = batch.filter(pl.col("patient_id") == pid).sort("hour").get_column("probability").to_numpy()
        for k in range(stored, patient.height):
            row = patient.slice(k, 1)
            w, c = time.perf_counter(), time.process_time()
            risk = state.add_hour(row)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            mismatched += risk.probability != expected[k]
    ms = 1000 * np.array(wall)
    print(f"{len(wall):,} updates over {len(chosen)} patients; probabilities different from batch: {mismatched}")
    print(f"add_hour wall: median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, max {ms.max():.1f} ms")
    print(f"add_hour CPU:  median {1000 * np.median(cpu):.2f} ms (process time; resolution ~1 ms on some kernels)")
    print(f"from_history (first half of the stay): median {1000 * np.median(build):.1f} ms")


if __name__ == "__main__":
    main()
