"""Sweep execution: the same results on every executor and chunk size; failures isolated.

* serial, a forked process pool, a forkserver process pool and a real 2-worker Dask
  LocalCluster give the same runs, summaries and time series, row for row, with
  different chunk sizes;
* a Dask worker killed mid-sweep: the sweep completes with every run, and the same numbers;
* runs whose overrides fail validation, runs that raise, and runs that kill their worker
  process are recorded as failed with their error; every other run completes, with the
  numbers it has in a sweep where nothing fails;
* the summary table holds the key figures of ``greatgame run`` and a run re-run alone
  gives the sweep's own numbers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sweep_helpers import assert_same, tables

from sim.sweep import SweepResult, load_results, sweep
from sim.sweep.executors import ProcessExecutor

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
PARAMS = ["patrons.China.budget=150,200,250", "patrons.Russia.attention=0.6,1"]


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    out = tmp_path_factory.mktemp("serial") / "res"
    return sweep(
        ARTICLE,
        PARAMS,
        replicates=3,
        months=24,
        out=out,
        executor="serial",
        chunk_size=1,
        progress=False,
    )


def test_serial_sweep_writes_every_run(serial: SweepResult) -> None:
    runs, summary, ts = tables(serial)
    assert len(runs) == 18 and (runs["status"] == "ok").all()
    assert runs["run"].is_unique and len(summary) == 18
    assert len(ts) == 18 * 24 * 3 * 9  # runs x months x patrons x actors
    assert not ts.duplicated(["run", "month", "patron", "target"]).any()
    assert set(runs["seed_spawn_key"]) == set(runs["run"])  # each run seeded by its own key
    assert serial.stats is not None and serial.stats.chunks == 18


def test_process_pool_equals_serial_with_other_chunk_sizes(
    serial: SweepResult, tmp_path: Path
) -> None:
    res = sweep(
        ARTICLE, PARAMS, replicates=3, months=24, out=tmp_path / "res", workers=2, chunk_size=3,
        progress=False,
    )  # fmt: skip
    assert res.stats is not None and res.stats.executor == "processes"
    assert_same(serial, res)


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_pool_workers_alone_give_the_same_rows(
    serial: SweepResult, tmp_path: Path, start_method: str
) -> None:
    with ProcessExecutor(2, start_method=start_method, help_while_starting=False) as pool:
        res = sweep(
            ARTICLE, PARAMS, replicates=3, months=24, out=tmp_path / "res", chunk_size=5,
            executor=pool, progress=False,
        )  # fmt: skip
        assert pool.start_method == start_method and pool.local_chunks == 0
    pids = {w.split(":")[1] for w in res.runs["worker"]}
    assert str(os.getpid()) not in pids and len(pids) >= 1  # every run ran in a worker
    assert_same(serial, res)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.dask
def test_dask_local_cluster_equals_serial(
    serial: SweepResult, tmp_path: Path, dask_client: Any
) -> None:
    res = sweep(
        ARTICLE,
        PARAMS,
        replicates=3,
        months=24,
        out=tmp_path / "res",
        client=dask_client,
        chunk_size=4,
        progress=False,
    )
    assert res.stats is not None and res.stats.executor == "dask"
    assert_same(serial, res)


@pytest.mark.dask
def test_a_dask_worker_killed_mid_sweep_loses_no_run(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, dask_client: Any
) -> None:
    params = ["patrons.China.budget=150,175,200,225,250", "patrons.Russia.attention=0.6,0.8,1"]
    kw: dict[str, Any] = dict(replicates=2, months=24, chunk_size=2)
    pids = dask_client.run(os.getpid)
    killed: list[int] = []

    def kill_one_worker(done: int, total: int, failed: int) -> None:
        if done > 0 and not killed:  # a chunk is committed; others are running or queued
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    res = sweep(
        ARTICLE, params, out=tmp_path / "res", client=dask_client, progress=kill_one_worker, **kw
    )
    assert killed, "the worker was never killed: the test proved nothing"
    assert res.stats is not None and res.stats.chunks == 15
    assert len(res.runs) == 30 and (res.runs["status"] == "ok").all()
    reference = sweep(
        ARTICLE,
        params,
        out=tmp_path_factory.mktemp("ref") / "res",
        executor="serial",
        progress=False,
        **kw,
    )
    assert_same(reference, res)


def raise_for_big_budgets(model: Any, month: int) -> None:
    """A model hook that raises for runs where China's budget exceeds US$240 m a month."""
    if month == 3 and (model.world.budget_base[:, 0] > 240).any():
        raise ValueError("this test's hook refuses budgets above 240")


def exit_for_big_budgets(model: Any, month: int) -> None:
    """A model hook that kills its worker process for China budgets above 240 (never pytest)."""
    in_worker = multiprocessing.parent_process() is not None
    if month == 3 and (model.world.budget_base[:, 0] > 240).any() and in_worker:
        os._exit(13)


@pytest.mark.parametrize(
    "hook", [raise_for_big_budgets, exit_for_big_budgets], ids=["raises", "dies"]
)
def test_failing_runs_are_recorded_and_the_rest_complete(
    serial: SweepResult, tmp_path: Path, hook: Any
) -> None:
    params = ["patrons.China.budget=150,200,250", "patrons.Russia.attention=0.6,1,-1"]
    res = sweep(
        ARTICLE,
        params,
        replicates=3,
        months=24,
        out=tmp_path / "res",
        workers=2,
        chunk_size=4,
        hooks=[hook],
        progress=False,
    )
    runs = res.runs
    invalid = runs["patrons.Russia.attention"] < 0
    big = runs["patrons.China.budget"] > 240
    assert len(runs) == 27 and runs["run"].is_unique
    assert (runs.loc[invalid, "status"] == "failed").all()
    assert (
        runs.loc[invalid, "error"]
        .str.contains("at patrons.Russia.attention, found -1; expected")
        .all()
    )
    assert (runs.loc[big & ~invalid, "status"] == "failed").all()
    expected = "this test's hook refuses" if hook is raise_for_big_budgets else "worker process"
    assert runs.loc[big & ~invalid, "error"].str.contains(expected).all()
    ok = ~invalid & ~big
    assert (runs.loc[ok, "status"] == "ok").all() and ok.sum() == 12
    # the runs that completed have exactly the numbers they have in a sweep without failures
    keep = set(runs.loc[ok, "run"])
    ref = serial.summary[serial.summary["run"].isin(keep)].drop(columns="point")
    pd.testing.assert_frame_equal(
        res.summary.drop(columns="point").sort_values("run").reset_index(drop=True),
        ref.sort_values("run").reset_index(drop=True),
        check_exact=True,
    )


def test_summary_has_the_key_figures_of_a_run_and_rerun_matches(serial: SweepResult) -> None:
    row = serial.summary.iloc[7]
    model = serial.rerun(int(row["run"]))
    s = model.records.summaries()[0]
    for p, by_target in s["final_influence"].items():
        for a, v in by_target.items():
            assert row[f"final_influence.{p}.{a}"] == v
    for a, v in s["dominant"].items():
        assert (v is None and pd.isna(row[f"dominant.{a}"])) or row[f"dominant.{a}"] == v
    for a, v in s["overtake_month"].items():
        got = row[f"overtake_month.{a}"]
        assert (v is None and pd.isna(got)) or got == v
    for b, v in s["bloc_sizes"].items():
        assert row[f"bloc_size.{b}"] == v
    for p, idx in s["regional_index"].items():
        for k, v in idx.items():
            assert row[f"regional_index.{p}.{k}"] == pytest.approx(v, rel=1e-12)
    alone = model.records.influence_frame()
    ts = serial.timeseries(runs=[int(row["run"])])
    assert np.array_equal(ts["influence"].to_numpy(), alone["influence"].to_numpy())
    assert np.array_equal(ts["threat"].to_numpy(), alone["threat"].to_numpy())


def test_results_read_with_pandas_pyarrow_and_duckdb(serial: SweepResult) -> None:
    import duckdb
    import pyarrow.dataset as ds

    path = serial.path
    assert len(pd.read_parquet(path / "summary")) == 18
    assert ds.dataset(path / "timeseries", format="parquet").count_rows() == 18 * 24 * 27
    con = duckdb.connect()
    q = f"""
        SELECT r."patrons.China.budget" AS budget, avg(t.influence) AS china_tj
        FROM read_parquet('{path}/timeseries/*.parquet') t
        JOIN read_parquet('{path}/runs/*.parquet') r USING (run)
        WHERE t.patron = 'China' AND t.target = 'Tajikistan' AND t.month = 23
        GROUP BY budget ORDER BY budget
    """
    rows = con.execute(q).fetchall()
    assert [b for b, _ in rows] == [150.0, 200.0, 250.0]
    means = [m for _, m in rows]
    assert means == sorted(means)  # more Chinese money, more Chinese influence in Tajikistan
    final = serial.summary.groupby("patrons.China.budget")["final_influence.China.Tajikistan"]
    assert np.allclose(means, final.mean().to_numpy(), rtol=1e-12)
    assert load_results(path).manifest["record"] == "monthly"


def test_the_duckdb_query_of_the_user_guide_runs(serial: SweepResult) -> None:
    import duckdb

    guide = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    sql = guide.split("```sql\n", 1)[1].split("```", 1)[0]
    rows = duckdb.connect().execute(sql.replace("out/budget", str(serial.path))).fetchall()
    assert [(b, n) for b, _, n in rows] == [(150.0, 6), (200.0, 6), (250.0, 6)]
    final = serial.summary.groupby("patrons.China.budget")["final_influence.China.Tajikistan"]
    assert np.allclose([m for _, m, _ in rows], final.mean().to_numpy(), rtol=1e-12)
