"""The Python API that mirrors the command line, for notebooks and scripts.

Example:
    >>> import sim
    >>> sc = sim.load("central_asia_2016", set=["months=60"])
    >>> result = sim.run(sc, seed=1)
    >>> result.influence.head()            # tidy pandas frame  # doctest: +SKIP
    >>> result.summary["dominant"]         # doctest: +SKIP
    >>> result.figures()["influence"]      # a matplotlib Figure  # doctest: +SKIP
    >>> result.save("out/my_run")          # the same files as `greatgame run`  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure

from sim import __version__, plots
from sim.errors import InputError
from sim.model import InfluenceModel, MonthHook
from sim.records import write_frames
from sim.safeio import check_output_dir, written_atomically
from sim.scenario import Scenario, default_scenario_path, load_scenario

if TYPE_CHECKING:
    import xarray as xr


def load(
    path: str | Path | None = None,
    *,
    set: Iterable[str] = (),
    allow_extends: Iterable[str | Path] | None = None,
) -> Scenario:
    """Load a scenario (default: the article's), applying ``key.path=value`` overrides.

    ``allow_extends``: more directory trees ``extends:`` may read, besides the scenario's own
    directory tree and the shipped scenarios (see :func:`sim.scenario.extends_roots`).
    """
    return load_scenario(
        path or default_scenario_path(), overrides=list(set), allow_extends=allow_extends
    )


@dataclass
class RunResult:
    """The outcome of :func:`run`: tidy frames, summary and figures of one run (or ensemble)."""

    model: InfluenceModel
    scenario: Scenario
    seeds: list[int]
    posterior: Any = None
    _figs: dict[str, Figure] = field(default_factory=dict, repr=False)

    @property
    def varies(self) -> str:
        """What differs between the runs: ``seeds`` or ``seeds and posterior draws``."""
        return "seeds and posterior draws" if self.posterior is not None else "seeds"

    @cached_property
    def influence(self) -> pd.DataFrame:
        """Tidy: run, month, date, patron, target, influence, stocks, flows, threat."""
        return self.model.records.influence_frame()

    @cached_property
    def states(self) -> pd.DataFrame:
        """Tidy: run, month, date, state, threat, autonomy share, dominant patron."""
        return self.model.records.states_frame()

    @cached_property
    def runs(self) -> pd.DataFrame:
        """Tidy per run and month: run, month, date, landscape_energy (when recorded)."""
        return self.model.records.runs_frame()

    @cached_property
    def memberships(self) -> pd.DataFrame:
        """Tidy: run, month, date, state, bloc, member."""
        return self.model.records.membership_frame()

    def to_xarray(self) -> xr.Dataset:
        """The run (or ensemble) as an :class:`xarray.Dataset`, for those who think in arrays.

        Dimensions run, month, patron, state, instrument (and bloc): ``influence``,
        ``stock``, ``flow``, ``threat``, ``autonomy_share``, ``member`` and, when recorded,
        ``camp`` and ``landscape_energy``; coordinates ``date`` (along month) and ``seed``
        (along run). The same numbers as the tidy frames::

            ds = result.to_xarray()
            ds.influence.sel(patron="China", state="Tajikistan").mean("run")
        """
        ds = self.model.records.to_xarray(seeds=self.seeds)
        ds.attrs.update(
            scenario=self.scenario.name,
            scenario_hash=self.scenario.content_hash(),
            version=__version__,
        )
        return ds

    @cached_property
    def regional(self) -> pd.DataFrame:
        """Tidy: run, month, date, patron, gdp_weighted, population_weighted (regional index)."""
        return self.model.records.regional_frame()

    @cached_property
    def summaries(self) -> list[dict[str, Any]]:
        """Key figures of every run."""
        return self.model.records.summaries()

    @property
    def summary(self) -> dict[str, Any]:
        """Key figures of run 0, with provenance (scenario hash, seed, version).

        ``attribution`` says, for each state the challenger overtakes, which instruments
        carried it (:attr:`attribution`).
        """
        out = {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.content_hash(),
            "seed": self.seeds[0],
            "months": self.model.n_months,
            "start": self.scenario.start,
            "version": __version__,
            **self.summaries[0],
        }
        if self.posterior is not None:
            out["posterior"] = {
                "file": str(self.posterior.path),
                "draw": {
                    k: v
                    for k, v in self.posterior.draw([self.seeds[0]])[0].items()
                    if k in self.posterior.held_keys(self.scenario)[0]
                },
                "skipped": self.posterior.held_keys(self.scenario)[1],
                "runs": len(self.seeds),
                "bands": self.varies,
            }
        if self.model.world.rivalry is not None:
            out["attribution"] = self.attribution
        return out

    @cached_property
    def attribution(self) -> dict[str, dict[str, Any]]:
        """Run 0's overtakes and the instruments behind them (:mod:`sim.attribution`).

        For each state the challenger overtakes after month 0: the month, the challenger's
        effort by instrument then, the overtake month without each instrument in that state
        (the same seed; None: no overtake), and the driver. Runs the knockouts on first use.
        """
        from sim.attribution import run_attribution

        scenario = self.model.world.scenarios[0]  # run 0's, with its posterior draw if any
        return run_attribution(scenario, int(self.seeds[0]), months=self.model.n_months)

    def geography(self) -> pd.DataFrame:
        """State, lat, lon, GDP (US$ million), population: for maps."""
        w = self.model.world
        return pd.DataFrame(
            {
                "state": w.actors,
                "lat": [self.scenario.actors[a].location[0] for a in w.actors],
                "lon": [self.scenario.actors[a].location[1] for a in w.actors],
                "gdp": w.gdp[0],
                "population": w.population[0],
            }
        )

    def figures(self) -> dict[str, Figure]:
        """The standard figures: ``influence``, ``membership``, ``map``."""
        if not self._figs:
            s = self.summaries[0]
            region = self.model.world.region
            self._figs["influence"] = plots.influence_over_time(
                self.influence[self.influence["target"].isin(region)],
                title=f"{self.scenario.name}: influence over time",
                varies=self.varies,
            )
            camps = self.states if "camp" in self.states.columns else None
            rivalry = self.model.world.rivalry  # camp 1 is the challenger's, 0 the incumbent's
            self._figs["membership"] = plots.membership_timeline(
                self.memberships,
                camps=camps,
                camp_names=(rivalry[1], rivalry[0]) if rivalry else None,
            )
            w = self.model.world
            shares = {a: float(w.influence[0, :, i].max()) for i, a in enumerate(w.actors)}
            self._figs["map"] = plots.region_map(
                self.geography(),
                self.scenario.borders,
                s["dominant"],
                shares=shares,
                patrons=[p for p in w.patrons if p not in region],
                title=f"Who holds whom, {s['date']} (colour: dominant patron; shade: its share)",
            )
        return self._figs

    def save(self, out: str | Path, *, figures: bool = True) -> list[Path]:
        """Write the frames (Parquet and CSV), ``summary.json`` and the PNG figures.

        Returns:
            The paths written.
        """
        out = Path(out)
        check_output_dir(out)
        frames = {"timeseries": self.influence, "states": self.states}
        frames["memberships"] = self.memberships
        frames["regional"] = self.regional
        if self.model.records.run_extra:  # e.g. the landscape energy
            frames["runs"] = self.runs
        written = write_frames(frames, out)
        summary_path = out / "summary.json"
        with written_atomically(summary_path) as tmp:
            tmp.write_text(json.dumps(self.summary, indent=2, default=_jsonable))
        written.append(summary_path)
        if figures:
            names = {"influence": "influence.png", "membership": "membership.png", "map": "map.png"}
            for key, fig in self.figures().items():
                path = out / names[key]
                with written_atomically(path) as tmp_png:
                    fig.savefig(tmp_png, dpi=130, format="png")
                written.append(path)
        return written

    def close(self) -> None:
        """Close the figures (free memory in long notebook sessions)."""
        import matplotlib.pyplot as plt

        for f in self._figs.values():
            plt.close(f)
        self._figs.clear()


def _jsonable(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    seed: int | Sequence[int] | None = None,
    months: int | None = None,
    set: Iterable[str] = (),
    record: str = "monthly",
    hooks: Sequence[MonthHook] = (),
    progress: Callable[[int], None] | None = None,
    posterior: str | Path | Any = None,
) -> RunResult:
    """Run a scenario (default: the article's) and return its frames, summary and figures.

    Args:
        scenario: A Scenario, or a path to a YAML file.
        seed: A seed, or a list of seeds for an ensemble of replicates (default: the scenario's).
        months: Months to run (default: the scenario's).
        set: ``key.path=value`` overrides (applied to a path; with a Scenario, re-validated).
        record: ``monthly``, ``yearly`` or ``final``.
        hooks: Extra per-month hooks.
        progress: Called with each month finished.
        posterior: A calibration's posterior (a file, a shipped name such as
            ``central_asia``, or a :class:`sim.posterior.Posterior`): each run draws its own
            parameter set from it, by its seed, so bands show parameter uncertainty and seed
            noise together (see :mod:`sim.posterior`).
    """
    overrides = list(set)
    if scenario is None or isinstance(scenario, str | Path):
        sc = load(scenario, set=overrides)
    else:
        sc = scenario
        if overrides:
            from sim.scenario import apply_overrides, validate_data

            sc = validate_data(apply_overrides(sc.model_dump(by_alias=True), overrides))
    if months is not None:
        from sim.scenario import MAX_RUN_MONTHS

        if not 1 <= months <= MAX_RUN_MONTHS:
            raise InputError(f"--months must be from 1 to {MAX_RUN_MONTHS}, got {months}")
        sc = sc.model_copy(update={"months": months})
    seeds = [sc.seed] if seed is None else ([seed] if isinstance(seed, int) else list(seed))
    post = None
    runs: Scenario | list[Scenario] = sc
    if posterior is not None:
        from sim.posterior import Posterior, load_posterior

        post = posterior if isinstance(posterior, Posterior) else load_posterior(posterior)
        runs = post.scenarios(sc, seeds)
    # the result reads the model's own records; Mesa's DataCollector (kept by default for a
    # single run, for mesa.batch_run and Mesa users) would cost a third of a run's time
    model = InfluenceModel(runs, seeds=seeds, record=record, hooks=hooks, collect=False)
    model.run(progress=progress)
    return RunResult(model=model, scenario=sc, seeds=seeds, posterior=post)
