"""Results that survive: a killed sweep resumes to exactly the rows of an uninterrupted one.

* ``greatgame sweep`` killed with SIGKILL mid-way (a real process, its pool workers too) and
  run again ends with the same runs, summary and time series as a sweep never interrupted:
  none lost, none duplicated; files of a chunk caught between two renames are discarded;
* the same command again runs nothing; a wider design runs only its new points;
* failed runs can be run again without duplicating rows;
* a directory holding another kind of sweep, or being written by another sweep, is refused.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest
from sweep_helpers import assert_same

from sim.errors import InputError
from sim.sweep import load_results, sweep
from sim.sweep.store import ResultsStore

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
GREATGAME = Path(sys.executable).parent / "greatgame"
PARAMS = ["patrons.China.budget=150,175,200,225,250", "patrons.Russia.attention=0.6,0.8,1"]


def committed(out: Path) -> int:
    d = out / "runs"
    return len(list(d.glob("chunk-*.parquet"))) if d.is_dir() else 0


def dead(p: psutil.Process) -> bool:
    """Gone, or a zombie waiting to be reaped."""
    try:
        return p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_sweep_killed_mid_way_resumes_to_the_uninterrupted_rows(
    tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "killed"
    args = [
        str(GREATGAME), "sweep", str(ARTICLE), *PARAMS, "--replicates", "4", "--months", "120",
        "--chunk-size", "2", "--workers", "2", "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while committed(out) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    if sig == signal.SIGINT:  # Ctrl-C: the sweep stops cleanly, says so, exits 130
        assert proc.returncode == 130 and "aborted" in stderr.decode(), stderr.decode()
    done_at_kill = committed(out)
    assert 4 <= done_at_kill < 30, f"killed after {done_at_kill} of 30 chunks: proved nothing"
    assert workers, "the sweep had no worker processes"
    # the pool dies with its coordinator: nothing keeps running or writing
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert all(dead(p) for p in alive), f"workers outlived the sweep: {alive}"
    after = committed(out)
    time.sleep(0.3)
    assert committed(out) == after, "something still commits after the sweep was killed"

    # what a kill between two renames leaves: data of an uncommitted chunk, and a temp file
    ts = sorted((out / "timeseries").glob("chunk-*.parquet"))[0]
    shutil.copy(ts, out / "timeseries" / "chunk-0123456789abcdef.parquet")
    (out / "summary" / ".chunk-0123456789abcdef.parquet.tmp-1").write_bytes(b"partial")

    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{after * 2} already done" in resumed.stderr

    reference = sweep(
        ARTICLE, PARAMS, replicates=4, months=120, out=tmp_path / "ref", executor="serial",
        chunk_size=60, progress=False,
    )  # fmt: skip
    res = load_results(out)
    assert len(res.runs) == 60 and res.runs["run"].is_unique and (res.runs["status"] == "ok").all()
    assert_same(reference, res)
    for table in ("runs", "summary", "timeseries"):
        names = {f.name for f in (out / table).iterdir()}
        assert names == {f.name for f in (out / "runs").iterdir()}, table  # no orphan, no temp


def test_the_same_sweep_again_runs_nothing_and_a_wider_one_only_new_points(
    tmp_path: Path,
) -> None:
    out = tmp_path / "res"
    kw: dict[str, Any] = dict(months=12, out=out, executor="serial", progress=False)
    first = sweep(ARTICLE, ["patrons.China.budget=150,250"], replicates=2, **kw)
    assert first.stats is not None and first.stats.runs_run == 4
    before = first.runs.copy()
    again = sweep(ARTICLE, ["patrons.China.budget=150,250"], replicates=2, **kw)
    assert again.stats is not None and again.stats.runs_run == 0
    wider = sweep(ARTICLE, ["patrons.China.budget=150,200,250"], replicates=3, **kw)
    assert wider.stats is not None
    assert (wider.stats.runs_done_before, wider.stats.runs_run) == (4, 5)
    assert len(wider.runs) == 9 and wider.runs["run"].is_unique
    old = wider.runs[wider.runs["run"].isin(before["run"])].sort_values("run")
    pd.testing.assert_frame_equal(  # the runs done first are untouched, not run again
        old.drop(columns="point").reset_index(drop=True),
        before.drop(columns="point").sort_values("run").reset_index(drop=True),
    )
    narrow = load_results(out)  # the manifest describes the latest design
    assert narrow.manifest["design"]["n_runs"] == 9


def fail_while_flag(model: Any, month: int) -> None:
    """Raise while the file named by GREATGAME_TEST_FAIL_FLAG exists (a transient failure)."""
    flag = os.environ.get("GREATGAME_TEST_FAIL_FLAG")
    if month == 2 and flag and Path(flag).exists() and (model.world.budget_base[:, 0] > 200).any():
        raise RuntimeError("transient failure for the test")


def test_failed_runs_run_again_with_retry_failed_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = tmp_path / "fail"
    flag.touch()
    monkeypatch.setenv("GREATGAME_TEST_FAIL_FLAG", str(flag))
    kw: dict[str, Any] = dict(
        months=12, out=tmp_path / "res", executor="serial", progress=False, replicates=2,
        hooks=[fail_while_flag], chunk_size=3,
    )  # fmt: skip
    res = sweep(ARTICLE, ["patrons.China.budget=150,250"], **kw)
    assert (res.runs["status"] == "failed").sum() == 2
    again = sweep(ARTICLE, ["patrons.China.budget=150,250"], **kw)  # failures count as done
    assert again.stats is not None and again.stats.runs_run == 0
    flag.unlink()
    retried = sweep(ARTICLE, ["patrons.China.budget=150,250"], retry_failed=True, **kw)
    assert retried.stats is not None and retried.stats.runs_run == 2
    runs = retried.runs
    assert len(runs) == 4 and runs["run"].is_unique and (runs["status"] == "ok").all()
    assert len(retried.summary) == 4 and retried.summary["run"].is_unique


def test_a_directory_of_another_sweep_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "res"
    kw: dict[str, Any] = dict(out=out, executor="serial", progress=False)
    sweep(ARTICLE, ["patrons.China.budget=150,250"], months=12, **kw)
    with pytest.raises(InputError, match="holds a sweep with record cadence 'monthly'"):
        sweep(ARTICLE, ["patrons.China.budget=150,250"], months=12, record="yearly", **kw)
    with pytest.raises(InputError, match="holds a sweep with scenario hash"):
        sweep(ARTICLE, ["patrons.China.budget=150,250"], months=24, **kw)
    with pytest.raises(InputError, match="swept keys"):
        sweep(ARTICLE, ["patrons.Russia.budget=50,90"], months=12, **kw)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not a sweep results directory"):
        sweep(ARTICLE, ["patrons.China.budget=150"], months=12, out=other, executor="serial")


def test_a_second_sweep_cannot_write_while_one_is_writing(tmp_path: Path) -> None:
    out = tmp_path / "res"
    sweep(ARTICLE, ["patrons.China.budget=150"], months=12, out=out, executor="serial",
          progress=False)  # fmt: skip
    holder = ResultsStore(out)
    holder.open_for_writing()
    try:
        with pytest.raises(InputError, match=rf"another sweep \(pid {os.getpid()}\) is writing"):
            sweep(ARTICLE, ["patrons.China.budget=150,250"], months=12, out=out,
                  executor="serial", progress=False)  # fmt: skip
    finally:
        holder.close()
    res = sweep(ARTICLE, ["patrons.China.budget=150,250"], months=12, out=out, executor="serial",
                progress=False)  # fmt: skip
    assert res.stats is not None and res.stats.runs_run == 1


def test_a_scenario_object_and_its_file_make_the_same_sweep(tmp_path: Path) -> None:
    import sim

    out = tmp_path / "res"
    kw: dict[str, Any] = dict(out=out, executor="serial", progress=False)
    first = sweep(ARTICLE, ["patrons.China.budget=150,250"], months=12, **kw)
    again = sweep(sim.load(ARTICLE, set=["months=12"]), ["patrons.China.budget=150,250"], **kw)
    assert first.manifest["scenario"]["hash"] == again.manifest["scenario"]["hash"]
    assert again.stats is not None and again.stats.runs_run == 0  # the same runs: all done
