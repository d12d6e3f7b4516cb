"""Benchmark of sweeps: runs per second serially, in a process pool, on Dask, against batch_run.

The workload is the article's scenario (120 months) over a 10 x 10 grid of China's budget
and Russia's attention with replicates (2,000 runs by default), the monthly time series
(run, month, patron, target, influence, stocks, threat) written to Parquet, as a user's
sweep would. It prints:

* runs/s serially, in the process pool (2 workers), and on a 2-worker Dask LocalCluster
  (with and without the cluster's start-up), with monthly and yearly records; the pool
  both cold (its first use in a process: the forkserver imports the model, ~2-3 s) and
  warm (a later sweep in the same process, as in a notebook);
* the parallel efficiency of the pool (runs/s with 2 workers / 2 x serial runs/s);
* the same runs through ``mesa.batch_run`` (2 processes) on the same model -- a thin
  ``mesa.Model`` wrapping one ``InfluenceModel`` run, with a ``DataCollector`` recording the
  same monthly quantities -- and our speed-up over it;
* the peak memory of the whole process tree (coordinator + workers) of a sweep of 2,000 and
  of 20,000 runs, each in a fresh process (sampled RSS sum; resident pages shared by forked
  workers are counted once per process, so this overstates).

Run: ``.venv/bin/python benchmarks/bench_sweep.py`` (several minutes; ``make bench``), or
``--quick`` (fewer runs, a few minutes). The machine's load average is printed with each
figure: the figures are only as good as the machine was quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import mesa
import psutil

from sim.model import InfluenceModel
from sim.scenario import apply_overrides, default_scenario_path, load_raw, validate_data

BUDGETS = "patrons.China.budget=linspace(100,300,10)"
ATTENTION = "patrons.Russia.attention=linspace(0.3,1,10)"
POINTS = 100
BASE = load_raw(default_scenario_path())


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def timed_sweep(runs: int, out: Path, **kw: Any) -> float:
    """Runs per second of a sweep of ``runs`` runs (from the call to its return)."""
    from sim.sweep import sweep

    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    res = sweep(
        None, [BUDGETS, ATTENTION], replicates=runs // POINTS, out=out, progress=False, **kw
    )
    dt = time.perf_counter() - t0
    assert res.stats is not None and res.stats.runs_run == runs and res.stats.runs_failed == 0
    shutil.rmtree(out, ignore_errors=True)
    return runs / dt


# --------------------------------------------------------------------------- batch_run


class BatchInfluence(mesa.Model):
    """One run of the article's model behind batch_run's interface, with a DataCollector.

    Records every month what the sweep's time series holds: influence (P x N), the three
    instrument stocks (P x N x K) and threat (N).
    """

    def __init__(self, budget: float = 200.0, attention: float = 1.0, rng: Any = None) -> None:
        super().__init__(rng=rng)
        sc = validate_data(
            apply_overrides(
                BASE,
                [f"patrons.China.budget={budget!r}", f"patrons.Russia.attention={attention!r}"],
            )
        )
        self.inner = InfluenceModel(sc, seeds=[int(self.rng.integers(2**31))], record="final")
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "influence": lambda m: m.inner.world.influence[0].copy(),
                "stocks": lambda m: m.inner.world.stocks[0].copy(),
                "threat": lambda m: m.inner.world.threat[0].copy(),
            }
        )

    def step(self) -> None:
        self.inner.step()
        self.datacollector.collect(self)
        if self.inner.month >= self.inner.n_months:
            self.running = False


def batch_run_rate(runs: int) -> float:
    """Runs per second of ``mesa.batch_run`` on the same grid, 2 processes, monthly records."""
    import numpy as np

    params = {
        "budget": [float(x) for x in np.linspace(100, 300, 10)],
        "attention": [float(x) for x in np.linspace(0.3, 1, 10)],
    }
    seeds = list(range(max(1, runs // POINTS)))
    t0 = time.perf_counter()
    rows = mesa.batch_run(
        BatchInfluence,
        params,
        number_processes=2,
        rng=seeds,
        data_collection_period=1,
        max_steps=120,
        display_progress=False,
    )
    dt = time.perf_counter() - t0
    n = len(params["budget"]) * len(params["attention"]) * len(seeds)
    assert len(rows) == n * 120, len(rows)
    return n / dt


# --------------------------------------------------------------------------- memory


def memory_child(runs: int, out: str) -> None:
    """In a fresh process: run a sweep and print the peak memory of the process tree (JSON)."""
    from sim.sweep import sweep

    me = psutil.Process()
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak[0] = max(peak[0], total)
            stop.wait(0.05)

    t0 = time.perf_counter()
    # the pool is started before the sampler thread, so it forks a single-threaded process
    from sim.sweep.executors import ProcessExecutor

    ex = ProcessExecutor(2)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    from sim.sweep import plan, run_sweep

    p = plan(None, [BUDGETS, ATTENTION], replicates=runs // POINTS, out=out)
    stats = run_sweep(p, executor=ex)
    ex.close()
    stop.set()
    sampler.join()
    dt = time.perf_counter() - t0
    del sweep
    size = sum(f.stat().st_size for f in Path(out).rglob("*.parquet"))
    print(
        json.dumps(
            {
                "runs": stats.runs_run,
                "seconds": dt,
                "peak_tree_rss_mb": peak[0] / 2**20,
                "max_rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "max_rss_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "parquet_mb": size / 2**20,
            }
        )
    )


def memory(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(runs), "--out", f"{tmp}/res"],
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs: a few minutes in all")
    ap.add_argument("--runs", type=int, default=None, help="runs per throughput figure")
    ap.add_argument("--no-batch-run", action="store_true", help="skip mesa.batch_run")
    ap.add_argument("--no-dask", action="store_true", help="skip Dask")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory figures")
    ap.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.out)
        return
    runs = args.runs or (500 if args.quick else 2000)
    batch_runs = 200 if args.quick else runs
    mem_sizes = (1000, 10000) if args.quick else (2000, 20000)
    print(
        f"bench_sweep: article scenario, 120 months, {runs} runs ({POINTS} grid points x "
        f"{runs // POINTS} replicates); {os.cpu_count()} cores; {load()}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    rates: dict[str, float] = {}
    try:
        for record in ("monthly", "yearly"):
            serial = timed_sweep(runs, tmp / "s", executor="serial", record=record)
            rates[f"serial {record}"] = serial
            print(f"  serial, {record:7s} records: {serial:7.0f} runs/s  ({load()})")
            starts = ("cold", "warm") if record == "monthly" else ("warm",)
            for start in starts:
                # cold: the first pool of this process (its forkserver imports the model,
                # ~2-3 s, while the coordinator runs chunks itself); warm: a later one
                rate = timed_sweep(runs, tmp / "p", workers=2, record=record)
                rates[f"pool {record} {start}"] = rate
                print(f"  pool x2, {record:7s} records, {start} start: {rate:7.0f} runs/s  "
                      f"(parallel efficiency {rate / (2 * serial):.0%}; {load()})")  # fmt: skip
        if not args.no_dask:
            import distributed

            t0 = time.perf_counter()
            cluster = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = distributed.Client(cluster)
            start = time.perf_counter() - t0
            warm = timed_sweep(runs, tmp / "d", client=client)
            client.close()
            cluster.close()
            cold = runs / (runs / warm + start)
            rates["dask monthly"] = warm
            print(f"  Dask x2, monthly records: {warm:7.0f} runs/s on a running cluster, "
                  f"{cold:.0f} runs/s with its {start:.1f} s start-up ({load()})")  # fmt: skip
        if not args.no_batch_run:
            br = batch_run_rate(batch_runs)
            rates["batch_run"] = br
            print(f"  mesa.batch_run x2, monthly DataCollector ({batch_runs} runs): {br:7.1f} "
                  f"runs/s ({load()})")  # fmt: skip
            cold, warm = rates["pool monthly cold"] / br, rates["pool monthly warm"] / br
            yearly = rates["pool yearly warm"] / br
            print(f"  speed-up of the pool over batch_run: monthly {cold:.0f}x (cold start), "
                  f"{warm:.0f}x (warm); yearly {yearly:.0f}x")  # fmt: skip
        if not args.no_memory:
            small, large = (memory(n) for n in mem_sizes)
            for m in (small, large):
                print(f"  memory, {int(m['runs']):6d} runs (pool x2, monthly): peak tree RSS "
                      f"{m['peak_tree_rss_mb']:6.0f} MB, largest process "
                      f"{max(m['max_rss_self_mb'], m['max_rss_child_mb']):5.0f} MB, "
                      f"{m['seconds']:5.1f} s, {m['parquet_mb']:.0f} MB of Parquet")  # fmt: skip
            ratio = large["peak_tree_rss_mb"] / small["peak_tree_rss_mb"]
            print(f"  memory ratio {mem_sizes[1]} / {mem_sizes[0]} runs: {ratio:.2f}x "
                  f"({load()})")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
