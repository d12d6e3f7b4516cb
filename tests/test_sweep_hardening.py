"""Sweeps under failure: a dying Dask scheduler, damaged results, a full disk, an early Ctrl-C.

* a real ``dask scheduler`` process killed mid-sweep: the sweep stops at once with one line
  and exit code 3 (not hanging, not recording the chunks in flight as failed runs), and the
  same command resumes them without ``--retry-failed``; ``DASK_SCHEDULER_ADDRESS`` is
  announced on stderr;
* damaged chunks (truncated or emptied files, a runs file copied under another chunk's name)
  are set aside in ``quarantine/`` and their runs run again, to the rows of an undamaged
  sweep; the user's own files in the directory are kept and named, never deleted;
* a full disk while committing: no temp file, no half chunk, and the sweep resumes;
* Ctrl-C in the first seconds (while the pool's forkserver imports the model): exit 130,
  one line, no traceback from any process;
* design sizes, numbers and seeds are checked from the spec, before anything is built.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sweep_helpers import assert_same

import sim.safeio
from sim.errors import InfrastructureError, InputError
from sim.sweep import SweepResult, load_results, plan, sweep
from sim.sweep.design import MAX_RUNS
from sim.sweep.store import ResultsStore

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
BIN = Path(sys.executable).parent
GREATGAME = BIN / "greatgame"
PARAMS = ["patrons.China.budget=150,200,250"]


def chunks(out: Path) -> list[Path]:
    d = out / "runs"
    return sorted(d.glob("chunk-*.parquet")) if d.is_dir() else []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    """The undamaged sweep every resumed one must equal (serial, 3 x 2 runs, 12 months)."""
    out = tmp_path_factory.mktemp("ref") / "res"
    return sweep(
        ARTICLE, PARAMS, replicates=2, months=12, out=out, executor="serial", progress=False
    )


# --------------------------------------------------------------------------- a dying scheduler


def _start_scheduler(
    tmp_path: Path,
) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes], str]:
    """A real ``dask scheduler`` and one single-threaded ``dask worker`` process."""
    info = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [BIN / "dask", "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", info],
        **quiet,  # type: ignore[call-overload]
    )
    deadline = time.monotonic() + 60
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the file is written whole
    address = json.loads(info.read_text())["address"]
    worker = subprocess.Popen(
        [BIN / "dask", "worker", "--scheduler-file", info, "--nworkers", "1", "--nthreads", "1",
         "--no-dashboard"],
        **quiet,  # type: ignore[call-overload]
    )  # fmt: skip
    return scheduler, worker, address


DASK_PARAMS = ["patrons.China.budget=150,175,200,225,250"]
DASK_ARGS = ["--replicates", "2", "--months", "240", "--chunk-size", "1"]  # 10 chunks, ~0.2 s each


@pytest.mark.dask
def test_a_killed_dask_scheduler_stops_the_sweep_and_resume_reruns_its_chunks(
    tmp_path: Path, cli: Any
) -> None:
    pytest.importorskip("distributed")
    scheduler, worker, address = _start_scheduler(tmp_path)
    out = tmp_path / "res"
    args = [str(GREATGAME), "sweep", str(ARTICLE), *DASK_PARAMS, *DASK_ARGS, "--out", str(out)]
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": address, "COLUMNS": "200"}
    try:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 90
        while not chunks(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert chunks(out), proc.communicate(timeout=10)
        scheduler.kill()
        killed_at = time.monotonic()
        _, err = proc.communicate(timeout=60)  # before the fix: forever
        stopped_after = time.monotonic() - killed_at
    finally:
        for p in (scheduler, worker):
            p.kill()
            p.wait(timeout=30)
    stderr = err.decode()
    committed = len(chunks(out))
    assert committed < 10, "the sweep ended before the kill: the test proved nothing"
    assert proc.returncode == 3, stderr
    assert stopped_after < 20, stopped_after
    assert "Traceback" not in stderr and "NoneType" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith(("error", "greatgame:"))]
    assert lines[0].startswith(
        f"greatgame: DASK_SCHEDULER_ADDRESS is set, so this sweep runs on the Dask cluster at "
        f"{address}"
    ), lines
    assert lines[-1].startswith(f"error: lost the Dask scheduler at {address}"), lines
    assert "run the same command again" in lines[-1]
    runs = load_results(out).runs
    assert (runs["status"] == "ok").all(), "an infrastructure failure is not a run failure"

    # the same command resumes without --retry-failed (here on this machine: one worker)
    code, _, err2 = cli("sweep", ARTICLE, *DASK_PARAMS, *DASK_ARGS, "--out", out, "--workers", "1")
    assert code == 0, err2
    assert f"{committed} already done" in err2
    res = load_results(out)
    assert len(res.runs) == 10 and (res.runs["status"] == "ok").all()
    reference = sweep(
        ARTICLE, DASK_PARAMS, replicates=2, months=240, out=tmp_path / "ref", executor="serial",
        progress=False,
    )  # fmt: skip
    assert_same(reference, res)


# --------------------------------------------------------------------------- damaged results


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_damaged_chunks_are_quarantined_and_rerun_to_the_undamaged_rows(
    tmp_path: Path, reference: SweepResult
) -> None:
    out = tmp_path / "res"
    kw: dict[str, Any] = dict(replicates=2, months=12, executor="serial", progress=False)
    sweep(ARTICLE, PARAMS, out=out, chunk_size=1, **kw)
    files = chunks(out)
    assert len(files) == 6
    ids = [f.name for f in files]
    _truncate(out / "timeseries" / ids[0], 0.5)  # the case: resume said all done
    _truncate(out / "summary" / ids[1], 0.9)
    (out / "runs" / ids[2]).write_bytes(b"")  # zero bytes
    _truncate(out / "runs" / ids[3], 0.6)
    shutil.copy(out / "runs" / ids[5], out / "runs" / ids[4])  # a copy over another chunk
    shutil.copy(out / "runs" / ids[5], out / "runs" / "chunk-00000000000000ff.parquet")
    shutil.copy(out / "runs" / ids[5], out / "runs" / "chunk copy.parquet")
    mine = out / "summary" / "my_analysis.parquet"
    pq.write_table(pa.table({"x": [1, 2, 3]}), mine)
    notes = out / "runs" / "notes.txt"
    notes.write_text("my notes\n")
    mine_bytes = mine.read_bytes()

    # the damage is real: readers fail, and reading the results says how to recover
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
        pd.read_parquet(out / "timeseries")
    with pytest.raises(InputError, match="run the same `greatgame sweep` command again"):
        load_results(out).timeseries()

    with pytest.warns(UserWarning) as caught:
        res = sweep(ARTICLE, PARAMS, out=out, chunk_size=1, **kw)
    messages = [str(w.message) for w in caught]
    assert res.stats is not None and res.stats.quarantined == 6
    assert res.stats.runs_done_before == 1 and res.stats.runs_run == 5
    damaged = [m for m in messages if "is damaged" in m]
    assert len(damaged) == 6
    assert any("timeseries/" in m and "bytes" in m for m in damaged)
    assert any("is empty" in m for m in damaged)
    assert any("(a copy?)" in m and "its runs are in other chunks" in m for m in damaged)
    foreign = [m for m in messages if "was not written by the sweep" in m]
    assert {m.split(" was not")[0] for m in foreign} == {
        str(out / "runs" / "chunk copy.parquet"),
        str(notes),
        str(mine),
    }
    # the user's files are kept as they were; the damaged ones are set aside, not deleted
    assert mine.read_bytes() == mine_bytes and notes.read_text() == "my notes\n"
    (quarantine,) = (out / "quarantine").iterdir()
    assert len(list((quarantine / "runs").iterdir())) == 6
    # the rows are those of a sweep never damaged; every reader agrees
    assert_same(reference, res)
    assert_same(reference, load_results(out))
    assert len(pd.read_parquet(out / "timeseries")) == len(reference.timeseries())
    notes.unlink()  # as the warning says: the directory is then the documented dataset
    (out / "runs" / "chunk copy.parquet").unlink()
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 6 and runs["run"].is_unique
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}/summary/chunk-*')")
    assert n.fetchone() == (6,)
    with pytest.warns(UserWarning, match="my_analysis.parquet was not written by the sweep"):
        again = sweep(ARTICLE, PARAMS, out=out, chunk_size=1, **kw)
    assert again.stats is not None and again.stats.runs_run == 0 and again.stats.quarantined == 0


def test_full_checksums_catch_a_changed_byte(tmp_path: Path) -> None:
    out = tmp_path / "res"
    sweep(ARTICLE, PARAMS, months=6, out=out, executor="serial", progress=False)
    store = ResultsStore(out)
    assert not store.verify(checksums=True).problems
    f = next((out / "timeseries").glob("chunk-*.parquet"))
    data = bytearray(f.read_bytes())
    data[100] ^= 0xFF  # same size, same footer: only the checksum tells
    f.write_bytes(bytes(data))
    assert not store.verify().problems
    (problem,) = store.verify(checksums=True).problems
    assert "SHA-256" in problem.reason


# --------------------------------------------------------------------------- a full disk


def test_a_full_disk_while_committing_leaves_no_half_chunk_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: SweepResult
) -> None:
    """ENOSPC at the fsync of the third chunk's summary file (its time series is in place)."""
    out = tmp_path / "res"
    real = os.fsync
    summaries: list[str] = []

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if "/summary/.chunk-" in path:
            summaries.append(path)
            if len(summaries) == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(sim.safeio.os, "fsync", fsync)
    kw: dict[str, Any] = dict(replicates=2, months=12, executor="serial", progress=False)
    with pytest.raises(InfrastructureError, match="No space left on device") as e:
        sweep(ARTICLE, PARAMS, out=out, chunk_size=1, **kw)
    assert "run the same command again to resume" in str(e.value)
    names = {
        t: sorted(p.name for p in (out / t).iterdir()) for t in ("runs", "summary", "timeseries")
    }
    assert len(names["runs"]) == 2, names
    assert names["runs"] == names["summary"] == names["timeseries"], "no half chunk, no temp"
    assert not list(out.glob(".*tmp*"))
    monkeypatch.setattr(sim.safeio.os, "fsync", real)
    res = sweep(ARTICLE, PARAMS, out=out, chunk_size=1, **kw)
    assert res.stats is not None and res.stats.runs_done_before == 2
    assert_same(reference, res)


# --------------------------------------------------------------------------- early Ctrl-C


def test_ctrl_c_in_the_first_seconds_of_a_sweep_exits_130_without_a_traceback(
    tmp_path: Path,
) -> None:
    """Ctrl-C at a terminal reaches the whole process group: the CLI, the forkserver that
    is importing the model, its workers. None may print a traceback.

    (The first ~0.1 s is the interpreter's own start-up, before any of greatgame's code runs:
    a Ctrl-C then gets Python's own KeyboardInterrupt, as with any Python program.)
    """
    for i, delay in enumerate([0.6, 1.3, 2.0]):
        out = tmp_path / f"res{i}"
        proc = subprocess.Popen(
            # 1,000 ten-year runs: seconds of work, so every delay lands mid-sweep (80 short
            # runs could finish inside 2 s on a quick machine, and exit 0)
            [str(GREATGAME), "sweep", str(ARTICLE), "patrons.China.budget=100,150,200,250",
             "--replicates", "250", "--months", "120", "--workers", "2", "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(delay)
        group = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        stderr = err.decode()
        assert proc.returncode == 130, (delay, proc.returncode, stderr)
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, (delay, stderr)
        assert stderr.strip().splitlines()[-1] == "aborted", (delay, stderr)
        _, alive = psutil.wait_procs([psutil.Process(p) for p in group if psutil.pid_exists(p)],
                                     timeout=15)  # fmt: skip
        assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], (delay, alive)


# --------------------------------------------------------------------------- sizes from the spec


@pytest.mark.parametrize(
    ("params", "kw", "expected"),
    [
        (["patrons.China.budget=linspace(0,1000,100000000)"], {}, "linspace gives 100000000"),
        (["patrons.China.budget=range(0,100000000)"], {}, "range gives 100000000 values"),
        (
            ["patrons.China.budget=uniform(0,1)", "patrons.Russia.budget=uniform(0,1)"],
            {"design": "sobol", "samples": 2**30},
            "--design sobol --samples 1073741824 gives 4,294,967,296 points",
        ),
        (
            ["patrons.China.budget=uniform(0,1)"],
            {"design": "lhs", "samples": 10**9},
            "--design lhs --samples 1000000000 gives",
        ),
        (
            ["patrons.China.budget=1,2,3", "patrons.Russia.budget=1,2,3"],
            {"replicates": 10**9},
            "9 points x 1,000,000,000 replicates",
        ),
    ],
    ids=["linspace 1e8", "range 1e8", "sobol 2^30", "lhs 1e9", "replicates 1e9"],
)
def test_design_sizes_are_checked_before_anything_is_built(
    tmp_path: Path, params: list[str], kw: dict[str, Any], expected: str
) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError) as e:
            plan(ARTICLE, params, out=tmp_path / "o", **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 10
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    assert expected in str(e.value)
    assert f"{MAX_RUNS:,}" in str(e.value), "the message names the limit"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["patrons.China.budget=1," + "9" * 400], "a number of 400 characters"),
        (["seed=1,99999999999999999999"], "beyond 9007199254740992 (2^53)"),
        (["patrons.China.budget=uniform(0,1e400)", "--design", "lhs", "--samples", "4"],
         "'1e400' is not a finite number"),
        (["patrons.China.budget=range(0,1e400,1e399)"], "is not a finite number"),
        (["patrons.China.budget=1", "--seed", "9" * 400], "--seed must be from 0 to 2^63 - 1"),
        (["patrons.China.budget=1", "--set", "seed=99999999999999999999"], "2^63 - 1"),
    ],
    ids=["400 digits", "beyond 2^53", "uniform 1e400", "range 1e400", "seed 400 digits", "seed"],
)  # fmt: skip
def test_huge_sweep_values_and_seeds_are_refused_before_the_manifest(
    cli: Any, tmp_path: Path, args: list[str], expected: str
) -> None:
    out = tmp_path / "o"
    code, _, err = cli("sweep", ARTICLE, *args, "--out", out, "--workers", "1")
    assert code == 1 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert not out.exists(), "the coordinator wrote nothing"
