"""The dashboard: a scenario as a live Mesa SolaraViz page, for a class.

``greatgame app [SCENARIO]`` serves it on http://127.0.0.1:8765 (offline: the
page's front-end files come from the ``solara-assets`` package, never from a
CDN); in a notebook, :func:`dashboard` displays the same page.

The page shows the region's map (states coloured by their dominant patron,
sized by GDP), the influence over a chosen state month by month, and bloc
membership, with the controls a class would move: China's aid to Kabul,
Russia's attention, the contest's decisiveness, the alignment rule and the
random seed. A control takes effect when you press *Reset* (Mesa rebuilds the
model from the controls); *Step* advances one month, *Play* runs on.

Each control is a scenario override (``key.path=value``, as ``--set`` on the
command line): :func:`control_overrides` shows which.

Example:
    >>> from sim.app import DashboardModel, control_overrides
    >>> from sim import load
    >>> control_overrides(load(), attention=1.0)
    ['events.russia_distracted.value=1']
    >>> model = DashboardModel(attention=1.0, seed=1)
    >>> model.step()
"""

from __future__ import annotations

import html
import io
import json
import os
import socket
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

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
#: Environment variables through which ``greatgame app`` hands its arguments to the page.
ENV_SCENARIO = "GREATGAME_APP_SCENARIO"
ENV_SET = "GREATGAME_APP_SET"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The seed the dashboard starts with (the one ``make demo`` uses).
DEFAULT_SEED = 1

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


def model_params(
    scenario: Scenario, *, scenario_path: str, base_set: Sequence[str] = ()
) -> dict[str, Any]:
    """Mesa ``model_params`` for :class:`DashboardModel`: the controls, labelled for ``scenario``.

    Args:
        scenario: The scenario as loaded (with ``base_set`` applied).
        scenario_path: Its file (fixed: the page rebuilds the model from it).
        base_set: Overrides given on the command line (fixed).

    Returns:
        Mesa's parameter dicts (sliders, a select) and the fixed keywords.
    """
    k = _knobs(scenario)
    params: dict[str, Any] = {"scenario_path": scenario_path, "base_set": tuple(base_set)}
    if k.aid is not None and k.aid_event is not None:
        amount, currency = k.aid.amount
        cur = currency or scenario.currency
        top = max(10 * amount, 1.0)
        params["aid"] = {
            "type": "SliderFloat",
            "label": f"{k.aid.patron}'s aid to {k.aid.target} (m {cur})",
            "value": float(amount),
            "min": 0.0,
            "max": float(top),
            "step": _nice_step(top),
        }
    params["attention"] = {
        "type": "SliderFloat",
        "label": k.attention_label,
        "value": k.attention,
        "min": 0.0,
        "max": 2.0,
        "step": 0.05,
    }
    params["decisiveness"] = {
        "type": "SliderFloat",
        "label": "Decisiveness r",
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


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Snapshot:
    """Run 0 of the model at one moment (for the page's figures)."""

    month: int  # months simulated so far (0 = the scenario's start)
    date: str  # "start of 2016-03", "end of 2016-05", ...
    influence: FloatArray  # (P, N)
    member: np.ndarray  # (N, B) bool


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

    Attributes:
        seed: The run's random seed.
        base: The scenario before the controls were applied.
        overrides: The overrides the controls stand for.
        history: One :class:`Snapshot` at the start and after every month.
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
    ) -> None:
        path = scenario_path or default_scenario_path()
        self.base: Scenario = load_scenario(path, overrides=list(base_set))
        self.overrides = control_overrides(
            self.base,
            aid=aid,
            attention=attention,
            decisiveness=decisiveness,
            alignment_rule=alignment_rule,
        )
        sc = load_scenario(path, overrides=[*base_set, *self.overrides])
        self.seed = int(seed)
        super().__init__(sc, seeds=self.seed, record="monthly")
        self.history: list[Snapshot] = [self._snapshot()]

    def _snapshot(self) -> Snapshot:
        w = self.world
        return Snapshot(
            month=self.month,
            date=(
                f"start of {self.spec.start}"
                if self.month == 0
                else f"end of {month_label(self.spec.start, self.month - 1)}"
            ),
            influence=w.influence[0].copy(),
            member=w.member[0].copy(),
        )

    def step(self) -> None:
        """Advance one month and keep a snapshot for the page."""
        before = self.month
        super().step()
        if self.month > before:
            self.history.append(self._snapshot())


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


def map_figure(model: DashboardModel) -> Figure:
    """The region now: states at their capitals, coloured by dominant patron, sized by GDP."""
    snap = model.history[-1]
    w = model.world
    dominant: dict[str, str | None] = {}
    shares: dict[str, float] = {}
    for n, a in enumerate(w.actors):
        col = snap.influence[:, n]
        dominant[a] = w.patrons[int(col.argmax())] if col.max() > 0 else None
        shares[a] = float(col.max())
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    plots.region_map(
        geography(model),
        model.spec.borders,
        dominant,
        shares=shares,
        title=f"Who holds whom, {snap.date}",
        ax=ax,
    )
    return fig


def influence_figure(model: DashboardModel, state: str) -> Figure:
    """Each patron's share of ``state`` from the start to now, on the scenario's whole span."""
    w = model.world
    n = w.actor(state)
    months = [s.month for s in model.history]
    colors = plots.patron_colors(w.patrons)
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    for p, patron in enumerate(w.patrons):
        ys = [s.influence[p, n] for s in model.history]
        ax.plot(months, ys, color=colors[patron], lw=2, label=patron)
        ax.plot(months[-1:], ys[-1:], "o", color=colors[patron])
    ax.set_xlim(0, model.n_months)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"months since {model.spec.start}")
    ax.set_ylabel("influence share")
    ax.set_title(f"Influence over {state}, to {model.history[-1].date}", loc="left")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=len(w.patrons))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.9)  # no tight_layout: speed
    return fig


def membership_figure(model: DashboardModel) -> Figure:
    """Who is in which bloc now; hollow squares: left since the start, stars: joined.

    The figure depends on memberships only (the page redraws it when they change).
    """
    w = model.world
    start, now = model.history[0].member, model.history[-1].member
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    leader_color = plots.patron_colors(w.patrons)
    for j, bloc in enumerate(w.blocs):
        leaders = model.spec.blocs[bloc].leaders
        color = leader_color.get(leaders[0], "#555555") if len(leaders) == 1 else "#8c6d31"
        for i in range(w.N):
            if now[i, j]:
                ax.scatter(j, i, s=160, marker="s", color=color, zorder=2)
                if not start[i, j]:
                    ax.scatter(j, i, s=60, marker="*", color="white", zorder=3)
            elif start[i, j]:
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
    changed = int((start != now).sum())
    ax.set_title(
        f"Bloc membership ({changed} change{'' if changed == 1 else 's'} since the start)",
        loc="left",
    )
    fig.subplots_adjust(left=0.17, right=0.97, bottom=0.2, top=0.9)
    return fig


def readout(model: DashboardModel, state: str) -> str:
    """One line of numbers: each patron's share of ``state`` now, and who dominates."""
    w = model.world
    snap = model.history[-1]
    n = w.actor(state)
    col = snap.influence[:, n]
    shares = ", ".join(f"{p} {col[i]:.3f}" for i, p in enumerate(w.patrons))
    dom = w.patrons[int(col.argmax())] if col.max() > 0 else "nobody"
    return f"{state}, {snap.date} (month {snap.month}): {shares}; dominant: {dom}"


# --------------------------------------------------------------------------- components


def _default_focus(model: InfluenceModel) -> str:
    region = model.world.region
    return "Tajikistan" if "Tajikistan" in region else region[0]


@solara.component
def RegionMap(model: DashboardModel) -> None:
    """The map (redrawn after every step)."""
    update_counter.get()
    with solara.Card("Map", classes=["gg-map"]):
        solara.Image(_png(map_figure(model)), width="100%")


@solara.component
def InfluencePanel(model: DashboardModel) -> None:
    """Influence over the chosen state, with a state selector and a text readout."""
    update_counter.get()
    region = list(model.world.region)
    focus = solara.use_reactive(_default_focus(model))
    state = focus.value if focus.value in region else region[0]
    with solara.Card("Influence over time", classes=["gg-influence"]):
        solara.Select("State", values=region, value=state, on_value=focus.set)
        solara.Image(_png(influence_figure(model, state)), width="100%")
        solara.Text(readout(model, state), classes=["gg-readout"])


@solara.component
def MembershipPanel(model: DashboardModel) -> None:
    """Bloc membership now, marking joins and departures since the start."""
    update_counter.get()
    snap = model.history[-1]
    png = solara.use_memo(lambda: _png(membership_figure(model)), [model, snap.member.tobytes()])
    with solara.Card(f"Blocs, {snap.date}", classes=["gg-membership"]):
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

    items = "".join(f"<li><i>{e(labels[k]['label'])}</i>: {code(v)}</li>" for k, v in notes.items())
    overrides = "".join(f"<li><code>{e(o)}</code></li>" for o in model.overrides)
    return (
        f"<p><b>{e(model.spec.name)}</b>, seed {model.seed}: "
        f"{model.month} of {model.n_months} months simulated. Move a control on the left, "
        "then press <b>Reset</b> to apply it; <b>Step</b> advances a month, <b>▶</b> plays.</p>"
        f"<ul>{items}</ul>"
        "<p>The controls stand for these scenario overrides (as "
        "<code>greatgame run --set ...</code>):</p>"
        f"<ul>{overrides}</ul>"
    )


@solara.component
def Panels(model: DashboardModel) -> None:
    """The page's figures, two by two.

    Mesa 3.5 lays components out in a draggable grid (vue-grid-layout, a Vue 2
    library) that stays blank under the Vue 3 front end solara 1.58 uses with
    ipyvue 3 (mesa issue #3806), so the panels are laid out here instead.
    """
    with solara.Columns([1, 1]):
        RegionMap(model)
        InfluencePanel(model)
    with solara.Columns([1, 1]):
        MembershipPanel(model)
        RunPanel(model)


def _initial_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()
    }


@solara.component
def Dashboard(scenario_path: str, base_set: tuple[str, ...] = (), play_interval: int = 150) -> None:
    """The whole page: Mesa's SolaraViz (controls, step, play, reset) and the panels.

    The model lives in a reactive variable shared with SolaraViz, so *Reset*
    (which replaces it) redraws the panels with the new model.
    """
    params = solara.use_memo(
        lambda: model_params(
            load_scenario(scenario_path, overrides=list(base_set)),
            scenario_path=scenario_path,
            base_set=base_set,
        ),
        [scenario_path, base_set],
    )
    first = solara.use_memo(lambda: DashboardModel(**_initial_kwargs(params)), [params])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    SolaraViz(
        model,
        components=[],
        model_params=params,
        name=f"greatgame: {model.value.base.name}",
        play_interval=play_interval,
    )
    Panels(model.value)


def dashboard(
    scenario: str | Path | None = None, *, set: Sequence[str] = (), play_interval: int = 150
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


_SIDEBAR_WIDTH = 420
_PAGE_CSS = f"""
.v-navigation-drawer {{ width: {_SIDEBAR_WIDTH}px !important; min-width: 0 !important; }}
.v-main {{ --v-layout-left: {_SIDEBAR_WIDTH}px !important; }}
.v-app-bar.v-toolbar {{
  left: {_SIDEBAR_WIDTH}px !important; width: calc(100% - {_SIDEBAR_WIDTH}px) !important;
}}
"""


# --------------------------------------------------------------------------- the server


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
    config = uvicorn.Config(
        "solara.server.starlette:app", host=host, port=actual, log_level="warning"
    )
    server = uvicorn.Server(config)
    shown = host if ":" not in host else f"[{host}]"
    url = f"http://{shown}:{actual}/"

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
    "Dashboard",
    "DashboardModel",
    "Page",
    "Snapshot",
    "control_notes",
    "control_overrides",
    "dashboard",
    "geography",
    "influence_figure",
    "map_figure",
    "membership_figure",
    "model_params",
    "readout",
    "serve",
]
