"""The sweep coordinator: plan a design, skip what is done, run chunks, commit them.

:func:`plan` checks everything that can be checked before a single run
(parameters, key paths, design, results directory compatibility) and counts
the work; :func:`run_sweep` executes a plan. :func:`sim.sweep.sweep` is the
one-call API over both.

Runs are grouped by :func:`sim.world.structure_key` (a swept alignment rule or
``stochastic`` flag changes the structure; numbers never do) and cut into
chunks of at most ``chunk_size`` runs; each chunk runs as one ensemble.
Which chunk a run lands in does not change its numbers: its random stream
comes from the root seed and its own run key.
"""

from __future__ import annotations

import gc
import hashlib
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from sim import __version__
from sim.errors import InputError, shorten
from sim.records import CADENCES
from sim.safeio import check_output_dir
from sim.scenario import (
    CURRENCIES,
    Scenario,
    apply_overrides,
    default_scenario_path,
    load_raw,
    validate_data,
)
from sim.sweep.chunk import ChunkOutput, ChunkTask, Structure, failed_output, run_chunk
from sim.sweep.design import Design, Param, RunSpec, build_design, check_keys, parse_param
from sim.sweep.executors import (
    Executor,
    WorkerLost,
    check_not_bootstrapping,
    default_workers,
    make_executor,
)
from sim.sweep.store import FORMAT, ResultsStore, Verification, now_iso
from sim.world import region_of, rivalry_of, structure_key

#: Largest chunk (runs per ensemble): bounds each worker's memory.
MAX_CHUNK = 256
#: Smallest automatic chunk: below ~64 runs an ensemble's fixed costs dominate (about
#: 20 ms per run at 16 runs, 7 ms at 64, 5 ms at 128 for the article's scenario).
MIN_CHUNK = 64
#: Chunks per worker the automatic chunk size aims for (load balance vs ensemble size).
CHUNKS_PER_WORKER = 8

ProgressCallback = Callable[[int, int, int], None]
"""``progress(done, total, failed)``: called after each committed chunk."""


# --------------------------------------------------------------------------- plan


@dataclass
class SweepPlan:
    """Everything decided before running: the design, the work left, where it goes.

    Attributes:
        base: Raw scenario data (``extends`` resolved, fixed overrides applied).
        scenario: The base scenario, validated.
        design: The design.
        out: The results directory.
        record: Time-series cadence.
        groups: Run key -> structure group id.
        done: Run key -> status, for runs of this design already in ``out``.
        todo: Runs still to do, in design order.
        chunk_size: Runs per chunk.
        workers: Workers of the chosen executor (an estimate for Dask clusters).
        manifest: The manifest this sweep will write.
    """

    base: dict[str, Any]
    scenario: Scenario
    design: Design
    out: Path
    record: str
    groups: dict[int, str]
    done: dict[int, str]
    todo: list[RunSpec]
    chunk_size: int
    workers: int
    manifest: dict[str, Any]
    structure: Structure
    source: str
    retry_failed: bool = False
    estimate: dict[str, float] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Distinct runs in the design (points x replicates, duplicates once)."""
        return len(self.design.unique_keys())

    @property
    def n_done(self) -> int:
        return len(self.done)

    @property
    def n_todo(self) -> int:
        return len(self.todo)

    @property
    def n_chunks(self) -> int:
        return sum(1 for _ in self.chunks())

    def chunks(self) -> Iterator[list[RunSpec]]:
        """The todo runs cut into chunks, one structure group at a time."""
        by_group: dict[str, list[RunSpec]] = {}
        for r in self.todo:
            by_group.setdefault(self.groups[r.key], []).append(r)
        for runs in by_group.values():
            for i in range(0, len(runs), self.chunk_size):
                yield runs[i : i + self.chunk_size]

    def describe(self) -> str:
        """A few lines for ``--dry-run`` and logs."""
        d = self.design
        params = ", ".join(f"{shorten(p.key)}={shorten(p.spec)}" for p in d.params) or "(none)"
        lines = [
            f"scenario: {self.scenario.name} ({self.source}, "
            f"hash {self.manifest['scenario']['hash']})",
            f"design: {d.kind}, {d.n_points} points x {d.replicates} replicates; "
            f"parameters: {params}",
            f"runs: {self.n_runs} in the design, {self.n_done} already done in {self.out}, "
            f"{self.n_todo} to run"
            + (f" ({self.n_chunks} chunks of up to {self.chunk_size})" if self.n_todo else ""),
        ]
        if self.estimate:
            e = self.estimate
            lines.append(
                f"estimate: about {_duration(e['seconds'])} on {self.workers} worker"
                f"{'s' if self.workers != 1 else ''} "
                f"({e['ms_per_run']:.1f} ms per run measured on a {int(e['calibration_runs'])}-run "
                f"ensemble, {self.scenario.months} months, {self.record} records)"
            )
        return "\n".join(lines)


def _duration(s: float) -> str:
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def _raw_from_scenario(sc: Scenario) -> dict[str, Any]:
    """Raw data of a Scenario object (money written back as text), checked by round trip."""

    def fix(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: fix(v) for k, v in x.items()}
        if isinstance(x, list):
            return [fix(v) for v in x]
        if (
            isinstance(x, tuple)
            and len(x) == 2
            and isinstance(x[0], float)
            and (x[1] is None or x[1] in CURRENCIES)
        ):
            return x[0] if x[1] is None else f"{x[0]!r} m {x[1]}"
        if isinstance(x, tuple):
            return [fix(v) for v in x]
        return x

    raw = fix(sc.model_dump(by_alias=True))
    try:
        same = validate_data(apply_overrides(raw, [])).content_hash() == sc.content_hash()
    except InputError:
        same = False
    if not same:
        raise InputError(
            f"scenario {sc.name!r}: cannot turn this Scenario object back into scenario data; "
            "expected a path to its YAML file instead"
        )
    return raw


def _load_base(
    scenario: Scenario | str | Path | None,
    fixed: Sequence[str],
    months: int | None,
    allow_extends: Sequence[str | Path] | None = None,
) -> tuple[dict[str, Any], Scenario, str]:
    overrides = list(fixed)
    if months is not None:
        if months < 1:
            raise InputError(f"--months must be >= 1, got {months}")
        overrides.append(f"months={int(months)}")
    if isinstance(scenario, Scenario):
        raw = _raw_from_scenario(scenario)
        source = f"Scenario {scenario.name!r}"
    else:
        path = Path(scenario) if scenario is not None else default_scenario_path()
        raw = load_raw(path, allow_extends=allow_extends)
        source = str(path)
    base = apply_overrides(raw, overrides)
    sc = validate_data(base, source=source)
    return base, sc, source


def _group_runs(base: dict[str, Any], design: Design, sc: Scenario) -> dict[int, str]:
    """Run key -> structure group: numbers never change a structure, words and flags may."""
    words = [p.key for p in design.params if p.kind != "number"]
    default = structure_key(sc)
    groups: dict[int, str] = {}
    combo_key: dict[tuple[Any, ...], str] = {}
    for point, keys in zip(design.points, design.keys, strict=True):
        combo = tuple(point[k] for k in words)
        if combo not in combo_key:
            if not words:
                combo_key[combo] = default
            else:
                try:
                    overs = [o for o in _overrides(point) if o.split("=", 1)[0] in words]
                    psc = validate_data(apply_overrides(base, overs))
                    combo_key[combo] = structure_key(psc)
                except InputError:  # fails in its worker too, with the message
                    combo_key[combo] = f"invalid-{len(combo_key)}"
        for k in keys:
            groups[k] = combo_key[combo]
    return groups


def _overrides(point: dict[str, Any]) -> list[str]:
    from sim.sweep.design import overrides_for

    return overrides_for(point)


def _structure(sc: Scenario) -> Structure:
    riv = rivalry_of(sc)
    return Structure(
        actors=tuple(sc.actors),
        patrons=tuple(sc.patrons),
        blocs=tuple(sc.blocs),
        region=tuple(region_of(sc)),
        rivalry=tuple(riv) if riv else None,  # type: ignore[arg-type]
    )


def _compatible(old: dict[str, Any], new: dict[str, Any], out: Path) -> None:
    """Refuse to mix sweeps that would not be comparable in one directory."""
    checks = [
        ("scenario hash", old["scenario"]["hash"], new["scenario"]["hash"]),
        ("record cadence", old["record"], new["record"]),
        ("root seed", old["root_seed"], new["root_seed"]),
        ("common random numbers", old.get("crn", False), new["crn"]),
        ("swept keys", sorted(old["param_kinds"]), sorted(new["param_kinds"])),
        ("package version", old["version"], new["version"]),
    ]
    for what, a, b in checks:
        if a != b:
            raise InputError(
                f"--out {out} holds a sweep with {what} {a!r}, but this sweep has {b!r}; "
                "expected the same scenario, --set overrides, --record, --seed, swept keys and "
                "greatgame version to extend it (or choose another --out)"
            )
    for k, kind in new["param_kinds"].items():
        if old["param_kinds"][k] != kind:
            raise InputError(
                f"--out {out}: parameter {k} held {old['param_kinds'][k]} values there but "
                f"{kind} values here; expected the same kind (or choose another --out)"
            )


def plan(
    scenario: Scenario | str | Path | None = None,
    params: Sequence[str | Param] = (),
    *,
    design: str = "grid",
    samples: int | None = None,
    replicates: int = 1,
    levels: int = 4,
    seed: int | None = None,
    set: Sequence[str] = (),
    months: int | None = None,
    record: str = "monthly",
    out: str | Path | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    crn: bool = False,
    estimate: bool = False,
    allow_extends: Sequence[str | Path] | None = None,
) -> SweepPlan:
    """Check a sweep and count its work, without running or writing anything.

    Args: see :func:`sim.sweep.sweep`.

    Raises:
        InputError: any problem with the scenario, parameters, design or results directory.
    """
    if record not in CADENCES:
        raise InputError(f"--record must be monthly, yearly or final, got {record!r}")
    if chunk_size is not None and chunk_size < 1:
        raise InputError(f"--chunk-size must be >= 1, got {chunk_size}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    base, sc, source = _load_base(scenario, set, months, allow_extends)
    parsed = [p if isinstance(p, Param) else parse_param(p) for p in params]
    check_keys(base, parsed)
    root = int(sc.seed if seed is None else seed)
    des = build_design(
        parsed, kind=design, samples=samples, replicates=replicates, levels=levels, root_seed=root
    )
    st = _structure(sc)
    out_path = Path(out) if out is not None else Path("out") / f"sweep-{sc.name}"
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": "greatgame-sweep",
        "version": __version__,
        "scenario": {
            "name": sc.name,
            "source": source,
            "hash": sc.content_hash(),
            "fixed_overrides": list(set),
            "months": sc.months,
            "start": sc.start,
        },
        "record": record,
        "root_seed": root,
        "crn": bool(crn),
        "seeds": (
            "SeedSequence(entropy=root_seed, spawn_key=(replicate,)) (common random numbers)"
            if crn
            else "SeedSequence(entropy=root_seed, spawn_key=(run,)) for each run key"
        ),
        "design": des.to_json(),
        "param_kinds": {p.key: p.kind for p in des.params},
        "structure": {
            "actors": list(st.actors),
            "patrons": list(st.patrons),
            "blocs": list(st.blocs),
            "region": list(st.region),
            "rivalry": list(st.rivalry) if st.rivalry else None,
        },
    }
    check_output_dir(out_path)
    store = ResultsStore(out_path)
    done_all: dict[int, str] = {}
    if store.exists():
        old = store.manifest()
        _compatible(old, manifest, out_path)
        manifest["created"] = old.get("created")
        done_all = store.done()
    elif out_path.exists() and (not out_path.is_dir() or any(out_path.iterdir())):
        raise InputError(
            f"--out {out_path} exists and is not a sweep results directory; "
            "expected a new or empty directory, or one written by `greatgame sweep`"
        )
    groups = _group_runs(base, des, sc)
    wanted = des.unique_keys()
    done = {k: s for k, s in done_all.items() if k in wanted}
    if retry_failed:
        done = {k: s for k, s in done.items() if s == "ok"}
    todo = [r for r in des.runs() if r.key not in done]
    w = workers or default_workers()
    if chunk_size is None:
        per_worker = math.ceil(len(todo) / (w * CHUNKS_PER_WORKER))
        chunk_size = max(1, min(MAX_CHUNK, max(per_worker, min(len(todo), MIN_CHUNK))))
    p = SweepPlan(
        base=base,
        scenario=sc,
        design=des,
        out=out_path,
        record=record,
        groups=groups,
        done=done,
        todo=todo,
        chunk_size=chunk_size,
        workers=w,
        manifest=manifest,
        structure=st,
        source=source,
        retry_failed=retry_failed,
    )
    if estimate and todo:
        p.estimate = calibrate(p)
    return p


def calibrate(p: SweepPlan, *, runs: int = 64) -> dict[str, float]:
    """Time a small ensemble of the plan's first runs (model + encoding) to estimate the sweep."""
    sample = p.todo[: min(runs, p.chunk_size, p.n_todo)]
    group = p.groups[sample[0].key]
    sample = [r for r in sample if p.groups[r.key] == group]
    task = _task(p, sample, hooks=())
    t0 = time.perf_counter()
    out = run_chunk(task)
    seconds = time.perf_counter() - t0
    per_run = seconds / max(1, len(sample))
    # per-run cost falls with ensemble size up to ~100 runs; the calibration ensemble is smaller
    ensemble_gain = 1.0 if len(sample) >= p.chunk_size else 0.85
    startup = 0.0 if p.workers == 1 else 1.0
    total = startup + p.n_todo * per_run * ensemble_gain / (p.workers * 0.9)
    return {
        "ms_per_run": 1000 * per_run,
        "calibration_runs": float(len(sample)),
        "seconds": total,
        "calibration_failed": float(out.n_failed),
    }


def _chunk_id(runs: Sequence[RunSpec]) -> str:
    blob = ",".join(str(k) for k in sorted(r.key for r in runs))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _task(p: SweepPlan, runs: Sequence[RunSpec], hooks: Sequence[Callable[..., None]]) -> ChunkTask:
    return ChunkTask(
        chunk_id=_chunk_id(runs),
        base=p.base,
        runs=tuple(runs),
        root_seed=p.manifest["root_seed"],
        record=p.record,
        param_kinds=p.manifest["param_kinds"],
        structure=p.structure,
        hooks=tuple(hooks),
        crn=bool(p.manifest["crn"]),
    )


# --------------------------------------------------------------------------- run


@dataclass
class SweepStats:
    """What a call to :func:`run_sweep` did."""

    runs_total: int
    runs_done_before: int
    runs_run: int = 0
    runs_failed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    executor: str = ""
    workers: int = 0
    quarantined: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def runs_per_second(self) -> float:
        return self.runs_run / self.seconds if self.seconds > 0 else 0.0


def _design_table(des: Design) -> pa.Table:
    cols: dict[str, Any] = {"point": [], "replicate": [], "run": []}
    for p in des.params:
        cols[p.key] = []
    for i, (pt, keys) in enumerate(zip(des.points, des.keys, strict=True)):
        for r, k in enumerate(keys):
            cols["point"].append(i)
            cols["replicate"].append(r)
            cols["run"].append(k)
            for par in des.params:
                v = pt[par.key]
                cols[par.key].append(
                    float(v) if par.kind == "number" else (v if par.kind == "bool" else str(v))
                )
    types = {"number": pa.float64(), "bool": pa.bool_(), "string": pa.string()}
    schema = pa.schema(
        [
            pa.field("point", pa.int64()),
            pa.field("replicate", pa.int32()),
            pa.field("run", pa.int64()),
            *[pa.field(p.key, types[p.kind]) for p in des.params],
        ]
    )
    return pa.table([pa.array(cols[f.name], type=f.type) for f in schema], schema=schema)


def run_sweep(
    p: SweepPlan,
    *,
    executor: Executor | None = None,
    hooks: Sequence[Callable[..., None]] = (),
    progress: ProgressCallback | None = None,
    on_commit: Callable[[ChunkOutput], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> SweepStats:
    """Execute a plan: write the manifest and design, run the todo chunks, commit each.

    Before running, the committed chunks are verified (see :mod:`sim.sweep.store`): a
    damaged chunk is set aside in ``quarantine/`` and its runs run again.

    Args:
        p: The plan (:func:`plan`).
        executor: Where to run (default: a process pool of ``p.workers``).
        hooks: Per-month model hooks (picklable module-level functions).
        progress: ``progress(done, total, failed)`` after each committed chunk.
        on_commit: Called with each committed chunk's output (tests, logging).
        warn: Called with each warning (a damaged chunk set aside, a foreign file in a table
            directory); default :func:`warnings.warn`. They are also in ``stats.warnings``.
    """
    check_not_bootstrapping()
    store = ResultsStore(p.out)
    store.open_for_writing()
    # objects that exist now outlive the sweep: exclude them from the collections after each
    # chunk run here (serially, or while the pool starts); given back to the collector at the end
    gc.freeze()
    stats = SweepStats(runs_total=p.n_runs, runs_done_before=p.n_done)
    t0 = time.perf_counter()
    try:
        # under the lock: what is really committed now (another sweep may have finished since)
        store.recover()
        check = store.verify()
        notes = _verification_notes(store, check, p.out)
        stats.quarantined = len(check.problems)
        stats.warnings += notes
        for note in notes:
            if warn is not None:
                warn(note)
            else:
                warnings.warn(note, stacklevel=2)
        if p.retry_failed:
            store.drop_failed()
        done_now = store.done() if p.retry_failed or check.problems else check.done
        wanted = p.design.unique_keys()
        p.done = {k: s for k, s in done_now.items() if k in wanted}
        p.todo = [r for r in p.design.runs() if r.key not in p.done]
        stats.runs_done_before = p.n_done
        p.manifest["updated"] = now_iso()
        p.manifest.setdefault("created", None)
        p.manifest["created"] = p.manifest["created"] or p.manifest["updated"]
        store.write_json("manifest.json", p.manifest)
        store.write_json("scenario.json", p.base)
        store.write_table("design.parquet", _design_table(p.design))
        if progress:
            progress(0, p.n_todo, 0)
        if not p.todo:
            return stats
        own = executor is None
        ex = executor or make_executor(workers=p.workers)
        stats.executor, stats.workers = ex.name, ex.workers
        try:
            chunks = (_task(p, runs, hooks) for runs in p.chunks())
            exhausted = False
            while True:
                while not exhausted and ex.wants_more():
                    nxt = next(chunks, None)
                    if nxt is None:
                        exhausted = True
                    else:
                        ex.submit(nxt)
                if not ex.busy():
                    break
                task, result = ex.next_done()
                if isinstance(result, WorkerLost):
                    if len(task.runs) > 1:  # find the run(s) that kill their worker
                        for r in reversed(task.runs):
                            ex.submit_first(_task(p, [r], hooks))
                        continue
                    result = failed_output(task, str(result))
                store.commit(result)
                stats.chunks += 1
                stats.runs_run += result.n_ok + result.n_failed
                stats.runs_failed += result.n_failed
                if on_commit:
                    on_commit(result)
                if progress:
                    progress(stats.runs_run, p.n_todo, stats.runs_failed)
        except BaseException:
            if own:
                ex.close(cancel=True)
            raise
        else:
            if own:
                ex.close()
    finally:
        stats.seconds = time.perf_counter() - t0
        store.close()
        gc.unfreeze()
    return stats


def _verification_notes(store: ResultsStore, check: Verification, out: Path) -> list[str]:
    """Set damaged chunks aside (quarantine) and say so; name the foreign files."""
    notes = []
    if check.problems:
        where = store.quarantine(check.problems)
        for prob in check.problems:
            if prob.runs is None:
                again = "its runs run again"
            else:
                n = len(prob.runs - check.done.keys())
                again = f"{n} of its runs run again" if n else "its runs are in other chunks"
            notes.append(
                f"chunk {prob.chunk} in {out} is damaged ({prob.reason}): its files are set "
                f"aside in {where}, and {again}"
            )
    for f in check.foreign:
        notes.append(
            f"{f} was not written by the sweep: it is left alone, but "
            f"pandas.read_parquet('{f.parent}') and DuckDB read every file there; move it out "
            f"of {out}"
        )
    return notes


# --------------------------------------------------------------------------- progress


class RichProgress:
    """A rich progress bar with ETA on stderr (disabled when stderr is not a terminal).

    Use as a context manager; pass the instance as ``progress=``.
    """

    def __init__(self, description: str = "sweep", *, force: bool | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        enabled = console.is_terminal or console.is_jupyter if force is None else force
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            TextColumn("{task.fields[failed]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self._task = self._progress.add_task(description, total=None, failed="")

    def __call__(self, done: int, total: int, failed: int) -> None:
        self._progress.update(
            self._task,
            completed=done,
            total=total,
            failed=f"({failed} failed)" if failed else "",
        )

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


__all__ = [
    "RichProgress",
    "SweepPlan",
    "SweepStats",
    "calibrate",
    "plan",
    "run_sweep",
]
