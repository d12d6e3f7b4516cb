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
from sim.alignment import attach_landscape
from sim.dynamics import FloatArray
from sim.errors import InputError
from sim.events import EventSchedule
from sim.records import CADENCES, Recorder
from sim.scenario import Scenario
from sim.world import SeedLike, World, build_world

#: Hooks run after each month's dynamics and before recording: ``hook(model, month)``.
#: Extensions (such as the landscape prediction) register here.
MonthHook = Callable[["InfluenceModel", int], None]


def _patron_sets(mask: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of a (B, P) mask as patron index arrays, and each bloc's row number."""
    keys: dict[bytes, int] = {}
    groups: list[np.ndarray] = []
    which = np.zeros(mask.shape[0], dtype=int)
    for b, row in enumerate(mask):
        key = row.tobytes()
        if key not in keys:
            keys[key] = len(groups)
            groups.append(np.flatnonzero(row))
        which[b] = keys[key]
    return groups, which


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
        attach_landscape(self)  # predicted camps, when the scenario has parameters.landscape
        self._build_agents()
        self._gradient: FloatArray | None = None
        # what depends on memberships alone is recomputed only for runs where they changed
        self._dirty = np.ones(self.world.R, dtype=bool)
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
        self._rule_masks = [
            (rule, np.isin(np.arange(w.N), rows).astype(float)[None, :, None])
            for rule, rows in self._rule_groups
        ]
        self._adaptive = [
            p for p in self.patron_agents if p.strategy and p.strategy.name != "fixed"
        ]
        # constant matrices of the bloc choice
        lead_f = w.leads.astype(float)
        self._leader_sets = _patron_sets(w.leads)
        self._other_sets = _patron_sets(~w.leads)
        self._rivals_t = w.rivals.T.astype(float)
        self._admissible_t = w.admissible.T.copy()  # (N, B)
        powers = np.flatnonzero(w.leads.any(axis=0))  # patrons that lead some bloc
        self._lead_by_power = lead_f[:, powers]  # (B, G)
        self._net_benefit = (
            w.economic_benefit[:, None, :] - w.cost[:, None, :] - w.membership_cost[:, :, None]
        )
        self._random_shocks = bool((w.shock_rate > 0).any() and (w.shock_size > 0).any())
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
        changed = self.events.apply_memberships(w, m)
        if changed is not None:
            self._memberships_changed(changed)
        self._prepare_contest()
        self._gradient = None
        for patron in self._adaptive:
            patron.adapt_shares()
        w.flow = dynamics.allocation_flow(w.budget, w.attention, w.shares)
        self.events.add_aid(w, m)
        w.stocks = dynamics.step_stocks(w.stocks, w.flow, w.retention, out=w.stocks)
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
        mem = member.astype(float)
        rival_members = (mem.reshape(r * N, B) @ self._rivals_t).reshape(r, N, B)
        tension = w.tension_weight[runs][:, None, None] * (
            rival_members * self._tension_scale[None, :, None]
        )
        # leaders refuse states that sit in a rival bloc; closed/invitation-only blocs admit
        # only invitees; states that lead a bloc do not choose
        allowed = w.chooser[None] & (member | (self._admissible_t[None] & ~(rival_members > 0)))
        if isinstance(runs, slice):
            self._multiplier = w.multiplier()
            self._tension = tension
            self._imbalance = self._imbalance_change(mem)
            self._allowed = allowed
        else:
            self._multiplier[runs] = w.multiplier(runs)
            self._tension[runs] = tension
            self._imbalance[runs] = self._imbalance_change(mem)
            self._allowed[runs] = allowed
        self._dirty[:] = False

    def _prepare_contest(self) -> None:
        """This month's target weights and bloc multipliers (threat and blocs as they stand)."""
        self._weights = self.world.weights()
        self._membership_terms()

    def _update_influence(self, *, prepared: bool = False) -> None:
        w = self.world
        if not prepared:
            self._prepare_contest()
        w.effort = dynamics.effort(w.stocks, self._weights, w.gdp, self._multiplier, w.dependency)
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
            self._gradient[:, p], self._weights, self._multiplier[:, p], self.world.gdp
        )[:, 0]

    def bloc_utility(self) -> FloatArray:
        """``(R, N, B)``: what belonging to each bloc is worth to each state, under its rule.

        Each state's alignment rule supplies the influence term (bandwagoning,
        balancing, hedging); the security benefit, economic benefit, costs and
        tension with rival blocs are common to all.
        """
        w = self.world
        self._membership_terms()
        # (R, N, B): the strongest leader of each bloc, and the strongest patron not leading it
        lead = self._strongest(w.influence, self._leader_sets)
        rival = self._strongest(w.influence, self._other_sets)
        # each rule's term on all states, kept where the state follows that rule
        power = sum(
            rule.power_term(lead, rival, self._imbalance) * mask for rule, mask in self._rule_masks
        )
        return dynamics.bloc_utility(
            threat=w.threat,
            guarantee=w.guarantee,
            net_benefit=self._net_benefit,
            power_term=power,
            rule_weight=w.rule_weight,
            tension=self._tension,
        )

    @staticmethod
    def _strongest(influence: FloatArray, sets: tuple[list[np.ndarray], np.ndarray]) -> FloatArray:
        """``(R, N, B)``: per bloc, the largest influence over each state among a set of patrons.

        ``sets`` holds the distinct patron sets and, per bloc, which one applies; an
        empty set gives 0 (shares are >= 0).
        """
        groups, which = sets
        values: list[FloatArray] = []
        for patrons in groups:
            if len(patrons) == 0:
                values.append(np.zeros_like(influence[:, 0, :]))
                continue
            v = influence[:, patrons[0], :]
            for p in patrons[1:]:
                v = np.maximum(v, influence[:, p, :])
            values.append(v)
        return np.stack([values[g] for g in which], axis=-1)

    def _imbalance_change(self, mem: FloatArray) -> FloatArray:
        """``(R, N, B)``: how much membership of b (against none) widens a state's tilt.

        A state's ties to a great power are the number of its blocs that power
        leads; its tilt is the largest minus the smallest tie count over the
        powers that lead blocs.
        """
        if not self._has_hedgers or self._lead_by_power.shape[1] == 0:  # no blocs, no tilt
            return np.zeros(mem.shape)
        R, N, B = mem.shape
        # great powers on the leading axis: reductions over it are elementwise and fast
        ties = (mem.reshape(R * N, B) @ self._lead_by_power).T.reshape(-1, R, N, 1)  # (G, R, N, 1)
        d = self._lead_by_power.T[:, None, None, :]  # (G, 1, 1, B)
        with_b = ties + (1.0 - mem)[None] * d
        without_b = ties - mem[None] * d
        tilt_with = with_b.max(axis=0) - with_b.min(axis=0)
        tilt_without = without_b.max(axis=0) - without_b.min(axis=0)
        return tilt_with - tilt_without

    def switch_gain(self) -> FloatArray:
        """``(R, N, B)``: utility of switching (joining or leaving) each bloc minus staying."""
        utility = self.bloc_utility()
        return np.where(self.world.member, -utility, utility)

    def switch_probabilities(self) -> FloatArray:
        """``(R, N, B)``: this month's probability that each state switches each bloc.

        Zero where the switch is not allowed (a leader refuses, the bloc is
        closed to the state, or the state leads a bloc); the noise-free model
        switches deterministically instead (see :func:`sim.dynamics.deterministic_switch`).
        """
        w = self.world
        self._membership_terms()
        p = dynamics.switch_probability(
            self.switch_gain(),
            temperature=w.choice_temperature,
            hysteresis=w.hysteresis,
            rate=w.switch_rate,
        )
        return p * self._allowed

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
        if w.stochastic:
            switch = draws < self.switch_probabilities()
        else:
            switch = dynamics.deterministic_switch(self.switch_gain(), hysteresis=w.hysteresis)
        switch &= self._allowed
        switched = switch.any(axis=(1, 2))
        if switched.any():
            w.member = w.member ^ switch
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
