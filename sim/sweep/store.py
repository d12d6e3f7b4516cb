"""The results directory of a sweep: written chunk by chunk, resumable, readable by anything.

Layout::

    RESULTS/
      manifest.json          scenario hash, design, root seed, cadence, package version
      scenario.json          the scenario's raw data (extends resolved, fixed --set applied)
      design.parquet         the current design: point, replicate, run key, parameters
      runs/chunk-ID.parquet        one row per run: key, parameters, seed, status, error, duration
      summary/chunk-ID.parquet     one row per finished run: the key figures of `greatgame run`
      timeseries/chunk-ID.parquet  run, month, patron, target, influence, stocks, threat

Every table is a directory of Parquet files with one schema, readable whole by
``pandas.read_parquet("RESULTS/summary")``, ``pyarrow.dataset`` or DuckDB
(``read_parquet('RESULTS/timeseries/*.parquet')``).

**The chunk is the unit of commit.** Only the sweep's coordinating process
writes here, holding an exclusive lock on ``RESULTS/.lock``. It writes a chunk's
files to hidden temporary names, flushes them to disk and renames them into
place: the time series and summary first, the runs file last. A run counts as
done only when its chunk's runs file exists. On start, files of chunks whose
runs file is missing (a sweep killed between two renames) and temporary files
are deleted, so a killed sweep resumed ends with exactly the rows of an
uninterrupted one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.sweep.chunk import ChunkOutput

FORMAT = 1
TABLES: tuple[str, ...] = ("runs", "summary", "timeseries")


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a hidden temp file, fsync and rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    _fsync_write(tmp, data)
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class ResultsStore:
    """A sweep's results directory.

    Args:
        path: The directory (created by :meth:`open_for_writing`).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------ paths
    def table_dir(self, table: str) -> Path:
        return self.path / table

    def chunk_path(self, table: str, chunk_id: str) -> Path:
        return self.path / table / f"chunk-{chunk_id}.parquet"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def exists(self) -> bool:
        """True if the directory holds a sweep (a manifest)."""
        return self.manifest_path.is_file()

    # ------------------------------------------------------------------ manifest
    def manifest(self) -> dict[str, Any]:
        """The manifest (raises InputError if this is not a results directory)."""
        if not self.path.is_dir():
            raise InputError(f"{self.path}: no such results directory; expected a sweep's --out")
        if not self.exists():
            raise InputError(
                f"{self.path}: not a sweep results directory (no manifest.json); "
                "expected the --out directory of `greatgame sweep`"
            )
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(f"{self.manifest_path}: unreadable manifest ({e})") from None
        return data

    def scenario_data(self) -> dict[str, Any]:
        """The raw scenario data the sweep ran on."""
        data: dict[str, Any] = json.loads((self.path / "scenario.json").read_text())
        return data

    # ------------------------------------------------------------------ writing
    def open_for_writing(self) -> None:
        """Create the directory and take the writer's lock (one sweep at a time).

        Raises:
            InputError: ``--out`` is a file, or another sweep is writing here.
        """
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"--out {self.path} is a file; expected a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            self.table_dir(t).mkdir(exist_ok=True)
        fd = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise InputError(
                f"--out {self.path}: another sweep (pid {other}) is writing to this directory; "
                "wait for it to finish or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def close(self) -> None:
        """Release the writer's lock."""
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def write_json(self, name: str, data: Any) -> None:
        atomic_write(self.path / name, (json.dumps(data, indent=2, default=str) + "\n").encode())

    def write_table(self, name: str, table: pa.Table) -> None:
        """Write a whole-table Parquet file (e.g. the design) atomically."""
        tmp = self.path / f".{name}.tmp-{os.getpid()}"
        pq.write_table(table, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path / name)

    def recover(self) -> int:
        """Delete temp files and the files of uncommitted chunks; return how many."""
        removed = 0
        committed = self.committed_chunks()
        for t in TABLES:
            d = self.table_dir(t)
            if not d.is_dir():
                continue
            for f in d.iterdir():
                stem = f.name.removeprefix("chunk-").removesuffix(".parquet")
                if f.name.startswith(".") or (
                    t != "runs" and f.suffix == ".parquet" and stem not in committed
                ):
                    f.unlink(missing_ok=True)
                    removed += 1
        for f in self.path.glob(".*.tmp-*"):
            f.unlink(missing_ok=True)
            removed += 1
        return removed

    def commit(self, out: ChunkOutput) -> None:
        """Write a chunk's files; the runs file last (that rename is the commit)."""
        assert self._lock_fd is not None, "open_for_writing() first"
        if out.timeseries is not None:
            atomic_write(self.chunk_path("timeseries", out.chunk_id), out.timeseries)
        if out.summary is not None:
            atomic_write(self.chunk_path("summary", out.chunk_id), out.summary)
        atomic_write(self.chunk_path("runs", out.chunk_id), out.runs)
        _fsync_dir(self.table_dir("runs"))

    def drop_failed(self) -> int:
        """Remove failed runs from the runs table (to run them again); return how many."""
        dropped = 0
        for f in sorted(self.table_dir("runs").glob("chunk-*.parquet")):
            tab = pq.read_table(f)
            failed = pc.equal(tab["status"], "failed")
            n = pc.sum(failed).as_py() or 0
            if not n:
                continue
            dropped += n
            keep = tab.filter(pc.invert(failed))
            if keep.num_rows == 0:
                stem = f.name
                for t in ("timeseries", "summary"):
                    (self.table_dir(t) / stem).unlink(missing_ok=True)
                f.unlink()
            else:
                buf = pa.BufferOutputStream()
                pq.write_table(keep, buf, compression="snappy")
                atomic_write(f, buf.getvalue().to_pybytes())
        return dropped

    # ------------------------------------------------------------------ reading
    def committed_chunks(self) -> set[str]:
        d = self.table_dir("runs")
        if not d.is_dir():
            return set()
        return {
            f.name.removeprefix("chunk-").removesuffix(".parquet")
            for f in d.glob("chunk-*.parquet")
        }

    def _files(self, table: str) -> list[Path]:
        d = self.table_dir(table)
        return sorted(d.glob("chunk-*.parquet")) if d.is_dir() else []

    def done(self) -> dict[int, str]:
        """Run key -> status (``ok`` or ``failed``) of every committed run."""
        out: dict[int, str] = {}
        for f in self._files("runs"):
            t = pq.read_table(f, columns=["run", "status"])
            out.update(zip(t["run"].to_pylist(), t["status"].to_pylist(), strict=True))
        return out

    def dataset(self, table: str) -> ds.Dataset | None:
        """A pyarrow dataset over one table's chunk files (None if it has none)."""
        files = self._files(table)
        if not files:
            return None
        return ds.dataset([str(f) for f in files], format="parquet")

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        filter: Any = None,
        runs: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Read a table as a pandas DataFrame, sorted by run (and month, patron, target).

        Rows of a run and month are written patron by patron, target by target, and
        the sort is stable, so the time series comes out in run, month, patron, target order.

        Args:
            table: ``runs``, ``summary`` or ``timeseries``.
            columns: Columns to read (default all).
            filter: A ``pyarrow.dataset`` expression, e.g. ``ds.field("patron") == "China"``.
            runs: Only these run keys.
        """
        if table not in TABLES:
            raise InputError(f"table must be one of {TABLES}, got {table!r}")
        dset = self.dataset(table)
        if dset is None:
            return self._empty(table, columns)
        expr = filter
        if runs is not None:
            sel = ds.field("run").isin(pa.array(list(runs), type=pa.int64()))
            expr = sel if expr is None else expr & sel
        cols = list(columns) if columns is not None else None
        if cols is not None and "run" not in cols:
            cols = ["run", *cols]
        tab = dset.to_table(columns=cols, filter=expr)
        order = [("run", "ascending")]
        if table == "timeseries" and "month" in tab.column_names:
            # a stable sort: within a run and month, rows keep their written patron/target order
            order.append(("month", "ascending"))
        tab = tab.sort_by(order) if tab.num_rows else tab
        df = tab.to_pandas()
        return df.reset_index(drop=True)

    def _empty(self, table: str, columns: Sequence[str] | None) -> pd.DataFrame:
        from sim.sweep.chunk import Structure, runs_schema, summary_schema, timeseries_schema

        man = self.manifest()
        st = Structure(**{k: tuple(v) if v else v for k, v in man["structure"].items()})
        schema = {
            "runs": runs_schema(man["param_kinds"]),
            "summary": summary_schema(st),
            "timeseries": timeseries_schema(st),
        }[table]
        df = schema.empty_table().to_pandas()
        return df[list(columns)] if columns is not None else df

    def iter_chunks(self, table: str, *, columns: Sequence[str] | None = None) -> Iterator[Any]:
        """Chunk by chunk (for memory-flat passes over a large table): pyarrow Tables."""
        for f in self._files(table):
            yield pq.read_table(f, columns=list(columns) if columns else None)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = ["TABLES", "ResultsStore", "atomic_write", "now_iso"]
