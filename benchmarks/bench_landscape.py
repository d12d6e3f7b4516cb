"""Benchmark of the exhaustive landscape search (sim.landscape.exhaustive_search).

Prints, for n = 12, 16, 20, 22, 24 actors on seeded random instances (sizes uniform
on [0.5, 2], propensities symmetric standard normal), the number of splits and local
minima, the wall time with and without basins of attraction, and the peak memory
allocated by numpy during the search with basins (measured by tracemalloc in a
separate, untimed run).

Run: ``.venv/bin/python benchmarks/bench_landscape.py``
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from sim.landscape import exhaustive_search

SIZES = (12, 16, 20, 22, 24)
SEED = 20240601


def instance(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random instance with ``n`` actors."""
    rng = np.random.default_rng([SEED, n])
    sizes = rng.uniform(0.5, 2.0, n)
    a = rng.normal(size=(n, n))
    return sizes, (a + a.T) / 2.0


def timed(sizes: np.ndarray, prop: np.ndarray, *, basins: bool, repeat: int) -> float:
    """Best wall time of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        exhaustive_search(sizes, prop, basins=basins)
        best = min(best, time.perf_counter() - start)
    return best


def peak_mib(sizes: np.ndarray, prop: np.ndarray) -> float:
    """Peak traced allocation (MiB) of one search with basins."""
    tracemalloc.start()
    try:
        exhaustive_search(sizes, prop, basins=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    """Print one line per problem size."""
    header = (
        f"{'n':>3} {'splits':>10} {'minima':>7} {'time+basins s':>14} "
        f"{'time minima s':>14} {'peak MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for n in SIZES:
        sizes, prop = instance(n)
        repeat = 3 if n <= 20 else 1
        minima = exhaustive_search(sizes, prop, basins=True)
        t_basins = timed(sizes, prop, basins=True, repeat=repeat)
        t_minima = timed(sizes, prop, basins=False, repeat=repeat)
        peak = peak_mib(sizes, prop)
        print(
            f"{n:>3} {2 ** (n - 1):>10} {len(minima):>7} {t_basins:>14.3f} "
            f"{t_minima:>14.3f} {peak:>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
