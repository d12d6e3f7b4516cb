"""``InfluenceModel``: the Mesa model of great-power competition for influence.

One model object advances ``R`` independent worlds (an *ensemble*: replicates
or parameter sets of one scenario) with the same numpy code. ``R = 1`` is the
ordinary Mesa run used by the CLI and the dashboard; sweeps use ``R`` in the
hundreds.

Every month (one :meth:`InfluenceModel.step`):

1. events: parameter windows, forced joins and leaves;
2. patrons allocate (each patron agent's :meth:`~sim.agents.State.allocate`, through
   Mesa's AgentSet) and spend budget x attention, plus scheduled aid; hosts admit
   foreign security money only up to their consent limits;
3. stocks decay with their half-lives and take the month's flows;
4. influence: the contest over each state, computed once for all, on the stocks
   as each state absorbs them;
5. states weigh their blocs (each State agent's :meth:`~sim.agents.State.choose_blocs`,
   through the AgentSet; logit choice with hysteresis; leaders may refuse);
6. threat reverts, spills over the borders of the Mesa network, is relieved by
   security stocks, takes shocks;
7. the recorder keeps the month.

Example:
    >>> from sim.scenario import load_scenario
    >>> from sim.model import InfluenceModel
    >>> model = InfluenceModel(load_scenario("scenarios/central_asia_2016.yaml"), seeds=1)
    >>> model.run()
    >>> model.records.influence_frame().head()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from sim import dynamics
from sim.agents import Bloc, State
from sim.alignment import attach_landscape
from sim.dynamics import BoolArray, FloatArray
from sim.errors import InputError
from sim.events import EventSchedule
from sim.records import CADENCES, Recorder
from sim.rules import AllocationView, BlocView
from sim.scenario import Scenario
from sim.world import Knockout, SeedLike, World, build_world

#: Hooks run after each month's dynamics and before recording: ``hook(model, month)``.
#: Extensions (such as the landscape prediction) register here.
MonthHook = Callable[["InfluenceModel", int], None]


@dataclass
class ChoiceSnapshot:
    """What every state sees this month when it weighs its blocs (computed once for all).

    Attributes:
        view: The shared :class:`~sim.rules.BlocView` (side, spread change), ``(R, N, B)``.
        base: ``(R, N, B)`` the part of each bloc's utility common to every rule
            (security benefit, economic benefit, costs).
        allowed: ``(R, N, B)`` switches the state may make (leaders refuse, invitations).
        draws: ``(R, N, B)`` this month's uniforms for the logit choice.
    """

    view: BlocView
    base: FloatArray
    allowed: BoolArray
    draws: FloatArray


def _seed_list(scenarios: list[Scenario], seeds: Any, rng: Any, seed: Any) -> list[SeedLike]:
    """One seed per run from ``seeds`` or Mesa's ``rng``/``seed`` keywords (in that order)."""
    given = seeds if seeds is not None else (rng if rng is not None else seed)
    if given is None:
        return [sc.seed for sc in scenarios]
    if isinstance(given, np.random.Generator):
        raise InputError(
            "seeds must be integers or SeedSequences (one per run), got a numpy Generator; "
            "expected e.g. rng=42 or seeds=[1, 2, 3]"
        )
    if isinstance(given, int | np.integer | np.random.SeedSequence):
        values: list[Any] = [given]
    else:
        values = list(given)
    out: list[SeedLike] = []
    for v in values:
        if isinstance(v, np.random.SeedSequence):
            out.append(v)
        elif isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= 0:
            out.append(int(v))
        else:
            raise InputError(f"a seed must be an integer >= 0, got {v!r}")
    if not out:
        raise InputError("seeds is empty; expected at least one seed")
    return out


def _scenarios(scenario: Any, overrides: dict[str, Any]) -> list[Scenario]:
    """The scenarios of the runs: a Scenario, a list of them, or a path (default: the article)."""
    from sim.scenario import (
        apply_overrides,
        default_scenario_path,
        load_scenario,
        validate_data,
    )

    sets = [f"{key}={_yaml_value(value)}" for key, value in overrides.items()]
    if scenario is None or isinstance(scenario, str | Path):
        return [load_scenario(scenario or default_scenario_path(), overrides=sets)]
    if isinstance(scenario, Scenario):
        items = [scenario]
    else:
        items = list(scenario)
        if not items:
            raise InputError("InfluenceModel needs at least one scenario; got none")
        bad = [type(s).__name__ for s in items if not isinstance(s, Scenario)]
        if bad:
            raise InputError(f"expected Scenario objects, got {bad[0]}")
    if sets:
        items = [validate_data(apply_overrides(sc.model_dump(by_alias=True), sets)) for sc in items]
    return items


def _yaml_value(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


class InfluenceModel(mesa.Model):
    """The influence contest as a Mesa model with a run axis.

    Args:
        scenario: One scenario (replicated over the seeds), one scenario per run, or the
            path of a scenario file (default: the article's).
        seeds: One seed per run (an int for a single run). Default: the scenario's seed.
        months: Months to run with :meth:`run` (default: the scenario's ``months``).
        record: ``monthly``, ``yearly`` or ``final``.
        hooks: Extra per-month hooks (see :data:`MonthHook`).
        knockouts: Per run, (patron, instrument, target) cells removed from the patrons'
            toolkits (attribution counterfactuals; see :func:`sim.world.build_world`).
        collect: Keep a Mesa ``DataCollector`` (:attr:`datacollector`) every month, as
            ``mesa.batch_run`` expects. Default: for single runs (R = 1) only.
        rng: Mesa's seed keyword (used by ``mesa.batch_run``): the same as ``seeds``.
        seed: Mesa's older seed keyword: the same as ``seeds``.
        **overrides: Scenario values by key path, as ``greatgame run --set`` takes them:
            ``InfluenceModel(**{"patrons.China.budget": 250})`` (so ``mesa.batch_run`` can
            sweep any scenario value).

    Attributes:
        world: The ensemble's arrays (:class:`sim.world.World`).
        records: The :class:`sim.records.Recorder`.
        network: The Mesa ``Network`` of land borders the States sit on; threat spills
            over its edges.
        month: The next month to be simulated (0-based).
        datacollector: A Mesa ``DataCollector`` (single runs; see ``collect``).
    """

    def __init__(
        self,
        scenario: Scenario | Sequence[Scenario] | str | Path | None = None,
        *,
        seeds: SeedLike | Sequence[SeedLike] | None = None,
        months: int | None = None,
        record: str = "monthly",
        hooks: Sequence[MonthHook] = (),
        knockouts: Sequence[Sequence[Knockout]] | None = None,
        collect: bool | None = None,
        rng: Any = None,
        seed: Any = None,
        **overrides: Any,
    ) -> None:
        scenarios = _scenarios(scenario, overrides)
        seed_list = _seed_list(scenarios, seeds, rng, seed)
        if len(scenarios) == 1 and len(seed_list) > 1:
            scenarios = scenarios * len(seed_list)
        if len(seed_list) == 1 and len(scenarios) > 1:
            seed_list = seed_list * len(scenarios)
        if record not in CADENCES:
            raise InputError(f"record must be one of {list(CADENCES)}, got {record!r}")
        first = seed_list[0]
        mesa_seed = (
            int(first)
            if not isinstance(first, np.random.SeedSequence)
            else int(first.generate_state(1)[0])
        )
        super().__init__(rng=mesa_seed)
        self.spec: Scenario = scenarios[0]
        self.network = self._border_network(self.spec)
        self.world: World = build_world(
            scenarios, seed_list, borders=self._network_borders(), knockouts=knockouts
        )
        self.n_months = int(months if months is not None else self.spec.months)
        if self.n_months < 1:
            raise InputError(f"months must be >= 1, got {self.n_months}")
        self.month = 0
        self.events = EventSchedule(self.world)
        self.records = Recorder(self.world, self.n_months, cadence=record)
        self.records.choice_source = self._current_choice
        self.hooks: list[MonthHook] = list(hooks)
        attach_landscape(self)  # predicted camps, when the scenario has parameters.landscape
        self._build_agents()
        self._gradient: FloatArray | None = None
        self.choice: ChoiceSnapshot | None = None
        # what depends on memberships alone is recomputed only for runs where they changed
        self._dirty = np.ones(self.world.R, dtype=bool)
        w = self.world
        self.lifetime = dynamics.lifetime_weight(w.retention, w.horizon)  # (R, P, K)
        self.utility = np.zeros((w.R, w.N, w.B))
        #: (R, N, B) this month's probability that each state switches each bloc
        self.p_switch = np.zeros((w.R, w.N, w.B))
        self._switch = np.zeros((w.R, w.N, w.B), dtype=bool)
        # influence of the initial stocks, so adaptive patrons start from the real contest
        self.events.apply_parameters(w, 0)
        self._update_influence()
        self.datacollector = (
            self._datacollector() if (collect or (collect is None and w.R == 1)) else None
        )
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ construction
    def _border_network(self, sc: Scenario) -> Network:
        """The Mesa ``Network`` of land borders: nodes are actor indices, at their locations."""
        graph = nx.Graph()
        names = list(sc.actors)
        graph.add_nodes_from(range(len(names)))
        index = {a: i for i, a in enumerate(names)}
        for x, y in sc.borders:
            graph.add_edge(index[x], index[y])
        # positions: (longitude, latitude) -- a map, and no unseeded spring layout
        layout = {i: (sc.actors[a].location[1], sc.actors[a].location[0]) for a, i in index.items()}
        return Network(graph, random=self.random, layout=layout)

    def _network_borders(self) -> dynamics.Borders:
        """Threat spill-over edges, read from the Mesa network through its cells' connections."""
        pairs = [
            (cell.coordinate, other.coordinate)
            for cell in self.network.all_cells
            for other in cell.connections.values()
        ]
        return dynamics.border_edges(np.array(pairs, dtype=int), len(self.spec.actors))

    def _build_agents(self) -> None:
        w = self.world
        sc = self.spec
        for i, name in enumerate(w.actors):
            prow = w.patrons.index(name) if name in w.patrons else None
            State(
                self,
                name=name,
                index=i,
                cell=self.network[i],
                rule=w.rule_names[i],
                strategy=w.strategy_names[prow] if prow is not None else None,
                patron_row=prow,
            )
        for j, b in enumerate(w.blocs):
            Bloc(self, name=b, index=j, kind=sc.blocs[b].kind, leaders=sc.blocs[b].leaders)
        all_states = self.agents_by_type[State]
        #: every State, in scenario order (index i is actor i)
        self.states: list[State] = sorted(all_states, key=lambda s: s.index)
        self.blocs: list[Bloc] = sorted(self.agents_by_type[Bloc], key=lambda b: b.index)
        # the agent sets the month calls: patrons that adapt, states that choose blocs
        self.patron_agents = sorted(all_states.select(lambda s: s.is_patron), key=_row)
        self._allocators = all_states.select(
            lambda s: s.strategy is not None and s.strategy.name != "fixed"
        )
        self._choosers = all_states.select(lambda s: bool(w.chooser[s.index].any()))
        self._powers = np.flatnonzero(w.leads.any(axis=0))  # patrons that lead some bloc
        self._random_shocks = bool((w.shock_rate > 0).any() and (w.shock_size > 0).any())
        self._any_knockout = bool(w.knockout.any())

    def _datacollector(self) -> mesa.DataCollector:
        """Mesa's DataCollector for single runs: influence, stocks and memberships of run 0."""
        w = self.world
        model_reporters: dict[str, Any] = {"month": partial(_recorded_month)}
        for p in w.patrons:
            model_reporters[f"regional_index_{p}"] = partial(_regional_index, p)
        state_reporters: dict[str, Any] = {"name": "name", "threat": _first("threat")}
        for p in w.patrons:
            state_reporters[f"influence_{p}"] = _InfluenceOf(p)
            for k in ("investment", "security", "leverage"):
                state_reporters[f"stock_{p}_{k}"] = _StockOf(p, k)
        state_reporters["blocs"] = _Memberships()
        bloc_reporters: dict[str, Any] = {"name": "name", "size": _first("size")}
        return mesa.DataCollector(
            model_reporters=model_reporters,
            agenttype_reporters={State: state_reporters, Bloc: bloc_reporters},
        )

    def _current_choice(self) -> tuple[FloatArray, FloatArray]:
        return self.utility, self.p_switch

    @property
    def recorded_month(self) -> int:
        """The last month simulated (-1 before the first step): what the records call ``month``."""
        return self.month - 1

    # ------------------------------------------------------------------ lookups
    def state(self, name: str) -> State:
        """The State agent called ``name``."""
        return self.states[self.world.actor(name)]

    def bloc(self, name: str) -> Bloc:
        """The Bloc agent called ``name``."""
        return self.blocs[self.world.bloc(name)]

    @property
    def R(self) -> int:
        """Number of runs in the ensemble."""
        return self.world.R

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance every run of the ensemble by one month."""
        if self.month >= self.n_months:
            self.running = False
            return
        w = self.world
        m = self.month
        u = w.uniforms(m)
        self.events.apply_parameters(w, m)
        changed = self.events.apply_memberships(w, m)
        if changed is not None:
            self._memberships_changed(changed)
        self._prepare_contest()
        self._gradient = None
        self._allocators.do("allocate")
        self._spend(m)
        w.stocks = dynamics.step_stocks(w.stocks, w.flow, w.retention, out=w.stocks)
        self._update_influence(prepared=True)
        self._decide_memberships(u[:, : w.N * w.B].reshape(w.R, w.N, w.B))
        self._update_threat(u[:, w.N * w.B :])
        for hook in self.hooks:
            hook(self, m)
        self.records.record(m)
        self.month += 1
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if self.month >= self.n_months:
            self.running = False

    def run(
        self, months: int | None = None, *, progress: Callable[[int], None] | None = None
    ) -> None:
        """Run ``months`` months (default: to the end of the scenario).

        Args:
            months: How many months to advance.
            progress: Called with the month just finished (for progress bars).
        """
        todo = self.n_months - self.month if months is None else months
        for _ in range(todo):
            self.step()
            if progress is not None:
                progress(self.month)
            if not self.running:
                break

    # ------------------------------------------------------------------ pieces
    def _memberships_changed(self, runs: np.ndarray | None = None) -> None:
        """Mark runs whose memberships changed (all runs if ``runs`` is None)."""
        if runs is None:
            self._dirty[:] = True
        else:
            self._dirty |= runs

    def _membership_terms(self) -> None:
        """Recompute what depends only on memberships, for the runs whose memberships changed.

        Every term is computed run by run (elementwise or per-run products of 0/1
        matrices), so updating a subset of runs gives exactly the full result.
        """
        if not self._dirty.any():
            return
        w = self.world
        runs: np.ndarray | slice = slice(None) if self._dirty.all() else np.flatnonzero(self._dirty)
        member = w.member[runs]
        r, N, B = member.shape
        rival_members = (member.astype(float).reshape(r * N, B) @ w.rivals.T.astype(float)).reshape(
            r, N, B
        )
        # leaders refuse states that sit in a rival bloc; closed/invitation-only blocs admit
        # only invitees; states that lead a bloc do not choose
        allowed = w.chooser[None] & (member | (w.admissible.T[None] & ~(rival_members > 0)))
        standing = w.bloc_standing(runs)
        orientation = dynamics.bloc_orientation(standing, self._powers)
        multiplier = dynamics.bloc_multiplier(member, standing, w.boost[runs])
        cap = w.security_cap(runs)
        if isinstance(runs, slice):
            self._multiplier = multiplier
            self._orientation = orientation
            self._allowed = allowed
            self._security_cap = cap
        else:
            self._multiplier[runs] = multiplier
            self._orientation[runs] = orientation
            self._allowed[runs] = allowed
            self._security_cap[runs] = cap
        self._dirty[:] = False

    def _prepare_contest(self) -> None:
        """This month's target weights and bloc multipliers (threat and blocs as they stand)."""
        self._weights = self.world.weights()
        self._membership_terms()

    def _spend(self, month: int) -> None:
        """Budgets x attention x shares, plus the aid due; hosts admit security up to consent."""
        w = self.world
        w.flow = dynamics.allocation_flow(w.budget, w.attention, w.shares)
        self.events.add_aid(w, month)
        if self._any_knockout:
            w.flow[w.knockout] = 0.0
        room = dynamics.security_headroom(
            w.stocks[..., 1], self._security_cap, w.retention[:, 1], w.gdp
        )
        wanted = w.flow[..., 1]
        admitted = np.minimum(wanted, room)
        np.subtract(wanted, admitted, out=w.refused)
        w.flow[..., 1] = admitted

    def _update_influence(self, *, prepared: bool = False) -> None:
        w = self.world
        if not prepared:
            self._prepare_contest()
        capacity = w.capacity()
        held = dynamics.absorbed(w.stocks, capacity)
        self._slope = dynamics.absorbed_slope(w.stocks, capacity)
        w.effort_parts = dynamics.effort_parts(held, self._weights, w.gdp, self._multiplier)
        w.effort = dynamics.effort_from_parts(w.effort_parts, w.dependency)
        w.influence, self._log_denominator = dynamics.contest_terms(
            w.effort, w.autonomy, w.decisiveness
        )

    def marginal_influence(self, patron: int) -> FloatArray:
        """``(R, N, K)`` marginal influence per US$ million of patron row ``patron``, now."""
        if self._gradient is None:
            w = self.world
            self._gradient = dynamics.contest_gradient(
                w.effort, w.influence, self._log_denominator, w.decisiveness
            )
        p = slice(patron, patron + 1)
        return dynamics.marginal_influence_per_dollar(
            self._gradient[:, p],
            self._weights,
            self._multiplier[:, p],
            self.world.gdp,
            self._slope[:, p],
        )[:, 0]

    def allocation_view(self, patron: int) -> AllocationView:
        """What patron row ``patron`` sees when it splits next month's budget."""
        w = self.world
        allowed = w.allowed[:, patron].copy()  # (R, N, K)
        # a host that admits no more of the patron's security money closes that cell
        room = dynamics.security_headroom(
            w.stocks[:, patron : patron + 1, :, 1],
            self._security_cap[:, patron : patron + 1],
            w.retention[:, 1],
            w.gdp,
        )[:, 0]
        allowed[..., 1] &= room > 0
        return AllocationView(
            marginal=self.marginal_influence(patron),
            value=w.value[:, patron],
            allowed=allowed,
            adapt_rate=w.adapt_rate[:, patron],
            lifetime=self.lifetime[:, patron],
            mix_low=w.mix_low[:, patron],
            mix_high=w.mix_high[:, patron],
        )

    def bloc_view(self) -> BlocView:
        """The shared :class:`~sim.rules.BlocView` of this month, ``(R, N, B)`` each."""
        w = self.world
        self._membership_terms()
        return BlocView(
            side=dynamics.bloc_side(w.influence, self._orientation, self._powers),
            spread_change=dynamics.exposure_spread_change(
                w.influence, w.member, self._orientation, self._powers
            ),
        )

    def base_utility(self) -> FloatArray:
        """``(R, N, B)``: the part of each bloc's utility common to every alignment rule."""
        w = self.world
        net = w.economic_benefit[:, None, :] - w.cost[:, None, :] - w.own_cost
        return dynamics.bloc_utility(
            threat=w.threat,
            guarantee=w.guarantee,
            net_benefit=net,
            power_term=np.zeros_like(net),
            rule_weight=w.rule_weight,
        )

    def bloc_utility(self) -> FloatArray:
        """``(R, N, B)``: what belonging to each bloc is worth to each state, under its rule."""
        view = self.bloc_view()
        base = self.base_utility()
        out = np.empty_like(base)
        for s in self.states:
            i = slice(s.index, s.index + 1)
            out[:, i] = s.utility_of_blocs(
                base[:, i], BlocView(view.side[:, i], view.spread_change[:, i])
            )
        return out

    def switch_probabilities(self) -> FloatArray:
        """``(R, N, B)``: this month's probability that each state switches each bloc.

        Zero where the switch is not allowed (a leader refuses, the bloc is
        closed to the state, or the state leads a bloc); the noise-free model
        switches deterministically instead (see :func:`sim.dynamics.deterministic_switch`).
        """
        w = self.world
        utility = self.bloc_utility()
        gain = np.where(w.member, -utility, utility)
        p = dynamics.switch_probability(
            gain, temperature=w.choice_temperature, hysteresis=w.hysteresis, rate=w.switch_rate
        )
        return p * self._allowed

    def _decide_memberships(self, draws: FloatArray) -> None:
        """Every state that may choose weighs its blocs (its agent's ``choose_blocs``), at once.

        All states decide on the same month's snapshot (:class:`ChoiceSnapshot`), so the
        order in which the agents are called never matters; their switches are applied
        together afterwards.
        """
        w = self.world
        if w.B == 0:
            return
        self.choice = ChoiceSnapshot(
            view=self.bloc_view(), base=self.base_utility(), allowed=self._allowed, draws=draws
        )
        self._switch[:] = False
        self._choosers.do("choose_blocs")
        switched = self._switch.any(axis=(1, 2))
        if switched.any():
            w.member = w.member ^ self._switch
            self._memberships_changed(switched)

    def _update_threat(self, draws: FloatArray) -> None:
        w = self.world
        shocks: FloatArray | float = self.events.threat_shocks(w, self.month)
        if w.stochastic and self._random_shocks:
            shocks = shocks + (draws < w.shock_rate) * w.shock_size
        w.threat = dynamics.threat_step(
            w.threat,
            w.threat_baseline,
            w.security_share(),
            w.borders,
            reversion=w.threat_reversion,
            spillover=w.spillover,
            relief=w.security_relief,
            shocks=shocks,
        )

    # ------------------------------------------------------------------ outputs
    def summary(self, run: int = 0) -> dict[str, Any]:
        """Key figures of run ``run`` (see :meth:`sim.records.Recorder.summaries`)."""
        return self.records.summary(run)


def _recorded_month(model: InfluenceModel) -> int:
    return model.recorded_month


def _row(state: State) -> int:
    return state.patron_row if state.patron_row is not None else -1


def _regional_index(patron: str, model: InfluenceModel) -> float:
    """DataCollector reporter: a patron's GDP-weighted share of the region, run 0."""
    w = model.world
    region = [w.actor(a) for a in w.region]
    if not region:
        return 0.0
    return float(np.average(w.influence[0, w.patron(patron), region], weights=w.gdp[0, region]))


class _InfluenceOf:
    """DataCollector reporter: the patron's share of the state, run 0."""

    def __init__(self, patron: str) -> None:
        self.patron = patron

    def __call__(self, agent: State) -> float:
        return agent.influence_of(self.patron, run=0)


class _StockOf:
    """DataCollector reporter: the patron's stock of an instrument in the state, run 0."""

    def __init__(self, patron: str, instrument: str) -> None:
        self.patron = patron
        self.k = ("investment", "security", "leverage").index(instrument)

    def __call__(self, agent: State) -> float:
        w = agent.model.world
        return float(w.stocks[0, w.patron(self.patron), agent.index, self.k])


class _Memberships:
    """DataCollector reporter: the blocs the state belongs to, run 0, as 'A;B'."""

    def __call__(self, agent: State) -> str:
        return ";".join(agent.memberships(run=0))


def _first(attr: str) -> Callable[[Any], float]:
    def get(agent: Any) -> float:
        return float(np.asarray(getattr(agent, attr))[0])

    return get
