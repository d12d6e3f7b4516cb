"""The dashboard: a scenario as a live Mesa page, for a class.

``greatgame app [SCENARIO]`` serves it on http://127.0.0.1:8765 (offline: the
page's front-end files come from the ``solara-assets`` package, never from a
CDN); in a notebook, :func:`dashboard` displays the same page.

The page shows the region's map (each state's country outline, coloured by its
dominant patron and shaded by that patron's share), the influence over a
chosen state month by month, and bloc membership, with the controls a class
would move: China's aid to Kabul, Russia's attention, the contest's
decisiveness, the alignment rule and the random seed. A control takes effect
when you press *Reset* (Mesa rebuilds the model from the controls); *Step*
advances one month, *Play* runs on. A *variant* (another scenario file beside
the served one) can be shown beside it: same seed, stepping together.

Months mean what they mean everywhere in greatgame (the records' ``month``
column, ``greatgame run``'s summary, the plots): month ``m`` is the state at the
end of simulated month ``m``, dated ``start + m`` (month 0 is 2016-03 in the
article). Before the first step the page shows the *start*: the initial state,
before month 0. After ``k`` steps it shows month ``k - 1``.

Each control is a scenario override (``key.path=value``, as ``--set`` on the
command line): :func:`control_overrides` shows which.

Example:
    >>> from sim.app import DashboardModel, control_overrides
    >>> from sim import load
    >>> control_overrides(load(), attention=1.0)
    ['events.russia_distracted.value=1']
    >>> model = DashboardModel(attention=1.0, seed=1, variant="russia_joins_quartet")
    >>> model.step()
    >>> model.history[-1].label
    'month 0 (2016-03)'
"""

from __future__ import annotations

import html
import io
import ipaddress
import json
import os
import socket
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter

from sim import plots
from sim.dynamics import FloatArray
from sim.errors import InputError
from sim.model import InfluenceModel
from sim.records import month_label
from sim.rules import ALIGNMENT_RULES
from sim.scenario import AidEvent, Scenario, SetEvent, default_scenario_path, load_scenario
from sim.world import rivalry_of

#: The alignment-rule choice that keeps each state's own rule from the scenario.
AS_SCENARIO = "as in the scenario"
#: The variant choice that shows the served scenario alone.
NO_VARIANT = "none"
#: Environment variables through which ``greatgame app`` hands its arguments to the page.
ENV_SCENARIO = "GREATGAME_APP_SCENARIO"
ENV_SET = "GREATGAME_APP_SET"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The seed the dashboard starts with (the one ``make demo`` uses).
DEFAULT_SEED = 1
#: Milliseconds between months when playing, at first.
DEFAULT_PLAY_INTERVAL = 150

# --------------------------------------------------------------------------- controls


@dataclass(frozen=True)
class _Knobs:
    """Where this scenario keeps the numbers the controls move."""

    aid_event: str | None  # name of the aid event (China's aid to Kabul in the article)
    aid: AidEvent | None
    attention_key: str | None  # override key of the incumbent's attention
    attention: float
    attention_label: str


def _knobs(sc: Scenario) -> _Knobs:
    """Find the aid event and the attention value a class would change in ``sc``.

    The aid control moves the challenger's first aid event (China's 300 million
    yuan to Kabul in the article); the attention control moves the incumbent's
    attention (Russia's), while it is distracted if an event sets it, else its
    routine attention. The challenger and the incumbent are the scenario's rivalry
    (:func:`sim.world.rivalry_of`); with a single patron, it plays both parts.
    """
    pair = rivalry_of(sc)
    challenger, incumbent = pair if pair is not None else (next(iter(sc.patrons)),) * 2
    aids = [(n, e) for n, e in sc.events.items() if isinstance(e, AidEvent)]
    aids.sort(key=lambda ne: ne[1].patron != challenger)  # the challenger's first
    aid_name, aid = aids[0] if aids else (None, None)
    path = f"patrons.{incumbent}.attention"
    for name, e in sc.events.items():
        if isinstance(e, SetEvent) and e.path == path:
            end = "end" if e.end is None else str(e.end)
            return _Knobs(
                aid_name,
                aid,
                f"events.{name}.value",
                float(e.value),
                f"{incumbent}'s attention, months {e.start}-{end}",
            )
    return _Knobs(
        aid_name,
        aid,
        path,
        float(sc.patrons[incumbent].attention),
        f"{incumbent}'s attention to the region",
    )


def _nice_step(span: float, ticks: int = 60) -> float:
    """A round slider step giving about ``ticks`` positions over ``span``."""
    raw = max(span / ticks, 1e-9)
    magnitude = 10 ** np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return float(m * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


#: The controls' keywords, in the order the page shows them.
CONTROLS = ("aid", "attention", "decisiveness", "alignment_rule", "seed")


def model_params(
    scenario: Scenario, *, scenario_path: str, base_set: Sequence[str] = ()
) -> dict[str, Any]:
    """Mesa ``model_params`` for :class:`DashboardModel`: the controls, labelled for ``scenario``.

    Each slider also has a ``unit``, shown after its value on the page.

    Args:
        scenario: The scenario as loaded (with ``base_set`` applied).
        scenario_path: Its file (fixed: the page rebuilds the model from it).
        base_set: Overrides given on the command line (fixed).

    Returns:
        Mesa's parameter dicts (sliders, a select) and the fixed keywords (the
        scenario file, the command line's overrides, and the variant shown beside).
    """
    k = _knobs(scenario)
    params: dict[str, Any] = {
        "scenario_path": scenario_path,
        "base_set": tuple(base_set),
        "variant": NO_VARIANT,
    }
    if k.aid is not None and k.aid_event is not None:
        amount, currency = k.aid.amount
        cur = currency or scenario.currency
        top = max(10 * amount, 1.0)
        params["aid"] = {
            "type": "SliderFloat",
            "label": f"{k.aid.patron}'s aid to {k.aid.target}",
            "unit": f"m {cur}",
            "value": float(amount),
            "min": 0.0,
            "max": float(top),
            "step": _nice_step(top),
        }
    params["attention"] = {
        "type": "SliderFloat",
        "label": k.attention_label,
        "unit": "× its regional budget",
        "value": k.attention,
        "min": 0.0,
        "max": 2.0,
        "step": 0.05,
    }
    params["decisiveness"] = {
        "type": "SliderFloat",
        "label": "Decisiveness r",
        "unit": "(1: a lottery; 5: winner takes all)",
        "value": float(np.clip(scenario.parameters.decisiveness, 0.25, 5.0)),
        "min": 0.25,
        "max": 5.0,
        "step": 0.25,
    }
    params["alignment_rule"] = {
        "type": "Select",
        "label": "Alignment rule (every state)",
        "value": scenario.parameters.alignment_rule or AS_SCENARIO,
        "values": [AS_SCENARIO, *sorted(ALIGNMENT_RULES)],
    }
    params["seed"] = {
        "type": "SliderInt",
        "label": "Seed",
        "unit": "",
        "value": DEFAULT_SEED,
        "min": 0,
        "max": 99,
        "step": 1,
    }
    return params


def control_notes(scenario: Scenario) -> dict[str, str]:
    """One sentence per control: what it moves in ``scenario`` (shown beside the figures)."""
    k = _knobs(scenario)
    notes: dict[str, str] = {}
    if k.aid is not None:
        amount, currency = k.aid.amount
        end = "the end" if k.aid.end is None else str(k.aid.end)
        notes["aid"] = (
            f"{k.aid.patron}'s {k.aid.instrument} aid to {k.aid.target}: event `{k.aid_event}`, "
            f"{amount:g} m {currency or scenario.currency} over months {k.aid.start}-{end} "
            "in the scenario."
        )
    notes["attention"] = (
        f"The share of its regional budget {k.attention_label.split(chr(39))[0]} actually "
        f"spends there (`{k.attention_key}`, {k.attention:g} in the scenario)."
    )
    notes["decisiveness"] = (
        "How much a lead in effort counts in the contest for influence: 1 is the Tullock "
        "lottery, large values are winner-take-all."
    )
    notes["alignment_rule"] = (
        "Balancing, bandwagoning or hedging for every state (`greatgame rules` explains them); "
        "'as in the scenario' keeps each state's own rule."
    )
    notes["seed"] = "The run's random stream: the same seed gives the same run."
    return notes


def control_overrides(
    scenario: Scenario,
    *,
    aid: float | None = None,
    attention: float | None = None,
    decisiveness: float | None = None,
    alignment_rule: str = AS_SCENARIO,
) -> list[str]:
    """The scenario overrides (``key.path=value``) that the controls' values stand for.

    Args:
        scenario: The scenario the controls act on.
        aid: Amount of the challenger's aid event, in the event's currency (millions).
        attention: The incumbent's attention (while distracted, if an event sets it).
        decisiveness: The contest's decisiveness r.
        alignment_rule: An alignment rule for every state, or :data:`AS_SCENARIO`.

    Raises:
        InputError: a control the scenario has no place for, or an unknown rule.
    """
    k = _knobs(scenario)
    out: list[str] = []
    if aid is not None:
        if k.aid is None:
            raise InputError(
                f"aid={aid}: scenario {scenario.name!r} has no aid event; "
                "expected a scenario with an event of type 'aid'"
            )
        currency = k.aid.amount[1] or scenario.currency
        out.append(f"events.{k.aid_event}.amount={aid:g} m {currency}")
    if attention is not None:
        out.append(f"{k.attention_key}={attention:g}")
    if decisiveness is not None:
        out.append(f"parameters.decisiveness={decisiveness:g}")
    if alignment_rule != AS_SCENARIO:
        if alignment_rule not in ALIGNMENT_RULES:
            raise InputError(
                f"alignment_rule={alignment_rule!r}: expected {AS_SCENARIO!r} or one of "
                f"{sorted(ALIGNMENT_RULES)}"
            )
        out.append(f"parameters.alignment_rule={alignment_rule}")
    return out


def variant_files(scenario_path: str | Path) -> dict[str, Path]:
    """The variants a class may compare with: every other scenario file beside this one.

    Found as ``greatgame report`` finds them (:func:`sim.report.discover_variants`),
    keyed by file name without ``.yaml``.
    """
    from sim.report import discover_variants

    return {p.stem: p for p in discover_variants(scenario_path)[1:]}


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Snapshot:
    """Run 0 of a model at one moment (for the page's figures).

    Attributes:
        month: The records' month of this state (the end of simulated month ``month``);
            -1 for the start, before month 0.
        date: ``YYYY-MM``: the month's date (for the start, the first month's).
        influence: ``(P, N)`` shares.
        member: ``(N, B)`` memberships.
    """

    month: int
    date: str
    influence: FloatArray
    member: np.ndarray

    @property
    def label(self) -> str:
        """``month 36 (2019-03)``, or ``start of 2016-03 (before month 0)``."""
        if self.month < 0:
            return f"start of {self.date} (before month 0)"
        return f"month {self.month} ({self.date})"


def snapshot(model: InfluenceModel) -> Snapshot:
    """Run 0 of ``model`` now: after ``k`` steps, month ``k - 1`` (the start before any)."""
    w = model.world
    month = model.month - 1
    return Snapshot(
        month=month,
        date=month_label(model.spec.start, max(month, 0)),
        influence=w.influence[0].copy(),
        member=w.member[0].copy(),
    )


@dataclass
class Comparison:
    """A variant run beside the dashboard's model: same seed, stepping together.

    Attributes:
        name: The variant's file name without ``.yaml``.
        path: Its file.
        model: Its model (one run).
        history: Its snapshots, month by month, aligned with the dashboard's.
        applied: The class's changes (and ``--set`` overrides) applied to it.
        skipped: Those it has no place for (e.g. an aid event the variant removes).
    """

    name: str
    path: Path
    model: InfluenceModel
    history: list[Snapshot] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class DashboardModel(InfluenceModel):
    """One run of a scenario with a class's changes applied: the model behind the page.

    Every keyword is a control of the page (or fixed by ``greatgame app``);
    Mesa's *Reset* builds a new model from their current values.

    Args:
        scenario_path: Scenario YAML (default: the article's).
        base_set: Overrides applied first (``greatgame app --set``).
        aid: Amount of the challenger's aid event (China's aid to Kabul), millions of
            the event's currency; None keeps the scenario's.
        attention: The incumbent's attention (Russia's); None keeps the scenario's.
        decisiveness: The contest's decisiveness r; None keeps the scenario's.
        alignment_rule: One rule for every state, or :data:`AS_SCENARIO`.
        seed: The run's random seed.
        variant: A scenario beside this one to run alongside (:func:`variant_files`),
            or :data:`NO_VARIANT`.

    Attributes:
        seed: The run's random seed.
        scenario_path: The scenario file.
        base_set: The command line's overrides.
        base: The scenario before the controls were applied.
        controls: The controls' values this model was built with.
        overrides: The overrides the controls stand for.
        changes: The overrides that change the scenario (a control moved off its value).
        history: One :class:`Snapshot` at the start and after every month.
        comparison: The variant run beside, or None.
        variant_error: Why the chosen variant could not be run, or None.
    """

    def __init__(
        self,
        *,
        scenario_path: str | Path | None = None,
        base_set: Sequence[str] = (),
        aid: float | None = None,
        attention: float | None = None,
        decisiveness: float | None = None,
        alignment_rule: str = AS_SCENARIO,
        seed: int = DEFAULT_SEED,
        variant: str = NO_VARIANT,
    ) -> None:
        path = Path(scenario_path or default_scenario_path())
        self.scenario_path = path
        self.base_set = tuple(base_set)
        self.base: Scenario = load_scenario(path, overrides=list(base_set))
        self.controls: dict[str, Any] = {
            "aid": aid,
            "attention": attention,
            "decisiveness": decisiveness,
            "alignment_rule": alignment_rule,
            "seed": int(seed),
        }
        self.overrides = control_overrides(
            self.base,
            aid=aid,
            attention=attention,
            decisiveness=decisiveness,
            alignment_rule=alignment_rule,
        )
        defaults = _initial_kwargs(model_params(self.base, scenario_path=str(path)))
        unchanged = control_overrides(
            self.base,
            **{
                k: (defaults.get(k) if self.controls[k] is not None else None)
                for k in ("aid", "attention", "decisiveness")
            },
            alignment_rule=defaults["alignment_rule"],
        )
        self.changes = [o for o in self.overrides if o not in unchanged]
        sc = load_scenario(path, overrides=[*base_set, *self.overrides])
        self.seed = int(seed)
        super().__init__(sc, seeds=self.seed, record="monthly")
        self.history: list[Snapshot] = [snapshot(self)]
        self._lock = threading.RLock()
        self.comparison: Comparison | None = None
        self.variant_error: str | None = None
        self.variant = NO_VARIANT
        self.set_variant(variant)

    def set_variant(self, name: str) -> None:
        """Run the variant ``name`` beside this model, caught up to the current month.

        The variant runs with the same seed and with the class's changes and the
        command line's overrides where it has a place for them (see
        :attr:`Comparison.skipped`). A variant that cannot be run leaves no
        comparison and its one-sentence reason in :attr:`variant_error`.
        """
        with self._lock:
            self.variant = name
            self.comparison = None
            self.variant_error = None
            if name == NO_VARIANT:
                return
            try:
                self.comparison = self._compare(name)
            except InputError as e:
                self.variant_error = str(e)

    def _compare(self, name: str) -> Comparison:
        files = variant_files(self.scenario_path)
        if name not in files:
            raise InputError(
                f"variant {name!r}: no such scenario beside {self.scenario_path.name}; "
                f"expected one of {sorted(files) or 'none (no other .yaml file there)'}"
            )
        path = files[name]
        load_scenario(path)  # a broken file fails here, with its own sentence
        applied: list[str] = []
        skipped: list[str] = []
        for o in [*self.base_set, *self.changes]:
            try:
                load_scenario(path, overrides=[*applied, o])
            except InputError:
                skipped.append(o)
            else:
                applied.append(o)
        model = InfluenceModel(load_scenario(path, overrides=applied), seeds=self.seed)
        comp = Comparison(name, path, model, [snapshot(model)], applied, skipped)
        while model.month < self.month and model.running:
            model.step()
            comp.history.append(snapshot(model))
        return comp

    def step(self) -> None:
        """Advance one month (and the variant beside, if any) and keep snapshots for the page."""
        with self._lock:
            before = self.month
            super().step()
            if self.month > before:
                self.history.append(snapshot(self))
            comp = self.comparison
            if comp is not None and comp.model.running and comp.model.month < self.month:
                comp.model.step()
                comp.history.append(snapshot(comp.model))


def _initial_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()
    }


# --------------------------------------------------------------------------- figures


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


def geography(model: InfluenceModel) -> pd.DataFrame:
    """State, lat, lon, GDP (US$ million): where the map draws each state."""
    w = model.world
    return pd.DataFrame(
        {
            "state": w.actors,
            "lat": [model.spec.actors[a].location[0] for a in w.actors],
            "lon": [model.spec.actors[a].location[1] for a in w.actors],
            "gdp": w.gdp[0],
        }
    )


def holders(
    model: InfluenceModel, snap: Snapshot
) -> tuple[dict[str, str | None], dict[str, float]]:
    """Each state's dominant patron (None: nobody holds any of it) and that patron's share."""
    w = model.world
    dominant: dict[str, str | None] = {}
    shares: dict[str, float] = {}
    for n, a in enumerate(w.actors):
        col = snap.influence[:, n]
        dominant[a] = w.patrons[int(col.argmax())] if col.max() > 0 else None
        shares[a] = float(col.max())
    return dominant, shares


def map_figure(model: InfluenceModel, snap: Snapshot | None = None, *, name: str = "") -> Figure:
    """The region at ``snap`` (default: now), drawn by :func:`sim.plots.region_map`."""
    if snap is None:
        snap = snapshot(model)
    dominant, shares = holders(model, snap)
    w = model.world
    fig = Figure(figsize=(6.4, 5.0))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.06, top=0.93)
    plots.region_map(
        geography(model),
        model.spec.borders,
        dominant,
        shares=shares,
        patrons=[p for p in w.patrons if p not in w.region],
        title=f"{name or model.spec.name}: who holds whom, {snap.label}",
        ax=ax,
    )
    return fig


def influence_figure(model: DashboardModel, state: str) -> Figure:
    """Each patron's share of ``state`` from the start to now, beside the variant's if any.

    The x axis is the records' month (0 = the scenario's first month); the start,
    before month 0, is drawn at -1. The variant's lines are dashed.
    """
    w = model.world
    colors = plots.patron_colors(w.patrons)
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    comp = model.comparison
    lines = [(model.spec.name, model.world, model.history, "-")]
    if comp is not None and state in comp.model.world.actors:
        lines.append((comp.name, comp.model.world, comp.history, "--"))
    for _, world, history, style in lines:
        col = world.actor(state)
        months = [s.month for s in history]
        for patron in world.patrons:
            ys = [s.influence[world.patron(patron), col] for s in history]
            color = colors.get(patron) or plots.patron_colors([patron])[patron]
            ax.plot(months, ys, style, color=color, lw=2 if style == "-" else 1.6)
            ax.plot(months[-1:], ys[-1:], "o", color=color, ms=4)
    handles: list[Any] = [Line2D([], [], color=colors[p], lw=2, label=p) for p in w.patrons]
    if len(lines) > 1:
        handles += [Line2D([], [], color="#333333", ls=style, label=name)
                    for name, _, _, style in lines]  # fmt: skip
    ax.set_xlim(-1, model.n_months - 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"month (0 = {model.spec.start}; the start is drawn at -1)")
    ax.set_ylabel("influence share")
    ax.set_title(f"Influence over {state}, to {model.history[-1].label}", loc="left")
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False, ncol=3)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.9)  # no tight_layout: speed
    return fig


def membership_figure(model: InfluenceModel, start: Snapshot, now: Snapshot) -> Figure:
    """Who is in which bloc at ``now``; hollow squares: left since ``start``, stars: joined."""
    w = model.world
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    leader_color = plots.patron_colors(w.patrons)
    for j, bloc in enumerate(w.blocs):
        leaders = model.spec.blocs[bloc].leaders
        color = leader_color.get(leaders[0], "#555555") if len(leaders) == 1 else "#8c6d31"
        for i in range(w.N):
            if now.member[i, j]:
                ax.scatter(j, i, s=160, marker="s", color=color, zorder=2)
                if not start.member[i, j]:
                    ax.scatter(j, i, s=60, marker="*", color="white", zorder=3)
            elif start.member[i, j]:
                ax.scatter(j, i, s=160, marker="s", facecolor="none", edgecolor=color, zorder=2)
    ax.set_xticks(range(w.B), w.blocs)
    ax.set_yticks(range(w.N), w.actors, fontsize=8)
    ax.set_xlim(-0.6, w.B - 0.4)
    ax.set_ylim(w.N - 0.5, -0.5)
    ax.grid(alpha=0.2)
    ax.text(
        0.0,
        -0.16,
        "colour: the bloc's leader; hollow: left since the start; star: joined since the start",
        transform=ax.transAxes,
        fontsize=7,
        color="#555555",
    )
    changed = int((start.member != now.member).sum())
    ax.set_title(
        f"Bloc membership ({changed} change{'' if changed == 1 else 's'} since the start)",
        loc="left",
    )
    fig.subplots_adjust(left=0.17, right=0.97, bottom=0.2, top=0.9)
    return fig


def readout(model: DashboardModel, state: str, *, variant: bool = False) -> str:
    """One line of numbers: each patron's share of ``state`` now, and who dominates.

    Args:
        model: The dashboard's model.
        state: The state.
        variant: The variant's numbers instead of the served scenario's.
    """
    if variant:
        comp = model.comparison
        if comp is None:
            return ""
        world, snap, prefix = comp.model.world, comp.history[-1], f"{comp.name}: "
        if state not in world.actors:
            return f"{prefix}{state} is not in this variant"
    else:
        world, snap, prefix = model.world, model.history[-1], ""
    col = snap.influence[:, world.actor(state)]
    shares = ", ".join(f"{p} {col[i]:.3f}" for i, p in enumerate(world.patrons))
    dom = world.patrons[int(col.argmax())] if col.max() > 0 else "nobody"
    return f"{prefix}{state}, {snap.label}: {shares}; dominant: {dom}"


# --------------------------------------------------------------------------- components


def _default_focus(model: InfluenceModel) -> str:
    region = model.world.region
    return "Tajikistan" if "Tajikistan" in region else region[0]


@solara.component
def Header(model: DashboardModel) -> None:
    """The app bar: the scenario, the seed, and the month and date shown."""
    update_counter.get()
    snap = model.history[-1]
    with solara.AppBar():
        solara.AppBarTitle(f"greatgame: {model.spec.name}")
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span class='gg-month'>{html.escape(snap.label)}</span>"
                f" &middot; seed {model.seed} &middot; {model.n_months} months in all"
            ),
            classes=["gg-when"],
        )


@solara.component
def RegionMap(model: DashboardModel) -> None:
    """The served scenario's map (redrawn after every step)."""
    update_counter.get()
    with solara.Card(f"Map: {model.spec.name}", classes=["gg-map"]):
        solara.Image(_png(map_figure(model, model.history[-1])), width="100%")


def _description(sc: Scenario) -> str:
    return sc.description or "(no description in the scenario file)"


@solara.component
def VariantPicker(
    model: DashboardModel, variants: list[str], on_variant: Callable[[str], None]
) -> None:
    """Pick a variant to run beside the served scenario (at once, caught up to this month)."""
    update_counter.get()
    with solara.Card("Compare with a variant", classes=["gg-compare"]):
        solara.Select(
            "Variant (same seed, stepping together)",
            values=[NO_VARIANT, *variants],
            value=model.variant,
            on_value=on_variant,
        )
        if model.variant_error:
            solara.Error(model.variant_error, classes=["gg-variant-error"])
        elif not variants:
            solara.Text("There is no other scenario file beside this one to compare with.")
        elif model.comparison is not None:
            desc = html.escape(_description(model.comparison.model.spec))
            solara.HTML(tag="p", unsafe_innerHTML=f"<i>{desc}</i>")


@solara.component
def VariantMap(model: DashboardModel) -> None:
    """The variant's map at the same month, or what the comparison is."""
    update_counter.get()
    comp = model.comparison
    title = f"Beside it: {comp.name}" if comp is not None else "Beside it: no variant"
    with solara.Card(title, classes=["gg-variant"]):
        if comp is None:
            solara.HTML(
                tag="p",
                unsafe_innerHTML=(
                    "Pick a variant on the left (<i>Compare with a variant</i>): another "
                    "scenario file beside this one. It runs with the same seed and your "
                    "changes, and steps month by month with this one, so that the two maps, "
                    "and the influence lines below, show the same month."
                ),
            )
            return
        solara.Image(_png(map_figure(comp.model, comp.history[-1], name=comp.name)),
                     width="100%")  # fmt: skip


@solara.component
def InfluencePanel(model: DashboardModel) -> None:
    """Influence over the chosen state (and the variant's), with a selector and readouts."""
    update_counter.get()
    region = list(model.world.region)
    focus = solara.use_reactive(_default_focus(model))
    state = focus.value if focus.value in region else region[0]
    with solara.Card("Influence over time", classes=["gg-influence"]):
        solara.Select("State", values=region, value=state, on_value=focus.set)
        solara.Image(_png(influence_figure(model, state)), width="100%")
        shown = [(readout(model, state), "gg-readout")]
        if model.comparison is not None:
            shown.append((readout(model, state, variant=True), "gg-readout-variant"))
        for text, css in shown:
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=[css])


@solara.component
def MembershipPanel(model: DashboardModel) -> None:
    """Bloc membership now, marking joins and departures since the start."""
    update_counter.get()
    start, now = model.history[0], model.history[-1]
    png = solara.use_memo(
        lambda: _png(membership_figure(model, start, now)), [model, now.member.tobytes()]
    )
    with solara.Card(f"Blocs, {now.label}", classes=["gg-membership"]):
        solara.Image(png, width="100%")


@solara.component
def RunPanel(model: DashboardModel) -> None:
    """What this run is: the scenario, the seed and the overrides the controls stand for."""
    update_counter.get()
    labels = model_params(model.base, scenario_path="")
    notes = control_notes(model.base)
    with solara.Card("This run", classes=["gg-run"]):
        # plain HTML: solara.Markdown would fetch KaTeX, which solara-assets does not ship
        solara.HTML(tag="div", unsafe_innerHTML=run_html(model, labels, notes))


def run_html(model: DashboardModel, labels: dict[str, Any], notes: dict[str, str]) -> str:
    """The "This run" panel as HTML: scenario, seed, progress, controls and overrides."""
    e = html.escape

    def code(text: str) -> str:
        # the notes mark names with backquotes
        parts = e(text).split("`")
        return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))

    def items(overrides: Iterable[str]) -> str:
        return "".join(f"<li><code>{e(o)}</code></li>" for o in overrides) or "<li>none</li>"

    controls = "".join(
        f"<li><i>{e(labels[k]['label'])}</i>: {code(v)}</li>" for k, v in notes.items()
    )
    done = model.month
    out = (
        f"<p><b>{e(model.spec.name)}</b>: <i>{e(_description(model.spec))}</i></p>"
        f"<p>Seed {model.seed}: {done} of {model.n_months} "
        f"months simulated; the page shows {e(model.history[-1].label)}. Month <i>m</i> is "
        "the state at the end of the scenario's month <i>m</i>, as in "
        "<code>greatgame run</code>'s tables; month 0 is the first. Move a control on the "
        "left, then press <b>Reset</b> to apply it; <b>Step</b> advances a month, "
        "<b>▶</b> plays.</p>"
        f"<ul>{controls}</ul>"
        "<p>The controls stand for these scenario overrides (as "
        "<code>greatgame run --set ...</code>):</p>"
        f"<ul class='gg-overrides'>{items(model.overrides)}</ul>"
    )
    comp = model.comparison
    if comp is not None:
        out += (
            f"<p>The variant <b>{e(comp.name)}</b> (<code>{e(comp.path.name)}</code>) runs "
            f"with seed {model.seed} and these of your changes:</p>"
            f"<ul class='gg-variant-overrides'>{items(comp.applied)}</ul>"
        )
        if comp.skipped:
            out += (
                "<p>It has no place for these, so they are not applied:</p>"
                f"<ul>{items(comp.skipped)}</ul>"
            )
    return out


@solara.component
def Panels(model: DashboardModel) -> None:
    """The page's figures, two by two: the maps, then influence and blocs, then this run.

    Mesa 3.5 lays components out in a draggable grid (vue-grid-layout, a Vue 2
    library) that stays blank under the Vue 3 front end solara 1.58 uses with
    ipyvue 3 (mesa issue #3806), so the panels are laid out here instead.
    """
    with solara.Columns([1, 1]):
        RegionMap(model)
        VariantMap(model)
    with solara.Columns([1, 1]):
        InfluencePanel(model)
        MembershipPanel(model)
    RunPanel(model)


def _format(value: float, unit: str) -> str:
    text = f"{round(float(value), 6):g}"
    return f"{text} {unit}".strip()


@solara.component
def Controls(
    specs: dict[str, Any], params: solara.Reactive[dict[str, Any]], model: DashboardModel
) -> None:
    """The class's controls: each slider shows its value and unit; Reset applies them."""
    for name in CONTROLS:
        spec = specs.get(name)
        if not isinstance(spec, dict):
            continue
        value: Any = params.value.get(name, spec["value"])

        def change(v: Any, name: str = name) -> None:
            params.value = {**params.value, name: v}

        with solara.Div(classes=["gg-control", f"gg-control-{name}"]):
            if spec["type"] == "Select":
                solara.Select(spec["label"], values=spec["values"], value=value, on_value=change)
                continue
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    f"<span class='gg-label'>{html.escape(spec['label'])}</span>: "
                    f"<b class='gg-value'>{html.escape(_format(value, spec.get('unit', '')))}</b>"
                ),
            )
            slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
            slider(
                "",
                value=value,
                on_value=change,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                thumb_label=False,
            )
    pending = [
        specs[k]["label"]
        for k in CONTROLS
        if isinstance(specs.get(k), dict)
        and params.value.get(k) is not None
        and params.value.get(k) != model.controls.get(k)
    ]
    if pending:
        solara.HTML(
            tag="p",
            unsafe_innerHTML=(
                f"Changed: {html.escape(', '.join(pending))}. Press <b>Reset</b> to apply."
            ),
            classes=["gg-pending"],
        )


@solara.component
def Dashboard(
    scenario_path: str, base_set: tuple[str, ...] = (), play_interval: int = DEFAULT_PLAY_INTERVAL
) -> None:
    """The whole page: Mesa's model controller (Reset, Play, Step), the controls, the panels.

    The model lives in a reactive variable shared with Mesa's ``ModelController``,
    so *Reset* (which replaces it) redraws the panels with the new model. Mesa's
    developer settings (threads, render interval, the raw step counter) are not
    shown: the month and date are in the header.
    """
    specs = solara.use_memo(
        lambda: model_params(
            load_scenario(scenario_path, overrides=list(base_set)),
            scenario_path=scenario_path,
            base_set=base_set,
        ),
        [scenario_path, base_set],
    )
    variants = solara.use_memo(lambda: list(variant_files(scenario_path)), [scenario_path])
    first = solara.use_memo(lambda: DashboardModel(**_initial_kwargs(specs)), [specs])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    params = solara.use_reactive(_initial_kwargs(specs))
    pace = solara.use_reactive(play_interval)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    def pick(name: str) -> None:
        params.value = {**params.value, "variant": name}  # Reset keeps it
        model.value.set_variant(name)
        force_update()

    Header(model.value)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run", classes=["gg-controller"]):
            ModelController(
                model,
                model_parameters=params,
                play_interval=pace,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    f"Pace when playing: <b class='gg-value'>{pace.value} ms</b> a month"
                ),
            )
            solara.SliderInt("", value=pace, min=50, max=1000, step=50, thumb_label=False)
        VariantPicker(model.value, variants, pick)
        with solara.Card("Controls", classes=["gg-controls"]):
            Controls(specs, params, model.value)
    Panels(model.value)


def dashboard(
    scenario: str | Path | None = None,
    *,
    set: Sequence[str] = (),
    play_interval: int = DEFAULT_PLAY_INTERVAL,
) -> Any:
    """The dashboard as a Solara element: the last line of a notebook cell displays it.

    Args:
        scenario: Scenario YAML (default: the article's).
        set: ``key.path=value`` overrides applied before the controls.
        play_interval: Milliseconds between months when playing.

    Raises:
        InputError: the scenario or an override is invalid.
    """
    path = str(scenario or default_scenario_path())
    load_scenario(path, overrides=list(set))  # bad input fails here, not in the page
    return Dashboard(scenario_path=path, base_set=tuple(set), play_interval=play_interval)


@solara.component
def Page() -> None:
    """The page ``greatgame app`` serves: one model per browser session."""
    path = os.environ.get(ENV_SCENARIO) or str(default_scenario_path())
    overrides = tuple(json.loads(os.environ.get(ENV_SET) or "[]"))
    # solara 1.58's Vue 3 layout leaves the main area under the sidebar (its offset is NaN):
    # give the sidebar a fixed width and move the main area and the app bar beside it.
    solara.Style(_PAGE_CSS)
    Dashboard(scenario_path=path, base_set=overrides)


_SIDEBAR_WIDTH = 380
_PAGE_CSS = f"""
.v-navigation-drawer {{ width: {_SIDEBAR_WIDTH}px !important; min-width: 0 !important; }}
.v-main {{ --v-layout-left: {_SIDEBAR_WIDTH}px !important; }}
.v-app-bar.v-toolbar {{
  left: {_SIDEBAR_WIDTH}px !important; width: calc(100% - {_SIDEBAR_WIDTH}px) !important;
}}
.gg-when {{ margin-left: auto; padding-right: 16px; font-size: 1.05rem; }}
.gg-month {{ font-weight: 600; }}
.gg-control {{ margin: 4px 0 10px 0; }}
.gg-control .v-input__slot {{ margin-bottom: 0; }}
.gg-pending {{ color: #b45309; margin-top: 8px; }}
"""


# --------------------------------------------------------------------------- the server


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def _hostname(header: str) -> str:
    """The host in a ``Host:`` header, without its port, brackets or a final dot."""
    h = header.strip().lower()
    if h.startswith("["):
        h = h[1 : h.find("]")] if "]" in h else h[1:]
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_allowed(bind: str, extra: Iterable[str] = ()) -> Callable[[str], bool]:
    """Which ``Host:`` headers the dashboard answers (a guard against DNS rebinding).

    A page on another site can make a browser send requests to this machine under
    that site's own name (DNS rebinding); the ``Host:`` header then carries the
    other site's name. So the dashboard answers only its own names: ``localhost``
    (and ``*.localhost``), loopback addresses, the address or name it listens on,
    and names given with ``--allow-host``. Listening on every interface
    (``--host 0.0.0.0``), it also answers any IP address (a rebinding attack
    needs a name) and this machine's host names.

    Args:
        bind: The ``--host`` the server listens on.
        extra: More host names to accept (``--allow-host``).

    Returns:
        A predicate on the host part of a ``Host:`` header (see :func:`_hostname`).
    """
    names = {"localhost", *(_hostname(x) for x in extra)}
    bind_name = _hostname(bind) if bind not in _WILDCARDS else ""
    wildcard = bind in _WILDCARDS
    if bind_name:
        names.add(bind_name)
    if wildcard:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    names.discard("")

    def allowed(host: str) -> bool:
        if host in names or host.endswith(".localhost"):
            return True
        ip = _ip(host)
        if ip is None:
            return False
        bound = _ip(bind_name)
        return wildcard or ip.is_loopback or (bound is not None and ip == bound)

    return allowed


class HostCheck:
    """ASGI middleware: refuse requests whose ``Host:`` is not one of the server's names.

    A refused HTTP request gets 403 and one sentence; a refused WebSocket is
    closed before it opens (the client sees 403).

    Args:
        app: The ASGI app to protect (solara's).
        allowed: The predicate from :func:`host_allowed`.
        url: The address to suggest in the refusal.
    """

    def __init__(self, app: ASGIApp, allowed: Callable[[str], bool], url: str) -> None:
        self.app = app
        self.allowed = allowed
        self.url = url

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] in ("http", "websocket"):
            raw = dict(scope.get("headers") or []).get(b"host")
            host = raw.decode("latin-1") if raw is not None else None
            if host is None or not self.allowed(_hostname(host)):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                shown = "(none)" if host is None else repr(host[:80])
                body = (
                    f"greatgame dashboard: Host {shown} is not a name of this server; "
                    f"open {self.url} (or start it with --allow-host NAME)\n"
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise InputError(f"--host {host!r}: not a known host name or address ({e.strerror})") from e
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        raise InputError(
            f"--port {port}: cannot listen on {host}:{port} ({e.strerror}); "
            "expected a free port (or --port 0 for any free one)"
        ) from e
    return sock


def serve(
    scenario: str | Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    set: Sequence[str] = (),
    allow_hosts: Sequence[str] = (),
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the dashboard until interrupted (Ctrl-C).

    The scenario is validated first, so bad input fails before anything listens.
    Solara runs in production mode, without telemetry or version checks, and its
    front-end files come from the installed ``solara-assets`` package.

    Args:
        scenario: Scenario YAML (default: the article's).
        host: Address to listen on.
        port: Port (0: any free port).
        set: ``key.path=value`` overrides applied before the controls.
        allow_hosts: More host names the page answers to (see :func:`host_allowed`).
        announce: Called with the page's URL once the server answers.
    """
    path = Path(scenario or default_scenario_path()).resolve()
    load_scenario(path, overrides=list(set))  # bad input fails here, with one sentence
    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: expected a port number from 0 to 65535")
    sock = _bind(host, port)
    actual = sock.getsockname()[1]
    os.environ[ENV_SCENARIO] = str(path)
    os.environ[ENV_SET] = json.dumps(list(set))
    os.environ["SOLARA_APP"] = "sim.app:Page"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(actual)
    import uvicorn
    from solara.server import settings

    # on plain http, solara warns on every page load that it cannot set samesite=none
    # cookies (needed only when embedded in another site's iframe): not a class's concern
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.title = "greatgame"
    from solara.server.starlette import app as solara_app

    shown = host if ":" not in host else f"[{host}]"
    url = f"http://{shown}:{actual}/"
    guarded = HostCheck(solara_app, host_allowed(host, allow_hosts), url)
    config = uvicorn.Config(guarded, host=host, port=actual, log_level="warning")
    server = uvicorn.Server(config)

    def _announce() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            (announce or _print_url)(url)

    threading.Thread(target=_announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # Ctrl-C is how a dashboard is meant to stop: uvicorn has shut down cleanly and
        # re-raises the signal; end normally (exit 0) rather than as an interrupted command
        pass


def _print_url(url: str) -> None:
    sys.stdout.write(f"greatgame dashboard: {url}  (Ctrl-C to stop)\n")
    sys.stdout.flush()


__all__ = [
    "AS_SCENARIO",
    "NO_VARIANT",
    "Comparison",
    "Dashboard",
    "DashboardModel",
    "HostCheck",
    "Page",
    "Snapshot",
    "control_notes",
    "control_overrides",
    "dashboard",
    "geography",
    "holders",
    "host_allowed",
    "influence_figure",
    "map_figure",
    "membership_figure",
    "model_params",
    "readout",
    "serve",
    "snapshot",
    "variant_files",
]
