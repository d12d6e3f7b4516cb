"""One task of a sweep: a chunk of runs advanced as ONE ensemble, encoded as Parquet.

:func:`run_chunk` is what every executor runs (in this process, in a worker
process, on a Dask worker). It validates each run's scenario (the base data
with the run's overrides, exactly as ``--set`` does), advances the valid runs
together as one :class:`~sim.model.InfluenceModel` ensemble (the model's run
axis), and returns three Parquet blobs: the runs rows, the summary rows and the
time series rows of the chunk. It never raises for a bad run: a run whose
overrides fail validation is recorded as failed with the validation message;
if the ensemble raises, its runs are re-run one by one so that only the runs
that raise alone are recorded as failed, each with its error.

The blobs are written to disk by the sweep's coordinating process only (see
:mod:`sim.sweep.store`), so a worker that outlives a killed sweep can never
commit anything, and workers need no shared file system.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.sweep.design import RunSpec, point_id, run_seed, set_paths

#: Parquet compression of the chunk files (fast; about 25 KiB per monthly run of the article).
COMPRESSION = "snappy"
#: Time-series columns after run, month, patron, target.
TS_VALUES: tuple[str, ...] = (
    "influence",
    "stock_investment",
    "stock_security",
    "stock_leverage",
    "threat",
)


@dataclass(frozen=True)
class Structure:
    """Names that fix the columns of the summary and time series (from the base scenario)."""

    actors: tuple[str, ...]
    patrons: tuple[str, ...]
    blocs: tuple[str, ...]
    region: tuple[str, ...]
    rivalry: tuple[str, str] | None


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs to run a chunk.

    Attributes:
        chunk_id: Unique id of the chunk (a hash of its run keys).
        base: Raw scenario data (``extends`` resolved, fixed overrides applied).
        runs: The chunk's runs.
        root_seed: The sweep's root seed (each run's seed derives from it and the run key).
        crn: Common random numbers: seeds from the replicate index instead of the run key.
        record: Time-series cadence: ``monthly``, ``yearly`` or ``final``.
        param_kinds: Swept key -> ``number``, ``bool`` or ``string`` (runs-table column types).
        structure: Names that fix the output columns.
        hooks: Extra per-month model hooks (picklable module-level functions).
    """

    chunk_id: str
    base: dict[str, Any]
    runs: tuple[RunSpec, ...]
    root_seed: int
    record: str
    param_kinds: dict[str, str]
    structure: Structure
    hooks: tuple[Callable[..., None], ...] = ()
    crn: bool = False


@dataclass
class ChunkOutput:
    """A finished chunk: Parquet blobs (``None`` when a table has no rows) and counts."""

    chunk_id: str
    runs: bytes
    summary: bytes | None
    timeseries: bytes | None
    n_ok: int
    n_failed: int
    seconds: float
    worker: str
    run_keys: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- schemas


def runs_schema(param_kinds: dict[str, str]) -> pa.Schema:
    """Schema of the runs table (one row per run)."""
    ptype = {"number": pa.float64(), "bool": pa.bool_(), "string": pa.string()}
    return pa.schema(
        [
            pa.field("run", pa.int64()),
            pa.field("replicate", pa.int32()),
            *[pa.field(k, ptype[kind]) for k, kind in param_kinds.items()],
            pa.field("seed_entropy", pa.int64()),
            pa.field("seed_spawn_key", pa.int64()),
            pa.field("status", pa.string()),
            pa.field("error", pa.string()),
            pa.field("duration_s", pa.float64()),
            pa.field("chunk", pa.string()),
            pa.field("worker", pa.string()),
            pa.field("finished_at", pa.timestamp("ms", tz="UTC")),
        ]
    )


def summary_columns(st: Structure) -> list[tuple[str, pa.DataType]]:
    """Columns of the summary table: the key figures of ``greatgame run``, flattened."""
    cols: list[tuple[str, pa.DataType]] = [("run", pa.int64())]
    cols += [(f"dominant.{a}", pa.string()) for a in st.actors]
    cols += [(f"overtake_month.{a}", pa.int64()) for a in st.actors]
    cols += [(f"bloc_size.{b}", pa.int64()) for b in st.blocs]
    for p in st.patrons:
        cols += [
            (f"regional_index.{p}.gdp_weighted", pa.float64()),
            (f"regional_index.{p}.population_weighted", pa.float64()),
        ]
    cols += [(f"final_influence.{p}.{a}", pa.float64()) for p in st.patrons for a in st.actors]
    cols += [(f"final_threat.{a}", pa.float64()) for a in st.actors]
    return cols


def summary_schema(st: Structure) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in summary_columns(st)])


def timeseries_schema(st: Structure) -> pa.Schema:
    """Schema of the time series: run, month, patron, target, influence, stocks, threat."""
    return pa.schema(
        [
            pa.field("run", pa.int64()),
            pa.field("month", pa.int16()),
            pa.field("patron", pa.dictionary(pa.int8(), pa.string())),
            pa.field("target", pa.dictionary(pa.int8(), pa.string())),
            *[pa.field(c, pa.float64()) for c in TS_VALUES],
        ]
    )


# --------------------------------------------------------------------------- tables from a model


def summary_table(model: Any, keys: Sequence[int], st: Structure) -> pa.Table:
    """The summary rows of every run of a finished model (vectorised over the run axis).

    The figures are those of :meth:`sim.records.Recorder.summaries` (``greatgame run``).
    """
    w = model.world
    rec = model.records
    R = w.R
    inf = w.influence  # (R, P, N)
    cols: dict[str, Any] = {"run": np.asarray(keys, dtype=np.int64)}
    held = inf.max(axis=1) > 0  # (R, N)
    dom_idx = inf.argmax(axis=1)
    patrons = np.asarray(w.patrons, dtype=object)
    for n, a in enumerate(w.actors):
        d = patrons[dom_idx[:, n]].copy()
        d[~held[:, n]] = None
        cols[f"dominant.{a}"] = pa.array(list(d), type=pa.string())
    for n, a in enumerate(w.actors):
        ot = rec.first_overtake[:, n]
        cols[f"overtake_month.{a}"] = pa.array(ot, mask=ot < 0, type=pa.int64())
    for j, b in enumerate(w.blocs):
        cols[f"bloc_size.{b}"] = w.member[:, :, j].sum(axis=1).astype(np.int64)
    region = [w.actor(a) for a in w.region]
    for i, p in enumerate(w.patrons):
        for name, weights in (("gdp_weighted", w.gdp), ("population_weighted", w.population)):
            # summed state by state (elementwise over runs): a run's figure does not depend
            # on how many runs share its ensemble, to the last bit
            num = np.zeros(R)
            den = np.zeros(R)
            for n in region:
                num = num + inf[:, i, n] * weights[:, n]
                den = den + weights[:, n]
            cols[f"regional_index.{p}.{name}"] = num / den if region else num
    for i, p in enumerate(w.patrons):
        for n, a in enumerate(w.actors):
            cols[f"final_influence.{p}.{a}"] = inf[:, i, n].copy()
    for n, a in enumerate(w.actors):
        cols[f"final_threat.{a}"] = w.threat[:, n].copy()
    schema = summary_schema(st)
    return pa.table([cols.get(f.name, pa.nulls(R, f.type)) for f in schema], schema=schema)


def _runs_last(a: np.ndarray) -> np.ndarray:
    """(T, R, ...) -> contiguous (R, T, ...) raveled: rows sorted by run, then month."""
    return np.ascontiguousarray(np.swapaxes(a, 0, 1)).ravel()


def timeseries_table(model: Any, keys: Sequence[int], st: Structure) -> pa.Table:
    """Tidy time-series rows of every run: run, month, patron, target, values."""
    w = model.world
    rec = model.records
    T = rec.n_recorded
    R, P, N = w.R, w.P, w.N
    per_run = T * P * N
    months = np.asarray(rec.months[:T], dtype=np.int16)
    inf = rec.influence[:T]
    threat = np.broadcast_to(rec.threat[:T][:, :, None, :], inf.shape)
    values = {
        "influence": inf,
        "stock_investment": rec.stocks[:T, ..., 0],
        "stock_security": rec.stocks[:T, ..., 1],
        "stock_leverage": rec.stocks[:T, ..., 2],
        "threat": threat,
    }
    schema = timeseries_schema(st)
    p_codes = pa.array(np.tile(np.repeat(np.arange(P, dtype=np.int8), N), R * T))
    t_codes = pa.array(np.tile(np.arange(N, dtype=np.int8), R * T * P))
    cols: list[Any] = [
        np.repeat(np.asarray(keys, dtype=np.int64), per_run),
        np.tile(np.repeat(months, P * N), R),
        pa.DictionaryArray.from_arrays(p_codes, pa.array(list(w.patrons), type=pa.string())),
        pa.DictionaryArray.from_arrays(t_codes, pa.array(list(w.actors), type=pa.string())),
        *[_runs_last(values[c]) for c in TS_VALUES],
    ]
    return pa.table(cols, schema=schema)


def to_parquet(table: pa.Table) -> bytes:
    """Encode a table as Parquet bytes (dictionary encoding only for the name columns:
    trying it on the float columns costs three quarters of the writing time for nothing)."""
    buf = io.BytesIO()
    names = [c for c in ("patron", "target") if c in table.column_names]
    pq.write_table(table, buf, compression=COMPRESSION, use_dictionary=names or False)
    return buf.getvalue()


# --------------------------------------------------------------------------- commit record

#: Parquet metadata key of a runs file's commit record (see :mod:`sim.sweep.store`).
COMMIT_KEY = b"greatgame.commit"


def with_commit_record(
    runs: pa.Table, chunk_id: str, blobs: dict[str, bytes | None], rows: dict[str, int]
) -> pa.Table:
    """The runs table with its chunk's commit record in its schema metadata.

    The record (JSON) holds the chunk id, its number of runs, and for each other file of
    the chunk its rows, size in bytes and SHA-256, so that a resumed sweep can tell a
    complete chunk from a truncated, emptied or copied one.
    """
    tables = {
        name: {"rows": rows[name], "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
        for name, blob in blobs.items()
        if blob is not None
    }
    record = {"chunk": chunk_id, "runs": runs.num_rows, "tables": tables}
    meta = dict(runs.schema.metadata or {})
    meta[COMMIT_KEY] = json.dumps(record, sort_keys=True).encode()
    return runs.replace_schema_metadata(meta)


# --------------------------------------------------------------------------- the task


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _error_text(e: BaseException) -> str:
    if isinstance(e, InputError):
        return str(e)
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return f"{type(e).__name__}: {e}{where}"


def _simulate(task: ChunkTask, scenarios: list[Any], runs: list[RunSpec]) -> Any:
    from sim.model import InfluenceModel

    model = InfluenceModel(
        scenarios,
        seeds=[run_seed(task.root_seed, r.seed_key(task.crn)) for r in runs],
        record=task.record,
        hooks=list(task.hooks),
    )
    model.run()
    return model


def run_chunk(task: ChunkTask) -> ChunkOutput:
    """Run a chunk as one ensemble and encode its rows (see the module docstring)."""
    from sim.scenario import validate_data

    t0 = time.perf_counter()
    worker = worker_name()
    status: dict[int, tuple[str, str | None, float]] = {}
    valid: list[tuple[RunSpec, Any]] = []
    checked: dict[str, Any] = {}  # replicates of a point share its validated scenario
    for r in task.runs:
        pid = point_id(r.params)
        if pid not in checked:
            try:
                checked[pid] = validate_data(set_paths(task.base, r.params), source="scenario")
            except Exception as e:
                checked[pid] = e
        sc = checked[pid]
        if isinstance(sc, Exception):
            status[r.key] = ("failed", _error_text(sc), 0.0)
        else:
            valid.append((r, sc))

    summaries: list[pa.Table] = []
    series: list[pa.Table] = []
    if valid:
        runs = [r for r, _ in valid]
        t1 = time.perf_counter()
        try:
            model = _simulate(task, [sc for _, sc in valid], runs)
            keys = [r.key for r in runs]
            summaries.append(summary_table(model, keys, task.structure))
            series.append(timeseries_table(model, keys, task.structure))
            each = (time.perf_counter() - t1) / len(runs)
            for r in runs:
                status[r.key] = ("ok", None, each)
            del model
        except Exception:
            summaries.clear()
            series.clear()
            for r, sc in valid:
                t2 = time.perf_counter()
                try:
                    model = _simulate(task, [sc], [r])
                    summaries.append(summary_table(model, [r.key], task.structure))
                    series.append(timeseries_table(model, [r.key], task.structure))
                    status[r.key] = ("ok", None, time.perf_counter() - t2)
                except Exception as e:
                    status[r.key] = ("failed", _error_text(e), time.perf_counter() - t2)

    # a model's agents and the model refer to each other: collect the cycle now, or its
    # arrays (tens of MB for a chunk) pile up in long-lived workers chunk after chunk
    model = None
    gc.collect()
    runs_tab = runs_table(task, status, worker)
    n_ok = sum(1 for s in status.values() if s[0] == "ok")
    summary = pa.concat_tables(summaries) if summaries else None
    timeseries = pa.concat_tables(series) if series else None
    blobs = {
        "summary": to_parquet(summary) if summary is not None else None,
        "timeseries": to_parquet(timeseries) if timeseries is not None else None,
    }
    rows = {
        "summary": summary.num_rows if summary is not None else 0,
        "timeseries": timeseries.num_rows if timeseries is not None else 0,
    }
    return ChunkOutput(
        chunk_id=task.chunk_id,
        runs=to_parquet(with_commit_record(runs_tab, task.chunk_id, blobs, rows)),
        summary=blobs["summary"],
        timeseries=blobs["timeseries"],
        n_ok=n_ok,
        n_failed=len(status) - n_ok,
        seconds=time.perf_counter() - t0,
        worker=worker,
        run_keys=[r.key for r in task.runs],
    )


def runs_table(
    task: ChunkTask, status: dict[int, tuple[str, str | None, float]], worker: str
) -> pa.Table:
    """The runs rows of a chunk, in the chunk's order."""
    schema = runs_schema(task.param_kinds)
    n = len(task.runs)
    now_ms = int(time.time() * 1000)
    cols: dict[str, Any] = {
        "run": [r.key for r in task.runs],
        "replicate": [r.replicate for r in task.runs],
    }
    for k, kind in task.param_kinds.items():
        vals = [r.params.get(k) for r in task.runs]
        if kind == "number":
            cols[k] = [float(v) if v is not None else None for v in vals]  # type: ignore[arg-type]
        elif kind == "bool":
            cols[k] = [bool(v) if v is not None else None for v in vals]
        else:
            cols[k] = [str(v) if v is not None else None for v in vals]
    cols["seed_entropy"] = [task.root_seed] * n
    cols["seed_spawn_key"] = [r.seed_key(task.crn) for r in task.runs]
    cols["status"] = [status[r.key][0] for r in task.runs]
    cols["error"] = [status[r.key][1] for r in task.runs]
    cols["duration_s"] = [status[r.key][2] for r in task.runs]
    cols["chunk"] = [task.chunk_id] * n
    cols["worker"] = [worker] * n
    cols["finished_at"] = [now_ms] * n
    arrays = [
        pa.array(cols[f.name], type=pa.int64()).cast(f.type)
        if f.name == "finished_at"
        else pa.array(cols[f.name], type=f.type)
        for f in schema
    ]
    return pa.table(arrays, schema=schema)


def failed_output(task: ChunkTask, message: str) -> ChunkOutput:
    """A chunk whose runs all failed with ``message`` (e.g. their worker process died)."""
    status: dict[int, tuple[str, str | None, float]] = {
        r.key: ("failed", message, 0.0) for r in task.runs
    }
    runs_tab = with_commit_record(runs_table(task, status, "coordinator"), task.chunk_id, {}, {})
    return ChunkOutput(
        chunk_id=task.chunk_id,
        runs=to_parquet(runs_tab),
        summary=None,
        timeseries=None,
        n_ok=0,
        n_failed=len(task.runs),
        seconds=0.0,
        worker="coordinator",
        run_keys=[r.key for r in task.runs],
    )


__all__ = [
    "COMMIT_KEY",
    "TS_VALUES",
    "ChunkOutput",
    "ChunkTask",
    "Structure",
    "failed_output",
    "run_chunk",
    "runs_schema",
    "summary_schema",
    "summary_table",
    "timeseries_schema",
    "timeseries_table",
    "with_commit_record",
]
