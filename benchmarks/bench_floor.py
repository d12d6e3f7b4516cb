"""The model beside a numpy speed floor, in one process: prints figures (not a test).

Usage:
    .venv/bin/python benchmarks/bench_floor.py            # R = 1, 10, 100, 1000 (a minute)
    .venv/bin/python benchmarks/bench_floor.py --quick    # fewer repeats

``floor.py`` (in this directory) does a month's worth of the same kinds of numpy work as the
model (3 patrons x 9 targets x 3 instruments x 4 blocs, 120 months, one record a month) on
random inputs: it models nothing, and is a floor on what numpy needs. For each ensemble size R
this script times the floor and the article's scenario (120 months, monthly records, and final
records only, without Mesa's DataCollector, as `greatgame run` runs it) alternately, best
of several repeats after a warm-up, and prints ms per run and the model's ratio to the
floor. Interleaving the two keeps other load on the machine from favouring either.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.model import InfluenceModel
from sim.scenario import default_scenario_path, load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor


def _best(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    for fn in fns.values():
        fn()  # warm-up
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():  # interleaved
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    print(
        f"# greatgame against the numpy floor - Python {platform.python_version()}, "
        f"numpy {np.__version__}, {os.cpu_count()} cores, {platform.machine()}"
    )
    sc = load_scenario(default_scenario_path())
    months = sc.months
    print(f"# the article's scenario, {months} months; the floor, 120 months; ms per run\n")
    print(f"{'R':>5} | {'floor':>8} | {'monthly':>8} | {'ratio':>6} | {'final':>8} | {'ratio':>6}")
    print(f"{'-' * 5}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 6}-+-{'-' * 8}-+-{'-' * 6}")
    for R in (1, 10, 100, 1000):
        seeds = list(range(R))
        repeats = (3 if args.quick else 10) if R < 1000 else (2 if args.quick else 4)
        best = _best(
            {
                "floor": lambda R=R: floor.run(R),
                "monthly": lambda seeds=seeds: InfluenceModel(sc, seeds=seeds, collect=False).run(),
                "final": lambda seeds=seeds: InfluenceModel(
                    sc, seeds=seeds, record="final", collect=False
                ).run(),
            },
            repeats,
        )
        per = {k: v / R * 1e3 for k, v in best.items()}
        print(
            f"{R:>5} | {per['floor']:>8.3f} | {per['monthly']:>8.3f} | "
            f"{per['monthly'] / per['floor']:>5.1f}x | {per['final']:>8.3f} | "
            f"{per['final'] / per['floor']:>5.1f}x"
        )


if __name__ == "__main__":
    main()
