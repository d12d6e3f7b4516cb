"""``InfluenceModel``: the Mesa model of great-power competition for influence.

One model object advances ``R`` independent worlds (an *ensemble*: replicates
or parameter sets of one scenario) with the same numpy code. ``R = 1`` is the
ordinary Mesa run used by the CLI and the dashboard; sweeps use ``R`` in the
hundreds.

Every month (one :meth:`InfluenceModel.step`):

1. events: parameter windows, forced joins and leaves;
2. patrons allocate their budget x attention (plus scheduled aid);
3. stocks decay with their half-lives and take the month's flows;
4. influence: the contest over each state, computed once for all;
5. states reconsider their blocs (logit choice with hysteresis; leaders may refuse);
6. threat reverts, spills over borders, is relieved by security stocks, takes shocks;
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
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from sim import dynamics
from sim.agents import Bloc, State
from sim.dynamics import FloatArray
from sim.errors import InputError
from sim.events import EventSchedule
from sim.records import CADENCES, Recorder
from sim.scenario import Scenario
from sim.world import SeedLike, World, build_world

#: Hooks run after each month's dynamics and before recording: ``hook(model, month)``.
#: Extensions (such as the landscape prediction) register here.
MonthHook = Callable[["InfluenceModel", int], None]


class InfluenceModel(mesa.Model):
    """The influence contest as a Mesa model with a run axis.

    Args:
        scenario: One scenario (replicated over ``seeds``) or one scenario per run.
        seeds: One seed per run (an int for a single run). Default: the scenario's seed.
        months: Months to run with :meth:`run` (default: the scenario's ``months``).
        record: ``monthly``, ``yearly`` or ``final``.
        hooks: Extra per-month hooks (see :data:`MonthHook`).

    Attributes:
        world: The ensemble's arrays (:class:`sim.world.World`).
        records: The :class:`sim.records.Recorder`.
        network: The Mesa ``Network`` of land borders the States sit on.
        month: The next month to be simulated (0-based).
    """

    def __init__(
        self,
        scenario: Scenario | Sequence[Scenario],
        *,
        seeds: SeedLike | Sequence[SeedLike] | None = None,
        months: int | None = None,
        record: str = "monthly",
        hooks: Sequence[MonthHook] = (),
    ) -> None:
        scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
        if not scenarios:
            raise InputError("InfluenceModel needs at least one scenario; got none")
        if seeds is None:
            seed_list: list[SeedLike] = [sc.seed for sc in scenarios]
        elif isinstance(seeds, int | np.integer | np.random.SeedSequence):
            seed_list = [seeds]  # type: ignore[list-item]
        else:
            seed_list = list(seeds)
        if len(scenarios) == 1 and len(seed_list) > 1:
            scenarios = scenarios * len(seed_list)
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
        self.world: World = build_world(scenarios, seed_list)
        self.n_months = int(months if months is not None else self.spec.months)
        if self.n_months < 1:
            raise InputError(f"months must be >= 1, got {self.n_months}")
        self.month = 0
        self.events = EventSchedule(self.world)
        self.records = Recorder(self.world, self.n_months, cadence=record)
        self.hooks: list[MonthHook] = list(hooks)
        self._build_agents()
        self._marginal: FloatArray | None = None
        self._blocs_changed = True  # bloc multipliers are recomputed only after a change
        # influence of the initial stocks, so adaptive patrons start from the real contest
        self.events.apply_parameters(self.world, 0)
        self._update_influence()

    # ------------------------------------------------------------------ construction
    def _build_agents(self) -> None:
        w = self.world
        sc = self.spec
        graph = nx.Graph()
        graph.add_nodes_from(range(w.N))
        for x, y in sc.borders:
            graph.add_edge(w.actor(x), w.actor(y))
        # positions: locations (longitude, latitude) -- a map, and no unseeded spring layout
        layout = {
            i: (sc.actors[a].location[1], sc.actors[a].location[0]) for i, a in enumerate(w.actors)
        }
        self.network = Network(graph, random=self.random, layout=layout)
        self.states: list[State] = []
        for i, name in enumerate(w.actors):
            prow = w.patrons.index(name) if name in w.patrons else None
            self.states.append(
                State(
                    self,
                    name=name,
                    index=i,
                    cell=self.network._cells[i],
                    rule=w.rule_names[i],
                    strategy=w.strategy_names[prow] if prow is not None else None,
                    patron_row=prow,
                )
            )
        self.patron_agents = [s for s in self.states if s.is_patron]
        self.patron_agents.sort(key=lambda s: s.patron_row or 0)
        self.blocs: list[Bloc] = [
            Bloc(self, name=b, index=j, kind=sc.blocs[b].kind, leaders=sc.blocs[b].leaders)
            for j, b in enumerate(w.blocs)
        ]
        # states grouped by alignment rule: each rule evaluates its group in one call
        groups: dict[str, list[int]] = {}
        for s in self.states:
            groups.setdefault(s.rule.name, []).append(s.index)
        self._rule_groups = [
            (self.states[idx[0]].rule, np.array(idx, dtype=int)) for idx in groups.values()
        ]
        self._tension_scale = np.array([s.rule.tension_scale for s in self.states])
        self._adaptive = [
            p for p in self.patron_agents if p.strategy and p.strategy.name != "fixed"
        ]
        # constant matrices of the bloc choice
        lead_f = w.leads.astype(float)
        self._lead_mask = lead_f.T[None, :, None, :]  # (1, P, 1, B)
        self._rival_mask = (1.0 - lead_f).T[None, :, None, :]
        self._rivals_t = w.rivals.T.astype(float)
        self._admissible_t = w.admissible.T.copy()  # (N, B)
        powers = np.flatnonzero(w.leads.any(axis=0))  # patrons that lead some bloc
        self._lead_by_power = lead_f[:, powers]  # (B, G)
        self._lead_counts = self._lead_by_power  # mem (.., B) @ (B, G) -> ties per power
        self._has_hedgers = any(s.rule.name == "hedging" for s in self.states)

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
        if self.events.apply_memberships(w, m):
            self._blocs_changed = True
        self._prepare_contest()
        self._marginal = None
        for patron in self._adaptive:
            patron.adapt_shares()
        w.flow = dynamics.allocation_flow(w.budget, w.attention, w.shares)
        self.events.add_aid(w, m)
        w.stocks = dynamics.step_stocks(w.stocks, w.flow, w.retention)
        self._update_influence(prepared=True)
        self._decide_memberships(u[:, : w.N * w.B].reshape(w.R, w.N, w.B))
        self._update_threat(u[:, w.N * w.B :])
        for hook in self.hooks:
            hook(self, m)
        self.records.record(m)
        self.month += 1
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
    def _prepare_contest(self) -> None:
        """This month's target weights and bloc multipliers (threat and blocs as they stand)."""
        w = self.world
        self._weights = w.weights()
        if self._blocs_changed:
            self._multiplier = w.multiplier()
            self._blocs_changed = False

    def _update_influence(self, *, prepared: bool = False) -> None:
        w = self.world
        if not prepared:
            self._prepare_contest()
        w.effort = dynamics.effort(w.stocks, self._weights, w.gdp, self._multiplier, w.dependency)
        w.influence, self._log_denominator = dynamics.contest_terms(
            w.effort, w.autonomy, w.decisiveness
        )

    def marginal_influence(self) -> FloatArray:
        """``(R, P, N, K)`` marginal influence per US$ million at the current contest."""
        if self._marginal is None:
            w = self.world
            grad = dynamics.contest_gradient(
                w.effort, w.influence, self._log_denominator, w.decisiveness
            )
            self._marginal = dynamics.marginal_influence_per_dollar(
                grad, self._weights, self._multiplier, w.gdp
            )
        return self._marginal

    def bloc_utility(self) -> FloatArray:
        """``(R, N, B)``: what belonging to each bloc is worth to each state, under its rule.

        Each state's alignment rule supplies the influence term (bandwagoning,
        balancing, hedging); the security benefit, economic benefit, costs and
        tension with rival blocs are common to all.
        """
        w = self.world
        R, N, B = w.R, w.N, w.B
        inf = w.influence[:, :, :, None]  # (R, P, N, 1); shares are >= 0
        lead = (inf * self._lead_mask).max(axis=1)  # (R, N, B) strongest leader of each bloc
        rival = (inf * self._rival_mask).max(axis=1)  # strongest patron not leading it
        mem = w.member.reshape(R * N, B).astype(float)
        rival_members = (mem @ self._rivals_t).reshape(R, N, B)
        imbalance_change = self._imbalance_change(mem.reshape(R, N, B))
        power = np.empty_like(lead)
        for rule, rows in self._rule_groups:
            power[:, rows] = rule.power_term(
                lead[:, rows], rival[:, rows], imbalance_change[:, rows]
            )
        return dynamics.bloc_utility(
            threat=w.threat,
            guarantee=w.guarantee,
            economic_benefit=w.economic_benefit,
            cost=w.cost[:, None, :] + w.membership_cost[:, :, None],
            power_term=power,
            rival_memberships=rival_members * self._tension_scale[None, :, None],
            rule_weight=w.rule_weight,
            tension_weight=w.tension_weight,
        )

    def _imbalance_change(self, mem: FloatArray) -> FloatArray:
        """``(R, N, B)``: how much membership of b (against none) widens a state's tilt.

        A state's ties to a great power are the number of its blocs that power
        leads; its tilt is the largest minus the smallest tie count over the
        powers that lead blocs.
        """
        if not self._has_hedgers:
            return np.zeros(mem.shape)
        ties = mem @ self._lead_counts  # (R, N, G) ties to each great power
        d = self._lead_by_power[None, None]  # (1, 1, B, G)
        m = mem[..., None]  # (R, N, B, 1)
        with_b = ties[:, :, None, :] + (1.0 - m) * d
        without_b = ties[:, :, None, :] - m * d
        tilt_with = with_b.max(axis=-1) - with_b.min(axis=-1)
        tilt_without = without_b.max(axis=-1) - without_b.min(axis=-1)
        return tilt_with - tilt_without

    def _decide_memberships(self, draws: FloatArray) -> None:
        """Each state weighs each bloc it could join or leave; all decide at once.

        A state switches (joins or leaves) with a logit probability of the
        utility gain beyond a hysteresis band; a bloc's leaders refuse states
        that sit in one of its rival blocs, and closed or invitation-only blocs
        admit only their invitees. States that lead a bloc do not choose.
        """
        w = self.world
        if w.B == 0:
            return
        utility = self.bloc_utility()
        member = w.member
        gain = np.where(member, -utility, utility)
        in_rival = (member.reshape(-1, w.B).astype(float) @ self._rivals_t).reshape(
            member.shape
        ) > 0
        allowed = w.chooser[None] & (member | (self._admissible_t[None] & ~in_rival))
        if w.stochastic:
            p = dynamics.switch_probability(
                gain, temperature=w.choice_temperature, hysteresis=w.hysteresis, rate=w.switch_rate
            )
            switch = draws < p
        else:
            switch = dynamics.deterministic_switch(gain, hysteresis=w.hysteresis)
        switch &= allowed
        if switch.any():
            w.member = member ^ switch
            self._blocs_changed = True

    def _update_threat(self, draws: FloatArray) -> None:
        w = self.world
        shocks = self.events.threat_shocks(w, self.month)
        if w.stochastic:
            shocks = shocks + (draws < w.shock_rate) * w.shock_size
        w.threat = dynamics.threat_step(
            w.threat,
            w.threat_baseline,
            w.security_share(),
            w.adjacency,
            reversion=w.threat_reversion,
            spillover=w.spillover,
            relief=w.security_relief,
            shocks=shocks,
        )

    # ------------------------------------------------------------------ outputs
    def summary(self, run: int = 0) -> dict[str, Any]:
        """Key figures of run ``run`` (see :meth:`sim.records.Recorder.summaries`)."""
        return self.records.summary(run)
