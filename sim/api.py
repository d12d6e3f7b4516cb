"""The Python API that mirrors the command line, for notebooks and scripts.

Example:
    >>> import sim
    >>> sc = sim.load("scenarios/central_asia_2016.yaml", set=["months=60"])
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
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim import __version__, plots
from sim.errors import InputError
from sim.model import InfluenceModel, MonthHook
from sim.records import write_frames
from sim.scenario import Scenario, default_scenario_path, load_scenario


def load(path: str | Path | None = None, *, set: Iterable[str] = ()) -> Scenario:
    """Load a scenario (default: the article's), applying ``key.path=value`` overrides."""
    return load_scenario(path or default_scenario_path(), overrides=list(set))


@dataclass
class RunResult:
    """The outcome of :func:`run`: tidy frames, summary and figures of one run (or ensemble)."""

    model: InfluenceModel
    scenario: Scenario
    seeds: list[int]
    _figs: dict[str, Figure] = field(default_factory=dict, repr=False)

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

    @cached_property
    def summaries(self) -> list[dict[str, Any]]:
        """Key figures of every run."""
        return self.model.records.summaries()

    @property
    def summary(self) -> dict[str, Any]:
        """Key figures of run 0, with provenance (scenario hash, seed, version)."""
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.content_hash(),
            "seed": self.seeds[0],
            "months": self.model.n_months,
            "start": self.scenario.start,
            "version": __version__,
            **self.summaries[0],
        }

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
                title=f"Who holds whom, {s['date']} (colour: dominant patron; size: GDP)",
            )
        return self._figs

    def save(self, out: str | Path, *, figures: bool = True) -> list[Path]:
        """Write the frames (Parquet and CSV), ``summary.json`` and the PNG figures.

        Returns:
            The paths written.
        """
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError(
                f"--out {out} is a file; expected a directory (it is created if missing)"
            )
        frames = {"timeseries": self.influence, "states": self.states}
        frames["memberships"] = self.memberships
        if self.model.records.run_extra:  # e.g. the landscape energy
            frames["runs"] = self.runs
        written = write_frames(frames, out)
        summary_path = out / "summary.json"
        tmp = summary_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.summary, indent=2, default=_jsonable))
        tmp.replace(summary_path)
        written.append(summary_path)
        if figures:
            names = {"influence": "influence.png", "membership": "membership.png", "map": "map.png"}
            for key, fig in self.figures().items():
                path = out / names[key]
                tmp_png = path.with_suffix(".tmp.png")
                fig.savefig(tmp_png, dpi=130)
                tmp_png.replace(path)
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
    model = InfluenceModel(sc, seeds=seeds, record=record, hooks=hooks)
    model.run(progress=progress)
    return RunResult(model=model, scenario=sc, seeds=seeds)
