"""Speed of the core model: prints figures (not a test).

Usage:
    .venv/bin/python benchmarks/bench_model.py            # full (about a minute)
    .venv/bin/python benchmarks/bench_model.py --quick    # a few seconds

Measures:
1. one run of the article scenario, 120 months, monthly records: ms per run;
2. ensembles of R = 1, 10, 100, 1000 runs of the same scenario: ms per run,
   with monthly records and with final-only records;
3. synthetic regions of 10, 100, 1000 states with 2 and 8 patrons: ms per step
   and microseconds per (state x patron) per step.
Times are wall-clock, the best of several repeats (the least disturbed by
other processes), after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from sim.model import InfluenceModel
from sim.scenario import default_scenario_path, load_scenario
from sim.synthetic import synthetic_scenario


def _time(fn, repeats: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    args = ap.parse_args()
    reps = 3 if args.quick else 10
    print(
        f"# greatgame core benchmark - {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    sc = load_scenario(default_scenario_path())

    print("\n## 1. One run of the article scenario (120 months, monthly records)")
    # greatgame run / sim.run: the model's own records, no Mesa DataCollector
    best, med = _time(lambda: InfluenceModel(sc, seeds=1, collect=False).run(), reps * 3)
    print(f"ms per run: best {best * 1e3:.1f}, median {med * 1e3:.1f}  (target <= 20)")
    best, med = _time(lambda: InfluenceModel(sc, seeds=1).run(), reps * 3)
    print(
        f"  with Mesa's DataCollector too (mesa.batch_run): best {best * 1e3:.1f}, "
        f"median {med * 1e3:.1f}"
    )
    params = sc.parameters.model_copy(update={"landscape": None})
    bare = sc.model_copy(update={"parameters": params})
    best, med = _time(lambda: InfluenceModel(bare, seeds=1, collect=False).run(), reps * 3)
    print(
        f"  without the monthly landscape prediction: best {best * 1e3:.1f}, median {med * 1e3:.1f}"
    )

    print("\n## 2. Ensembles of the article scenario (120 months): ms per run")
    print(f"{'R':>6} {'monthly best':>13} {'monthly med':>12} {'final best':>11} {'final med':>10}")
    sizes = (1, 10, 100) if args.quick else (1, 10, 100, 1000)
    for R in sizes:
        seeds = list(range(R))
        r_reps = max(2, reps // (1 + R // 100))
        row = []
        for record in ("monthly", "final"):
            best, med = _time(
                lambda record=record, seeds=seeds: InfluenceModel(
                    sc, seeds=seeds, record=record, collect=False
                ).run(),
                r_reps,
            )
            row += [best * 1e3 / R, med * 1e3 / R]
        print(f"{R:>6} {row[0]:>13.3f} {row[1]:>12.3f} {row[2]:>11.3f} {row[3]:>10.3f}")
    print("(target at R = 1000: <= 0.5 ms per run)")

    print("\n## 3. Synthetic regions, one run (final records): ms per step")
    print(f"{'states':>7} {'patrons':>8} {'ms/step':>9} {'us per state x patron':>22}")
    for n in (10, 100, 1000):
        for p in (2, 8):
            syn = synthetic_scenario(n, p, seed=1, months=48)
            steps = 12 if n >= 1000 and args.quick else 48
            best, _ = _time(
                lambda syn=syn, steps=steps: InfluenceModel(
                    syn, seeds=1, months=steps, record="final", collect=False
                ).run(),
                max(2, reps // 3),
            )
            ms = best * 1e3 / steps
            print(f"{n:>7} {p:>8} {ms:>9.3f} {ms * 1e3 / (n * p):>22.2f}")


if __name__ == "__main__":
    main()
