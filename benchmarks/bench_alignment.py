"""Cost of the landscape prediction inside the model (sim.alignment).

Runs the article scenario (120 months, monthly records) for R = 1, 100 and 1000 runs,
with its ``parameters.landscape`` block (exhaustive and dynamics methods) and without
it, and prints the best-of-three wall time per run, the landscape's share of it, and
the exhaustive searches actually done per run-month (the rest are skipped because the
winner provably stands).

Run: ``.venv/bin/python benchmarks/bench_alignment.py``
"""

from __future__ import annotations

import time

import sim
from sim.alignment import landscape_hook
from sim.model import InfluenceModel
from sim.scenario import Scenario

RUNS = (1, 100, 1000)
REPEAT = 3


def variant(base: Scenario, method: str | None) -> Scenario:
    """The article with the landscape off (None) or with the given method."""
    sc = base.model_copy(deep=True)
    if method is None:
        sc.parameters.landscape = None
    else:
        assert sc.parameters.landscape is not None
        sc.parameters.landscape.method = method  # type: ignore[assignment]
    return sc


def best_time(sc: Scenario, runs: int) -> tuple[float, float]:
    """Best wall time of ``REPEAT`` full runs, and the exhaustive searches per run-month."""
    best = float("inf")
    searches = 0.0
    for _ in range(REPEAT):
        model = InfluenceModel(sc, seeds=list(range(runs)))
        start = time.perf_counter()
        model.run()
        best = min(best, time.perf_counter() - start)
        hook = landscape_hook(model)
        if hook is not None:
            searches = hook.searches / (runs * model.n_months)
    return best, searches


def main() -> None:
    """Print one line per ensemble size."""
    base = sim.load()
    print(
        f"{'R':>5} {'off ms/run':>11} {'exhaustive':>11} {'dynamics':>9} "
        f"{'landscape share':>16} {'searches/run-month':>19}"
    )
    for runs in RUNS:
        off, _ = best_time(variant(base, None), runs)
        exh, searches = best_time(variant(base, "exhaustive"), runs)
        dyn, _ = best_time(variant(base, "dynamics"), runs)
        share = (exh - off) / exh
        print(
            f"{runs:>5} {off * 1e3 / runs:>11.3f} {exh * 1e3 / runs:>11.3f} "
            f"{dyn * 1e3 / runs:>9.3f} {share:>16.0%} {searches:>19.2f}"
        )


if __name__ == "__main__":
    main()
