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

**Committed chunks are verified.** Each runs file carries its chunk's *commit
record* in its Parquet metadata (key ``greatgame.commit``): the chunk id, its
number of runs, and the rows, size and SHA-256 of its summary and time-series
files. Before a sweep resumes (and whenever the runs done are counted), every
runs file must read whole and match its record and its name, and every summary
and time-series file must have the recorded size and, in its footer, the
recorded rows (:meth:`ResultsStore.verify` with ``checksums=True`` also
compares the SHA-256). A chunk that fails (a truncated or empty file, a file
copied over another, a copy of a runs file under another chunk's name) is moved
to ``RESULTS/quarantine/<time>/`` and its runs run again.

The store reads and writes only its own names in the table directories:
``chunk-<16 hex digits>.parquet`` and hidden temporary files. Anything else
there is left alone (and reported, since ``pandas.read_parquet("RESULTS/runs")``
and DuckDB read every file of the directory).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.errors import InfrastructureError, InputError, shorten
from sim.safeio import write_bytes_atomically, written_atomically
from sim.sweep.chunk import COMMIT_KEY, ChunkOutput

FORMAT = 2
TABLES: tuple[str, ...] = ("runs", "summary", "timeseries")
#: The only names the store reads, writes or deletes in a table directory.
CHUNK_RE = re.compile(r"^chunk-(?P<id>[0-9a-f]{16})\.parquet$")
#: Its temporary files (hidden: pandas, pyarrow and DuckDB's ``*.parquet`` skip them).
TEMP_RE = re.compile(r"^\.chunk-[0-9a-f]{16}\.parquet\.tmp-[0-9]+$")
QUARANTINE = "quarantine"
RECOVER_HINT = (
    "run the same `greatgame sweep` command again: it checks every chunk, sets damaged ones "
    "aside in quarantine/ and runs their runs again"
)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a hidden temp file, fsync and rename (no temp file is
    left behind if the writing fails, e.g. on a full disk)."""
    write_bytes_atomically(path, data)


@dataclass
class ChunkProblem:
    """A committed chunk that failed verification.

    Attributes:
        chunk: The chunk id.
        reason: What is wrong, for messages.
        files: The chunk's files (runs file first).
        runs: Its run keys, if its runs file could be read.
    """

    chunk: str
    reason: str
    files: list[Path] = field(default_factory=list)
    runs: set[int] | None = None


@dataclass
class Verification:
    """What :meth:`ResultsStore.verify` found.

    Attributes:
        done: Run key -> status of every run in a good chunk.
        problems: The chunks that failed.
        foreign: Files in the table directories the store did not write.
    """

    done: dict[int, str] = field(default_factory=dict)
    problems: list[ChunkProblem] = field(default_factory=list)
    foreign: list[Path] = field(default_factory=list)


def _chunk_id(f: Path) -> str | None:
    m = CHUNK_RE.match(f.name)
    return m["id"] if m else None


def commit_record(path: Path) -> dict[str, Any] | None:
    """The commit record in a runs file's metadata (None for files of format 1)."""
    meta = pq.read_metadata(path).metadata or {}
    raw = meta.get(COMMIT_KEY)
    if raw is None:
        return None
    record: dict[str, Any] = json.loads(raw)
    return record


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
        with written_atomically(self.path / name) as tmp:
            pq.write_table(table, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())

    def recover(self) -> int:
        """Delete the store's temp files and the files of uncommitted chunks; return how many.

        Only the store's own names are touched (see :data:`CHUNK_RE`): a file of the user's
        in a table directory is left alone.
        """
        removed = 0
        committed = self.committed_chunks()
        for t in TABLES:
            d = self.table_dir(t)
            if not d.is_dir():
                continue
            for f in d.iterdir():
                cid = _chunk_id(f)
                if TEMP_RE.match(f.name) or (t != "runs" and cid and cid not in committed):
                    f.unlink(missing_ok=True)
                    removed += 1
        for f in self.path.glob(".*.tmp-*"):
            f.unlink(missing_ok=True)
            removed += 1
        return removed

    def quarantine(self, problems: Sequence[ChunkProblem]) -> Path | None:
        """Move the files of damaged chunks to ``RESULTS/quarantine/<time>/<table>/``.

        Their runs are then not done, and run again. Returns the quarantine directory.
        """
        if not problems:
            return None
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        dest = self.path / QUARANTINE / stamp
        n = 1
        while dest.exists():
            n += 1
            dest = self.path / QUARANTINE / f"{stamp}-{n}"
        for prob in problems:
            for f in prob.files:
                if not f.exists():
                    continue
                target = dest / f.parent.name / f.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(f), target)
        for t in TABLES:
            _fsync_dir(self.table_dir(t))
        return dest

    def commit(self, out: ChunkOutput) -> None:
        """Write a chunk's files; the runs file last (that rename is the commit).

        Raises:
            InfrastructureError: the files could not be written (a full disk...); nothing of
                the chunk is left, and the chunks committed before are untouched.
        """
        assert self._lock_fd is not None, "open_for_writing() first"
        written: list[Path] = []
        try:
            for table, blob in (("timeseries", out.timeseries), ("summary", out.summary)):
                if blob is not None:
                    atomic_write(self.chunk_path(table, out.chunk_id), blob)
                    written.append(self.chunk_path(table, out.chunk_id))
            atomic_write(self.chunk_path("runs", out.chunk_id), out.runs)
        except OSError as e:
            for f in written:  # not committed: no runs file; remove them now, not at resume
                with contextlib.suppress(OSError):
                    f.unlink()
            raise InfrastructureError(
                f"cannot write to {self.path} ({e.strerror or e}): the sweep stopped; the "
                "runs committed so far are kept, and nothing of the chunk being written is "
                "left; fix this (e.g. free some space) and run the same command again to "
                "resume"
            ) from e
        _fsync_dir(self.table_dir("runs"))

    def drop_failed(self) -> int:
        """Remove failed runs from the runs table (to run them again); return how many."""
        dropped = 0
        for f in self._files("runs"):
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
                meta = dict(keep.schema.metadata or {})
                if COMMIT_KEY in meta:  # the record follows: fewer runs, the same other files
                    record = json.loads(meta[COMMIT_KEY])
                    record["runs"] = keep.num_rows
                    meta[COMMIT_KEY] = json.dumps(record).encode()
                    keep = keep.replace_schema_metadata(meta)
                buf = pa.BufferOutputStream()
                pq.write_table(keep, buf, compression="snappy")
                atomic_write(f, buf.getvalue().to_pybytes())
        return dropped

    # ------------------------------------------------------------------ verifying
    def verify(self, *, checksums: bool = False) -> Verification:
        """Check every committed chunk against its commit record (see the module docstring).

        Args:
            checksums: Also compare the SHA-256 of every summary and time-series file (reads
                every byte; the default checks sizes and Parquet footers only).

        Returns:
            The runs done in good chunks, the damaged chunks, and foreign files.
        """
        out = Verification()
        owner: dict[int, str] = {}
        for t in TABLES:
            d = self.table_dir(t)
            if d.is_dir():
                out.foreign += sorted(
                    f for f in d.iterdir() if not f.name.startswith(".") and not _chunk_id(f)
                )
        for f in self._files("runs"):
            cid = _chunk_id(f)
            assert cid is not None
            files = [f, *(self.chunk_path(t, cid) for t in ("summary", "timeseries"))]
            try:
                reason, runs = self._check_chunk(cid, f, checksums=checksums)
            except Exception as e:  # an unreadable file: whatever pyarrow says about it
                reason, runs = f"runs/{f.name} cannot be read ({shorten(str(e), 80)})", None
            if reason is None and runs is not None:
                dup = next((k for k in runs if k in owner), None)
                if dup is not None:
                    reason = f"it repeats run {dup} of chunk {owner[dup]} (a copy?)"
            if reason is not None:
                out.problems.append(
                    ChunkProblem(
                        cid,
                        reason,
                        [p for p in files if p.exists()],
                        set(runs) if runs is not None else None,
                    )
                )
                continue
            assert runs is not None
            for k in runs:
                owner[k] = cid
            out.done.update(runs)
        return out

    def _check_chunk(
        self, cid: str, runs_file: Path, *, checksums: bool
    ) -> tuple[str | None, dict[int, str] | None]:
        """``(reason, runs)``: why the chunk is damaged (None if it is not), and its runs."""
        if runs_file.stat().st_size == 0:
            return f"runs/{runs_file.name} is empty", None
        record = commit_record(runs_file)
        tab = pq.read_table(runs_file, columns=["run", "status"])
        runs = dict(zip(tab["run"].to_pylist(), tab["status"].to_pylist(), strict=True))
        if record is None:  # format 1: no record; the other files must at least read
            for t in ("summary", "timeseries"):
                other = self.chunk_path(t, cid)
                if other.exists():
                    pq.read_metadata(other)
            return None, runs
        if record.get("chunk") != cid:
            return f"runs/{runs_file.name} holds chunk {record.get('chunk')} (a copy?)", runs
        if tab.num_rows != record.get("runs") or len(runs) != tab.num_rows:
            return (
                f"runs/{runs_file.name} has {tab.num_rows} rows, {record.get('runs')} were "
                "committed",
                runs,
            )
        for t in ("summary", "timeseries"):
            other = self.chunk_path(t, cid)
            want = record.get("tables", {}).get(t)
            if want is None:
                continue
            if not other.exists():
                return f"{t}/{other.name} is missing", runs
            size = other.stat().st_size
            if size != want["bytes"]:
                return f"{t}/{other.name} has {size} bytes, {want['bytes']} were committed", runs
            rows = pq.read_metadata(other).num_rows
            if rows != want["rows"]:
                return f"{t}/{other.name} has {rows} rows, {want['rows']} were committed", runs
            if checksums and _sha256(other) != want["sha256"]:
                return f"{t}/{other.name} does not match its committed SHA-256", runs
        return None, runs

    # ------------------------------------------------------------------ reading
    def committed_chunks(self) -> set[str]:
        """Ids of the chunks whose runs file exists (verified or not)."""
        return {cid for f in self._files("runs") if (cid := _chunk_id(f))}

    def _files(self, table: str) -> list[Path]:
        """The chunk files of a table: the store's own names only."""
        d = self.table_dir(table)
        return sorted(f for f in d.iterdir() if _chunk_id(f)) if d.is_dir() else []

    def done(self) -> dict[int, str]:
        """Run key -> status (``ok`` or ``failed``) of every run in a verified chunk."""
        return self.verify().done

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
        expr = filter
        if runs is not None:
            sel = ds.field("run").isin(pa.array(list(runs), type=pa.int64()))
            expr = sel if expr is None else expr & sel
        cols = list(columns) if columns is not None else None
        if cols is not None and "run" not in cols:
            cols = ["run", *cols]
        try:
            dset = self.dataset(table)
            if dset is None:
                return self._empty(table, columns)
            tab = dset.to_table(columns=cols, filter=expr)
        except (pa.ArrowException, OSError) as e:
            raise InputError(
                f"{self.path}: cannot read the {table} table ({shorten(str(e), 160)}); "
                f"{RECOVER_HINT}"
            ) from None
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


__all__ = [
    "TABLES",
    "ChunkProblem",
    "ResultsStore",
    "Verification",
    "atomic_write",
    "commit_record",
    "now_iso",
]
