"""Calibration against documented patterns: ABC-SMC (pyabc) on the model's run axis.

``greatgame calibrate SCENARIO PATTERNS --out DIR`` fits the parameters a patterns file
names (:mod:`sim.patterns`) to the patterns it judges before ``calibration_until``, by
approximate Bayesian computation with sequential Monte Carlo (Toni et al. 2009; Beaumont
et al. 2009; Klinger, Rickert & Hasenauer 2018, *pyABC*). The distance of a parameter set
is its mean pattern misfit over replicates; each generation keeps the particles within an
adaptive threshold (the median distance of the previous one).

The run axis: pyabc's samplers run one model per particle. :class:`RunAxisSampler` keeps
pyabc's own algorithm (its proposals, kernels, weights, thresholds and History) but
draws a whole batch of proposals with pyabc's :func:`generate_valid_proposal`, simulates
them as rows of one ensemble (:func:`simulate`, chunked over a process pool or Dask), and
then lets pyabc's :func:`evaluate_proposal` judge each one against the cached result. Each
particle runs ``replicates`` seeds, the same for every particle (common random numbers),
so a particle's numbers never depend on its batch, its chunk or the executor.

Resumable: every finished generation is in pyabc's History (``abc.db``, SQLite) and each
generation's proposals are drawn from a stream seeded by the calibration's seed and the
generation, so a killed calibration resumes from its last finished generation and ends
with the same posterior as an uninterrupted one. Memory stays flat: particles keep their
pattern misfits, never time series.

Outputs (``--out DIR``): ``posterior.parquet`` (one row per particle of the last
generation: weight, distance, parameters), ``hit_rates.csv`` (per pattern, the weighted
share of posterior runs within tolerance, calibration and validation windows),
``identifiability.csv`` (which parameters the patterns pin down), ``generations.csv``,
``marginals.png``, ``pairs.png``, ``calibration.md``, ``manifest.json``, ``abc.db``.

Example:
    >>> from sim.calibrate import calibrate
    >>> result = calibrate("central_asia_2016", "central_asia", out="out/cal",
    ...                    particles=200, generations=4)          # doctest: +SKIP
    >>> result.posterior.head()                                  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc.inference_util.inference_util import _simulate_one
from pyabc.parameters import Parameter
from pyabc.population import Particle
from pyabc.sampler import Sampler

from sim.errors import InputError
from sim.patterns import PatternHook, PatternSpec, Prior, load_patterns

__all__ = [
    "CalibrationResult",
    "RunAxisSampler",
    "calibrate",
    "identifiability",
    "simulate",
]

#: Particles simulated together in one chunk of the run axis (times the replicates).
CHUNK_PARTICLES = 250


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Job:
    """What a worker needs to simulate a chunk of particles (picklable)."""

    spec: PatternSpec
    seeds: tuple[int, ...]
    params: tuple[dict[str, float], ...]


def _scenario(job: Job, values: dict[str, float]) -> Any:
    from sim.scenario import with_values

    sc = with_values(job.spec.scenario, values)
    # the landscape prediction only observes: patterns never read it
    return sc.model_copy(
        update={"parameters": sc.parameters.model_copy(update={"landscape": None})}
    )


def run_job(job: Job) -> tuple[np.ndarray, np.ndarray]:
    """Simulate a chunk: ``(misfit, hit)`` arrays ``(particles, patterns)``, means over replicates.

    A parameter set the scenario refuses (a value out of its range) gets an infinite misfit
    and no hit: the sampler then rejects it, as a prior of zero density would.
    """
    from sim.model import InfluenceModel

    P = len(job.spec.patterns)
    R = len(job.seeds)
    misfit = np.full((len(job.params), P), np.inf)
    hit = np.zeros((len(job.params), P))
    good: list[int] = []
    scenarios = []
    for i, values in enumerate(job.params):
        try:
            scenarios.append(_scenario(job, values))
            good.append(i)
        except InputError:
            continue
    if not good:
        return misfit, hit
    hook = PatternHook(job.spec)
    model = InfluenceModel(
        [sc for sc in scenarios for _ in range(R)],
        seeds=list(job.seeds) * len(scenarios),
        record="final",
        hooks=[hook],
        collect=False,
    )
    model.run()
    m = hook.misfits().reshape(len(scenarios), R, P)
    misfit[good] = m.mean(axis=1)
    hit[good] = (m == 0).mean(axis=1)
    return misfit, hit


class Executor:
    """Runs :class:`Job` chunks: in this process, a process pool or a Dask cluster."""

    def __init__(
        self, *, workers: int = 1, dask: bool = False, scheduler: str | None = None
    ) -> None:
        self.workers = max(1, int(workers))
        self._pool: Any = None
        self._client: Any = None
        self._cluster: Any = None
        if dask or scheduler:
            from sim.sweep.executors import import_distributed

            distributed = import_distributed()
            if scheduler:
                self._client = distributed.Client(scheduler, timeout=30)
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None,
                )  # fmt: skip
                self._client = distributed.Client(self._cluster)
        elif self.workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            from sim.sweep.executors import process_context

            self._pool = ProcessPoolExecutor(self.workers, mp_context=process_context())

    @property
    def kind(self) -> str:
        if self._client is not None:
            return "dask"
        return "processes" if self._pool is not None else "serial"

    def map(self, jobs: Sequence[Job]) -> list[tuple[np.ndarray, np.ndarray]]:
        if self._client is not None:
            futures = self._client.map(run_job, list(jobs), pure=False)
            return list(self._client.gather(futures))
        if self._pool is not None:
            return list(self._pool.map(run_job, jobs))
        return [run_job(j) for j in jobs]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def simulate(
    spec: PatternSpec,
    params: Sequence[dict[str, float]],
    *,
    seeds: Sequence[int],
    executor: Executor | None = None,
    chunk: int = CHUNK_PARTICLES,
) -> tuple[np.ndarray, np.ndarray]:
    """Every parameter set's mean misfit and hit rate per pattern, over ``seeds``.

    The parameter sets run as rows of the run axis, ``chunk`` of them (times the seeds)
    per ensemble, the chunks in parallel on ``executor``. The results do not depend on
    the chunking or the executor.

    Returns:
        ``(misfit, hit)``: ``(len(params), patterns)`` each, patterns in file order.
    """
    jobs = [
        Job(spec, tuple(int(s) for s in seeds), tuple(params[i : i + chunk]))
        for i in range(0, len(params), chunk)
    ]
    ex = executor or Executor()
    out = ex.map(jobs)
    if not out:
        P = len(spec.patterns)
        return np.zeros((0, P)), np.zeros((0, P))
    return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])


# --------------------------------------------------------------------------- pyabc glue


def _quiet_pyabc() -> None:
    """pyabc logs every generation at INFO; the command line shows its own progress."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("ABC", "pyabc")):
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ABC").setLevel(logging.WARNING)
    # pyabc compares the first generation's threshold (inf) with the last (inf): inf - inf
    # warns, harmlessly, and would be the only line a calibration prints to stderr
    warnings.filterwarnings(
        "ignore",
        message="invalid value encountered in scalar subtract",
        category=RuntimeWarning,
        module=r"pyabc\.",
    )


class CachedModel(pyabc.Model):  # type: ignore[misc]
    """A pyabc model whose results were simulated in a batch beforehand (keyed by object)."""

    def __init__(self) -> None:
        super().__init__(name="greatgame")
        self.cache: dict[int, dict[str, np.ndarray]] = {}

    def sample(self, pars: Any) -> dict[str, np.ndarray]:
        return self.cache[id(pars)]


def _distance(x: dict[str, np.ndarray], x_0: dict[str, np.ndarray]) -> float:
    """The mean misfit over the calibration patterns (0: every pattern within tolerance)."""
    return float(np.mean(x["calibration_misfit"]))


class RunAxisSampler(Sampler):  # type: ignore[misc]
    """A pyabc sampler that simulates each batch of proposals as rows of one ensemble.

    pyabc's ABC-SMC runs as usual (its populations, its transition kernel fitted to the
    last population, its adaptive threshold, its acceptor and History); this sampler
    changes only how a generation's particles are produced. It draws a batch of
    proposals at once (from the uniform prior in generation 0, later from pyabc's
    transition kernel, ``transition.rvs(size)``, keeping those of positive prior density,
    as :func:`pyabc.inference_util.generate_valid_proposal` does one at a time),
    simulates the batch as rows of one ensemble, lets pyabc's model judge each particle
    (distance, acceptance), and gives the accepted ones pyabc's importance weight,
    prior density over the kernel's density, computed for the whole batch with the
    kernel's vectorised ``pdf``. Each call of each generation draws from its own stream
    (the calibration's seed, the generation, the call), so a resumed calibration draws
    what an uninterrupted one would.

    Args:
        batch: Simulates parameter sets: ``values -> (misfit, hit)`` (see :func:`simulate`).
        priors: The calibrated parameters with their uniform priors, in the prior's order.
        cal_index: Which patterns (columns of ``misfit``) calibrate.
        seed: The calibration's root seed.
        on_batch: Called with (accepted, evaluated) after each batch (progress).
    """

    def __init__(
        self,
        batch: Callable[[list[dict[str, float]]], tuple[np.ndarray, np.ndarray]],
        priors: Sequence[Prior],
        cal_index: Sequence[int],
        *,
        seed: int,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.batch = batch
        self.keys = [p.key for p in priors]
        self.low = np.array([p.low for p in priors])
        self.high = np.array([p.high for p in priors])
        self.prior_density = float(np.prod(1.0 / (self.high - self.low)))
        self.cal_index = np.asarray(cal_index, dtype=int)
        self.seed = int(seed)
        self.on_batch = on_batch
        self.calls: dict[int, int] = {}

    def _seed(self, t: int) -> None:
        k = self.calls.get(t, 0)
        self.calls[t] = k + 1
        ss = np.random.SeedSequence([self.seed, t + 10, k])
        # pyabc's kernels draw from numpy's global generator: seed that one
        np.random.seed(ss.generate_state(4))  # noqa: NPY002

    def _draw(self, transition: Any, k: int) -> pd.DataFrame:
        """``k`` proposals of positive prior density (in bounds), as a frame of key paths."""
        if transition is None:  # generation 0: the uniform prior
            u = np.random.random((k, len(self.keys)))  # noqa: NPY002
            return pd.DataFrame(self.low + u * (self.high - self.low), columns=self.keys)
        frames: list[pd.DataFrame] = []
        have = 0
        for _ in range(1000):
            df = transition.rvs(size=max(2 * (k - have), 16))[self.keys]
            x = df.to_numpy()
            ok = ((x >= self.low) & (x <= self.high)).all(axis=1)
            frames.append(df[ok])
            have += int(ok.sum())
            if have >= k:
                break
        return pd.concat(frames).iloc[:k].reset_index(drop=True)

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Any,
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        self._seed(t)
        kw = dict(simulate_one.keywords)
        if simulate_one.func is not _simulate_one or not kw.get("evaluate", True):
            raise RuntimeError("RunAxisSampler supports pyabc's plain ABC-SMC generations only")
        if len(kw["parameter_priors"]) != 1:
            raise RuntimeError("RunAxisSampler supports one model only")
        transition = kw["transitions"][0] if kw["t"] > 0 else None
        model = kw["models"][0]
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        rate = 1.0 if transition is None else 0.5
        while accepted < n and evaluated < max_eval:
            k = int(min(max(math.ceil((n - accepted) / max(rate, 0.02) * 1.2), 16), 20 * n))
            df = self._draw(transition, k)
            thetas = [Parameter(row) for row in df.to_dict("records")]
            misfit, hit = self.batch([dict(th) for th in thetas])
            model.cache = {
                id(th): {
                    "calibration_misfit": misfit[i, self.cal_index],
                    "misfit": misfit[i],
                    "hit": hit[i],
                }
                for i, th in enumerate(thetas)
            }
            kept: list[Any] = []
            for theta in thetas:
                # pyabc's own judgement: summary statistics, distance, acceptance
                res = model.accept(
                    kw["t"], theta, kw["summary_statistics"], kw["distance_function"],
                    kw["eps"], kw["acceptor"], kw["x_0"],
                )  # fmt: skip
                particle = Particle(
                    m=0, parameter=theta, weight=res.weight if res.accepted else 0.0,
                    sum_stat=res.sum_stat, distance=res.distance, accepted=res.accepted,
                    preliminary=False, proposal_id=kw["proposal_id"],
                )  # fmt: skip
                evaluated += 1
                sample.append(particle)
                if res.accepted:
                    kept.append(particle)
                    accepted += 1
                    if accepted >= n:
                        break
            if kept and transition is not None:
                # importance weights: prior density over the kernel's mixture density
                dens = np.atleast_1d(
                    transition.pdf(pd.DataFrame([dict(p.parameter) for p in kept]))
                )
                for particle, d in zip(kept, dens, strict=True):
                    particle.weight = particle.weight * self.prior_density / float(d)
            rate = max(len(kept) / max(len(thetas), 1), 1.0 / (20 * n))
            model.cache = {}
            if self.on_batch is not None:
                self.on_batch(accepted, evaluated)
        self.nr_evaluations_ = evaluated
        return sample


# --------------------------------------------------------------------------- the run


@dataclass
class CalibrationResult:
    """A finished (or stopped) calibration's outputs (see the module docstring)."""

    out: Path
    posterior: pd.DataFrame
    hit_rates: pd.DataFrame
    identifiability: pd.DataFrame
    generations: pd.DataFrame
    files: list[Path] = field(default_factory=list)


def _fingerprint(spec: PatternSpec, settings: dict[str, Any]) -> dict[str, Any]:
    text = spec.path.read_text(encoding="utf-8")
    return {
        "scenario": spec.scenario.name,
        "scenario_hash": spec.scenario.content_hash(),
        "patterns": spec.name,
        "patterns_hash": hashlib.sha256(text.encode()).hexdigest()[:16],
        "parameters": [p.key for p in spec.priors],
        **settings,
    }


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def calibrate(
    scenario: Any,
    patterns: str | Path,
    *,
    out: str | Path,
    particles: int = 1000,
    generations: int = 10,
    replicates: int = 2,
    seed: int = 0,
    workers: int = 1,
    dask: bool = False,
    scheduler: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    stop_after: int | None = None,
) -> CalibrationResult:
    """Calibrate ``scenario``'s parameters named in ``patterns`` (see the module docstring).

    Args:
        scenario: The scenario (file, shipped name or Scenario); None: the one the file names.
        patterns: The patterns file (or a shipped name, ``central_asia``).
        out: Output directory; an unfinished calibration there resumes.
        particles: Population size per generation.
        generations: Generations in all (resuming counts the finished ones).
        replicates: Seeds per particle (``seed .. seed + replicates - 1``, the same for all).
        seed: Root seed of the proposals and the replicates.
        workers: Processes (or Dask workers) simulating chunks.
        dask, scheduler: Run chunks on a local Dask cluster or at a scheduler's address.
        progress: Called after each batch and generation with a dict of figures.
        stop_after: Stop after this many generations in this call (tests of resuming).

    Raises:
        InputError: a bad patterns file, a bad option, or an output directory holding
            another calibration (one sentence; nothing there is changed).
    """
    _quiet_pyabc()
    if particles < 10:
        raise InputError(f"--particles must be at least 10, got {particles}")
    if generations < 1:
        raise InputError(f"--generations must be at least 1, got {generations}")
    if replicates < 1:
        raise InputError(f"--replicates must be at least 1, got {replicates}")
    if seed < 0:
        raise InputError(f"--seed must be >= 0, got {seed}")
    spec = load_patterns(patterns, scenario=scenario)
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file; expected a directory (created if missing)")
    settings = {"particles": particles, "replicates": replicates, "seed": seed}
    fingerprint = _fingerprint(spec, settings)
    manifest_path = out_dir / "manifest.json"
    db = out_dir / "abc.db"
    resume = manifest_path.is_file() and db.is_file()
    if resume:
        old = json.loads(manifest_path.read_text())
        if old.get("fingerprint") != fingerprint:
            raise InputError(
                f"--out {out_dir} holds another calibration (its scenario, patterns or settings "
                "differ); expected an empty directory or the same calibration to resume"
            )
    elif out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(
            f"--out {out_dir} is not empty and holds no calibration; expected an empty or new "
            "directory (nothing there was changed)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = [p.key for p in spec.priors]
    prior = pyabc.Distribution(
        **{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in spec.priors}
    )
    cal_index = [i for i, p in enumerate(spec.patterns) if p.window == "calibration"]
    seeds = [seed + r for r in range(replicates)]
    executor = Executor(workers=workers, dask=dask, scheduler=scheduler)
    state: dict[str, Any] = {"t": 0, "evaluated": 0, "started": time.perf_counter()}

    def batch(values: list[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        return simulate(spec, values, seeds=seeds, executor=executor)

    def on_batch(accepted: int, evaluated: int) -> None:
        if progress is not None:
            progress({"event": "batch", "generation": state["t"], "accepted": accepted,
                      "evaluated": evaluated, "particles": particles})  # fmt: skip

    sampler = RunAxisSampler(batch, spec.priors, cal_index, seed=seed, on_batch=on_batch)
    abc = pyabc.ABCSMC(
        CachedModel(),
        prior,
        _distance,
        population_size=particles,
        sampler=sampler,
        # generation 0 keeps its prior sample whole; each later one the better half
        eps=pyabc.QuantileEpsilon(initial_epsilon=np.inf, alpha=0.5),
    )
    x0 = {
        "calibration_misfit": np.zeros(len(cal_index)),
        "misfit": np.zeros(len(spec.patterns)),
        "hit": np.ones(len(spec.patterns)),
    }
    url = f"sqlite:///{db.resolve()}"
    try:
        if resume:
            abc.load(url, 1)
            if abc.history.max_t >= 0:
                # pyabc would restart the threshold at its initial value (inf); an
                # uninterrupted run takes the last population's median distance: so do that
                abc.eps = pyabc.QuantileEpsilon(initial_epsilon="from_sample", alpha=0.5)
        else:
            abc.new(url, x0)
            _atomic_write(
                manifest_path,
                json.dumps({"fingerprint": fingerprint, "generations_done": 0}, indent=2).encode(),
            )
        done = abc.history.max_t + 1
        todo = generations - done
        if stop_after is not None:
            todo = min(todo, stop_after)
        if todo > 0:
            t0 = abc.initialize_components_before_run(
                minimum_epsilon=0.0, max_nr_populations=todo, min_acceptance_rate=0.0,
                max_total_nr_simulations=np.inf, max_walltime=None, min_eps_diff=0.0,
            )  # fmt: skip
            for t in range(t0, t0 + todo):
                state["t"] = t
                began = time.perf_counter()
                with np.errstate(invalid="ignore"):  # pyabc compares inf thresholds: inf - inf
                    ret = abc.run_generation(t=t)
                if not ret["successful"]:
                    break
                _record_generation(manifest_path, fingerprint, abc.history.max_t + 1)
                if progress is not None:
                    progress({
                        "event": "generation", "generation": t, "generations": generations,
                        "epsilon": float(abc.history.get_all_populations()["epsilon"].iloc[-1]),
                        "acceptance_rate": ret.get("acceptance_rate"),
                        "seconds": time.perf_counter() - began,
                    })  # fmt: skip
                if abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"]):
                    break
    finally:
        executor.close()
    return write_outputs(spec, abc.history, out_dir, keys=keys, fingerprint=fingerprint)


def _record_generation(path: Path, fingerprint: dict[str, Any], done: int) -> None:
    _atomic_write(
        path, json.dumps({"fingerprint": fingerprint, "generations_done": done}, indent=2).encode()
    )


# --------------------------------------------------------------------------- outputs


def _population(history: Any, keys: Sequence[str]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    df, w = history.get_distribution(m=0, t=history.max_t)
    pop = history.get_population(t=history.max_t)
    particles = pop.particles
    frame = df.reset_index(drop=True)[list(keys)].copy()
    frame.insert(0, "weight", np.asarray(w, dtype=float))
    frame.insert(1, "distance", [p.distance for p in particles])
    frame.insert(0, "particle", np.arange(len(frame)))
    frame.insert(1, "generation", history.max_t)
    stats = [p.sum_stat for p in particles]
    return frame, stats


def identifiability(posterior: pd.DataFrame, spec: PatternSpec) -> pd.DataFrame:
    """Which parameters the patterns pin down: posterior spread against the prior's.

    ``shrinkage = 1 - posterior sd / prior sd``: 0 means the patterns say nothing of the
    parameter (loose), 1 that they fix it. Verdicts: ``pinned`` (shrinkage >= 0.5),
    ``partly pinned`` (0.2-0.5), ``loose`` (< 0.2).
    """
    from sim.stats import weighted_quantile

    w = posterior["weight"].to_numpy()
    w = w / w.sum()
    rows = []
    for p in spec.priors:
        x = posterior[p.key].to_numpy()
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        prior_sd = (p.high - p.low) / math.sqrt(12.0)
        shrink = 1.0 - sd / prior_sd
        lo, med, hi = weighted_quantile(x, [0.05, 0.5, 0.95], w)
        rows.append(
            {
                "parameter": p.key,
                "prior_low": p.low,
                "prior_high": p.high,
                "posterior_median": med,
                "posterior_5": lo,
                "posterior_95": hi,
                "posterior_sd": sd,
                "prior_sd": prior_sd,
                "shrinkage": shrink,
                "verdict": "pinned"
                if shrink >= 0.5
                else ("partly pinned" if shrink >= 0.2 else "loose"),
            }
        )
    return pd.DataFrame(rows)


def _hit_rates(
    spec: PatternSpec, posterior: pd.DataFrame, stats: list[dict[str, Any]]
) -> pd.DataFrame:
    w = posterior["weight"].to_numpy()
    w = w / w.sum()
    hits = np.stack([np.asarray(s["hit"], dtype=float) for s in stats])
    rows = []
    for i, p in enumerate(spec.patterns):
        rows.append(
            {
                "pattern": p.name,
                "window": p.window,
                "statement": p.statement,
                "hit_rate": float(np.sum(w * hits[:, i])),
                "source": p.fields.source,
            }
        )
    return pd.DataFrame(rows)


def write_outputs(
    spec: PatternSpec, history: Any, out: Path, *, keys: Sequence[str], fingerprint: dict[str, Any]
) -> CalibrationResult:
    """Write the posterior, hit rates, identifiability, generations, figures and page."""
    import matplotlib

    matplotlib.use("Agg")
    posterior, stats = _population(history, keys)
    hit = _hit_rates(spec, posterior, stats)
    ident = identifiability(posterior, spec)
    pops = history.get_all_populations()
    gens = pd.DataFrame(
        {
            "generation": pops["t"].astype(int),
            "epsilon": pops["epsilon"].astype(float),
            "evaluations": pops["samples"].astype(int),
            "particles": pops["particles"].astype(int),
        }
    )
    gens = gens[gens["generation"] >= 0].reset_index(drop=True)
    files: list[Path] = []
    from sim.posterior import write_posterior

    files.append(write_posterior(posterior, out / "posterior.parquet", meta=fingerprint))
    for name, df in (("hit_rates", hit), ("identifiability", ident), ("generations", gens)):
        path = out / f"{name}.csv"
        _atomic_write(path, df.to_csv(index=False).encode())
        files.append(path)
    files += _figures(spec, posterior, out)
    page = out / "calibration.md"
    _atomic_write(page, render(spec, posterior, hit, ident, gens, fingerprint).encode())
    files.append(page)
    # written as the calibration ran: what it was fitted to, and pyabc's history (resuming)
    files += [p for p in (out / "manifest.json", out / "abc.db") if p.exists()]
    return CalibrationResult(out, posterior, hit, ident, gens, files)


def _figures(spec: PatternSpec, posterior: pd.DataFrame, out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    from sim.labels import label, wrap

    keys = [p.key for p in spec.priors]
    w = posterior["weight"].to_numpy()
    n = len(keys)
    cols = min(4, n)
    rows_ = math.ceil(n / cols)
    fig, axes = plt.subplots(rows_, cols, figsize=(3.3 * cols, 2.6 * rows_), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, p in zip(axes.ravel(), spec.priors, strict=False):
        ax.hist(posterior[p.key], bins=25, range=(p.low, p.high), weights=w, color="#6a3d9a",
                alpha=0.8, density=True, label="posterior")  # fmt: skip
        ax.axhline(1.0 / (p.high - p.low), color="grey", ls="--", lw=1, label="prior")
        ax.set_title(wrap(label(p.key), 32), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"Posterior marginals ({spec.name}; weighted particles of the last generation)",
                 x=0.01, ha="left", fontsize=10)  # fmt: skip
    marg = out / "marginals.png"
    tmp = out / "marginals.tmp.png"
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, marg)
    # a plain grid: constrained layout over n x n axes costs tens of seconds
    fig, axes = plt.subplots(n, n, figsize=(1.6 * n + 1, 1.6 * n + 1), squeeze=False)
    fig.subplots_adjust(left=0.1, bottom=0.1, right=0.99, top=0.95, wspace=0.08, hspace=0.08)
    for i, pi in enumerate(spec.priors):
        for j, pj in enumerate(spec.priors):
            ax = axes[i, j]
            ax.tick_params(labelsize=5)
            if i == j:
                ax.hist(posterior[pi.key], bins=20, range=(pi.low, pi.high), weights=w,
                        color="#6a3d9a")  # fmt: skip
            elif i > j:
                ax.scatter(
                    posterior[pj.key], posterior[pi.key], s=2, c=w, cmap="viridis", alpha=0.6
                )
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            else:
                ax.set_visible(False)
            if i == n - 1:
                ax.set_xlabel(wrap(label(pj.key), 18), fontsize=6)
            else:
                ax.set_xticklabels([])
            if j == 0:
                ax.set_ylabel(wrap(label(pi.key), 18), fontsize=6)
            else:
                ax.set_yticklabels([])
    fig.suptitle("Pairwise posterior (colour: weight)", x=0.01, ha="left", fontsize=10)
    pairs = out / "pairs.png"
    tmp = out / "pairs.tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, pairs)
    return [marg, pairs]


def render(
    spec: PatternSpec,
    posterior: pd.DataFrame,
    hit: pd.DataFrame,
    ident: pd.DataFrame,
    gens: pd.DataFrame,
    fingerprint: dict[str, Any],
) -> str:
    """The calibration page (Markdown)."""

    def table(df: pd.DataFrame, cols: Sequence[str], fmt: dict[str, str]) -> str:
        head = "| " + " | ".join(cols) + " |\n|" + "|".join("---" for _ in cols) + "|"
        lines = [head]
        for _, r in df.iterrows():
            cells = [format(r[c], fmt.get(c, "")) if c in fmt else str(r[c]) for c in cols]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    parts = [
        f"# Calibration: {spec.scenario.name} against {spec.name}",
        "",
        f"ABC-SMC (pyabc) with {fingerprint['particles']} particles, "
        f"{len(gens)} generations, {fingerprint['replicates']} replicate seeds per particle "
        f"(seed {fingerprint['seed']}); distance: the mean misfit over the "
        f"{len(spec.calibration)} calibration patterns (up to "
        f"{_label(spec.scenario.start, spec.split)}). {int(gens['evaluations'].sum())} "
        "particle evaluations.",
        "",
        "## Hit rates",
        "",
        "The weighted share of posterior runs (particles x replicates) within each pattern's "
        "tolerance. Validation patterns were never calibrated on.",
        "",
        table(hit, ["window", "pattern", "hit_rate", "statement"], {"hit_rate": ".0%"}),
        "",
        "## What the patterns pin down",
        "",
        table(
            ident,
            [
                "parameter",
                "prior_low",
                "prior_high",
                "posterior_median",
                "posterior_5",
                "posterior_95",
                "shrinkage",
                "verdict",
            ],
            {
                "prior_low": ".4g",
                "prior_high": ".4g",
                "posterior_median": ".4g",
                "posterior_5": ".4g",
                "posterior_95": ".4g",
                "shrinkage": ".2f",
            },
        ),
        "",
        "![posterior marginals](marginals.png)",
        "",
        "![pairwise posterior](pairs.png)",
        "",
        "## Generations",
        "",
        table(gens, ["generation", "epsilon", "evaluations"], {"epsilon": ".4g"}),
        "",
    ]
    return "\n".join(parts)


def _label(start: str, month: int) -> str:
    from sim.records import month_label

    return month_label(start, month)


# ------------------------------------------------------------ the shipped calibration

#: The command that made the shipped posterior (sim/data/posterior_central_asia.parquet).
SHIPPED_COMMAND = (
    "greatgame calibrate central_asia_2016 central_asia --out out/calibration "
    "--particles 1000 --generations 10 --replicates 2 --seed 2016"
)


def posterior_check(post: Any, spec: PatternSpec) -> pd.DataFrame:
    """Every pattern's weighted hit rate, re-simulated from a posterior's particles.

    Each particle runs the calibration's replicate seeds (``seed .. seed + replicates - 1``
    from the posterior's metadata), so the rates are the calibration's own, recomputed from
    the shipped file alone.
    """
    seed = int(post.meta.get("seed", 0))
    reps = int(post.meta.get("replicates", 2))
    params = post.frame[post.keys].to_dict("records")
    _, hit = simulate(spec, params, seeds=[seed + r for r in range(reps)])
    w = post.weights
    return pd.DataFrame(
        {
            "pattern": [p.name for p in spec.patterns],
            "window": [p.window for p in spec.patterns],
            "statement": [p.statement for p in spec.patterns],
            "hit_rate": [float(np.sum(w * hit[:, i])) for i in range(len(spec.patterns))],
            "source": [p.fields.source for p in spec.patterns],
        }
    )


def doc_blocks(name: str = "central_asia") -> dict[str, str]:
    """The generated blocks of docs/model.md (``calibration``) and the README (``validation``).

    Built from the shipped posterior and patterns alone (the hit rates re-simulated).
    """
    from sim.posterior import load_posterior

    post = load_posterior(name)
    spec = load_patterns(name)
    ident = identifiability(post.frame, spec)
    hits = posterior_check(post, spec)
    until = _label(spec.scenario.start, spec.split)
    rows = [
        f"| `{r.parameter}` | {r.prior_low:.4g}-{r.prior_high:.4g} | {r.posterior_median:.4g} "
        f"[{r.posterior_5:.4g}, {r.posterior_95:.4g}] | {r.shrinkage:.2f} | {r.verdict} |"
        for r in ident.itertuples()
    ]
    hit_rows = [
        f"| {r.window} | `{r.pattern}` | {r.statement} | {r.hit_rate:.0%} |"
        for r in hits.itertuples()
    ]
    cal = [
        f"The shipped posterior (`sim/data/posterior_{name}.parquet`, {len(post.frame)} "
        f"particles) comes from `{SHIPPED_COMMAND}`: ABC-SMC (pyabc) against the patterns of "
        f"`sim/data/patterns_{name}.yaml` judged up to {until}, each particle run on "
        f"{post.meta.get('replicates', '?')} replicate seeds. The scenario's calibrated leaves "
        "hold the posterior medians. Shrinkage is 1 - posterior sd / prior sd: how much the "
        "patterns narrow a parameter.",
        "",
        "| parameter | prior (uniform) | posterior median [5%, 95%] | shrinkage | verdict |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Hit rates: the weighted share of posterior runs (particles x replicate seeds) within "
        f"each pattern's tolerance, re-simulated from the shipped posterior. Patterns after "
        f"{until} were never calibrated on: their rates are the validation.",
        "",
        "| window | pattern | statement | hit rate |",
        "|---|---|---|---|",
        *hit_rows,
    ]
    val = hits[hits["window"] == "validation"]
    cal_hits = hits[hits["window"] == "calibration"]
    loose = ident[ident["verdict"] == "loose"]["parameter"].tolist()
    pinned = ident[ident["verdict"] != "loose"]["parameter"].tolist()
    readme = [
        f"* Calibrated (ABC-SMC, {len(post.frame)} particles) on {len(cal_hits)} patterns of "
        f"2016-{until[:4]}: the posterior hits them in {cal_hits['hit_rate'].min():.0%}-"
        f"{cal_hits['hit_rate'].max():.0%} of its runs.",
        f"* Validated on {len(val)} patterns of {int(until[:4]) + 1} onward, never calibrated on: "
        + ", ".join(f"{r.pattern} {r.hit_rate:.0%}" for r in val.itertuples())
        + ".",
        f"* The patterns pin down {', '.join(f'`{k}`' for k in pinned) or 'no parameter'} "
        f"(at least partly); {len(loose)} of {len(ident)} parameters stay loose "
        f"({', '.join(f'`{k}`' for k in loose)}): run with `--posterior central_asia` to "
        "carry that uncertainty into the bands.",
    ]
    return {"calibration": "\n".join(cal), "validation": "\n".join(readme)}
