"""The numeric state of an ensemble: arrays with a leading run axis.

A :class:`World` is built from one scenario per run. The runs must share a
*structure* (the same actors, patrons, blocs, borders, events, rules and
strategies, in the same order); their numbers may differ, which is how a
sweep puts R parameter sets of one scenario into one ensemble.
:func:`structure_key` tells which scenarios can share a World.

Each run draws its randomness from its own stream, seeded from the run's
seed through :class:`numpy.random.SeedSequence`, in fixed-size blocks, so run
``r`` of an ensemble sees exactly the numbers it would see alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import dynamics
from sim.dynamics import BoolArray, FloatArray
from sim.errors import InputError
from sim.scenario import BLOC_KINDS, INSTRUMENTS, AidEvent, MembershipEvent, Scenario, SetEvent

K = len(INSTRUMENTS)
#: Months of random numbers drawn per run at a time (fixed, so streams do not
#: depend on the ensemble size or the number of months).
RNG_BLOCK_MONTHS = 60

SeedLike = int | np.random.SeedSequence

#: A knockout removes one instrument from one patron's toolkit in one run, in one target or
#: (target None) in all: (patron, instrument, target).
Knockout = tuple[str, str, str | None]


def structure_key(sc: Scenario) -> str:
    """A hash of everything that is not a number: scenarios with equal keys share a World."""
    blocs = {
        b: (bl.kind, bl.leaders, bl.admission, sorted(bl.invited), sorted(bl.rivals))
        for b, bl in sc.blocs.items()
    }
    events: list[tuple[str, ...]] = []
    for name, ev in sc.events.items():
        if isinstance(ev, AidEvent):
            events.append((name, ev.type, ev.patron, ev.target, ev.instrument))
        elif isinstance(ev, SetEvent):
            events.append((name, ev.type, ev.path))
        elif isinstance(ev, MembershipEvent):
            events.append((name, ev.type, ev.state, ev.bloc))
        else:
            events.append((name, ev.type, ev.target))
    rule_override = sc.parameters.alignment_rule
    blob = {
        "actors": list(sc.actors),
        "rules": [rule_override or a.alignment_rule for a in sc.actors.values()],
        "patrons": list(sc.patrons),
        "strategies": [p.strategy for p in sc.patrons.values()],
        "targets": [sorted(set(p.allocation) | set(p.value)) for p in sc.patrons.values()],
        "blocs": blocs,
        "borders": sorted(tuple(sorted(b)) for b in sc.borders),
        "events": events,
        "region": region_of(sc),
        "rivalry": rivalry_of(sc),
        "stochastic": sc.parameters.stochastic,
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def region_of(sc: Scenario) -> list[str]:
    """The contested region: the scenario's ``region``, else every actor that leads no bloc."""
    leaders = {lead for b in sc.blocs.values() for lead in b.leaders}
    return [a for a in sc.actors if a not in leaders]


def rivalry_of(sc: Scenario) -> tuple[str, str] | None:
    """The challenger and incumbent compared in summaries.

    The scenario's ``rivalry`` if given; otherwise the two patrons with the largest
    GDP, the larger economy as challenger (ties broken by name), so that the order
    in which the file lists patrons never matters.
    """
    if sc.rivalry is not None:
        return (sc.rivalry[0], sc.rivalry[1])
    if len(sc.patrons) < 2:
        return None
    ranked = sorted(sc.patrons, key=lambda p: (-sc.usd(sc.actors[p].gdp), p))
    return (ranked[0], ranked[1])


@dataclass
class World:
    """All numbers of an ensemble of R runs, and their random streams.

    Attributes are numpy arrays whose first axis is the run (see
    :mod:`sim.dynamics` for the shape letters). Structural lists (names,
    rules) are shared by all runs.
    """

    scenarios: list[Scenario]
    seeds: list[SeedLike]
    actors: list[str]
    patrons: list[str]
    blocs: list[str]
    patron_index: np.ndarray  # (P,) actor index of each patron
    # targets
    gdp: FloatArray
    population: FloatArray
    autonomy_base: FloatArray
    threat_baseline_base: FloatArray
    base_weights: FloatArray
    dependency: FloatArray  # (R, P, N) fixed leverage effort, fraction of GDP
    shock_rate: FloatArray
    shock_size: FloatArray
    own_cost: FloatArray  # (R, N, B) the state's own cost of membership of each bloc (its kind)
    foreign_cap: FloatArray  # (R, N) host consent: security stock per foreign patron / GDP (inf)
    rule_names: list[str]
    # patrons
    budget_base: FloatArray  # (R, P) US$ million / month
    attention_base: FloatArray  # (R, P)
    strategy_names: list[str]
    adapt_rate: FloatArray  # (R, P)
    horizon: FloatArray  # (R, P) months
    mix_low: FloatArray  # (R, P, K)
    mix_high: FloatArray  # (R, P, K)
    value: FloatArray  # (R, P, N)
    allowed: BoolArray  # (R, P, N, K) cells a patron may spend on (knockouts removed)
    knockout: BoolArray  # (R, P, N, K) cells removed from a patron's toolkit
    # blocs
    leads: BoolArray  # (B, P)
    leader_actor: BoolArray  # (B, N)
    boost: FloatArray  # (R, B, K)
    guarantee: FloatArray  # (R, B)
    economic_benefit: FloatArray  # (R, B)
    cost: FloatArray  # (R, B)
    bloc_cap: FloatArray  # (R, B) host consent in members for outsiders' security / GDP (inf)
    admissible: BoolArray  # (B, N) may join if not refused
    rivals: BoolArray  # (B, B)
    chooser: BoolArray  # (N, B) whether state n decides on bloc b
    # parameters (R,)
    decisiveness: FloatArray
    retention: FloatArray  # (R, K)
    half_life: FloatArray  # (R, K)
    threat_reversion: FloatArray
    spillover: FloatArray
    security_relief: FloatArray
    threat_sensitivity: FloatArray
    choice_temperature: FloatArray
    hysteresis: FloatArray
    switch_rate: FloatArray
    rule_weight: FloatArray
    absorption: FloatArray  # (R, K) absorptive capacity, fraction of GDP
    partner_share: FloatArray
    stochastic: bool
    borders: dynamics.Borders  # land borders, read from the model's Mesa network
    region: list[str]
    rivalry: tuple[str, str] | None
    # dynamic state
    stocks: FloatArray  # (R, P, N, K)
    shares: FloatArray  # (R, P, N, K)
    flow: FloatArray  # (R, P, N, K)
    refused: FloatArray  # (R, P, N) security money the host did not admit this month
    threat: FloatArray  # (R, N)
    member: BoolArray  # (R, N, B)
    influence: FloatArray  # (R, P, N)
    effort: FloatArray  # (R, P, N)
    effort_parts: FloatArray  # (R, P, N, K) each instrument's part of the effort
    # effective (event-adjusted) parameters this month
    budget: FloatArray = field(init=False)
    attention: FloatArray = field(init=False)
    autonomy: FloatArray = field(init=False)
    threat_baseline: FloatArray = field(init=False)
    rngs: list[np.random.Generator] = field(init=False)
    _uniform_block: FloatArray = field(init=False)
    _block_start: int = field(init=False, default=-(10**9))
    _draw_order: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.budget = self.budget_base.copy()
        self.attention = self.attention_base.copy()
        self.autonomy = self.autonomy_base.copy()
        self.threat_baseline = self.threat_baseline_base.copy()
        self.rngs = [np.random.default_rng(_seed_sequence(s)) for s in self.seeds]
        self._uniform_block = np.empty((0, self.R, self.n_uniforms))
        self._draw_order = _draw_order(self.actors, self.blocs)

    # ------------------------------------------------------------------ sizes
    @property
    def R(self) -> int:
        return self.gdp.shape[0]

    @property
    def N(self) -> int:
        return len(self.actors)

    @property
    def P(self) -> int:
        return len(self.patrons)

    @property
    def B(self) -> int:
        return len(self.blocs)

    @property
    def n_uniforms(self) -> int:
        """Uniform draws per run per month: one per (state, bloc) choice, one per state shock."""
        return self.N * self.B + self.N

    # ------------------------------------------------------------------ randomness
    def uniforms(self, month: int) -> FloatArray:
        """This month's uniform draws, ``(R, n_uniforms)``, from each run's own stream."""
        start = (month // RNG_BLOCK_MONTHS) * RNG_BLOCK_MONTHS
        if start != self._block_start:
            if start < self._block_start:
                raise RuntimeError("months must advance; re-create the model to rewind")
            drawn = np.stack([g.random((RNG_BLOCK_MONTHS, self.n_uniforms)) for g in self.rngs])
            # draws are made in name order and laid out in position order, so the order in
            # which a scenario lists its actors and blocs does not change who draws what;
            # months first, so that each month is one contiguous (R, n_uniforms) slab
            self._uniform_block = np.take(drawn.transpose(1, 0, 2), self._draw_order, axis=2)
            self._block_start = start
        return self._uniform_block[month - start]

    # ------------------------------------------------------------------ lookups
    def actor(self, name: str) -> int:
        try:
            return self.actors.index(name)
        except ValueError:
            raise InputError(f"unknown actor {name!r}; expected one of {self.actors}") from None

    def patron(self, name: str) -> int:
        try:
            return self.patrons.index(name)
        except ValueError:
            raise InputError(f"unknown patron {name!r}; expected one of {self.patrons}") from None

    def bloc(self, name: str) -> int:
        try:
            return self.blocs.index(name)
        except ValueError:
            raise InputError(f"unknown bloc {name!r}; expected one of {self.blocs}") from None

    # ------------------------------------------------------------------ derived quantities
    def bloc_standing(self, runs: np.ndarray | slice = slice(None)) -> FloatArray:
        """``(r, B, P)``: 1 where a patron leads a bloc, ``partner_share`` where it is a member."""
        member = self.member[runs]
        patron_member = member[:, self.patron_index, :].transpose(0, 2, 1)  # (r, B, P)
        partner = patron_member * self.partner_share[runs][:, None, None]
        return np.where(self.leads[None], 1.0, partner)

    def multiplier(self, runs: np.ndarray | slice = slice(None)) -> FloatArray:
        """``(r, P, N, K)`` bloc multipliers of the current memberships (of ``runs``)."""
        return dynamics.bloc_multiplier(
            self.member[runs], self.bloc_standing(runs), self.boost[runs]
        )

    def capacity(self) -> FloatArray:
        """``(R, 1, N, K)`` absorptive capacity in US$ million: ``alpha_k GDP[t]``."""
        return np.asarray(self.absorption[:, None, None, :] * self.gdp[:, None, :, None])

    def security_cap(self, runs: np.ndarray | slice = slice(None)) -> FloatArray:
        """``(r, P, N)`` host consent: the largest security stock / GDP each host admits.

        The tighter of the host's own limit on foreign patrons (``foreign_security_cap``)
        and, for each security bloc with ``third_party_security_cap`` the host belongs
        to, that bloc's limit on patrons outside it (the CSTO's December 2011 protocol).
        inf where nothing limits it.
        """
        member = self.member[runs]  # (r, N, B)
        cap = np.broadcast_to(self.foreign_cap[runs][:, None, :], (member.shape[0], self.P, self.N))
        cap = np.array(cap)
        limited = np.isfinite(self.bloc_cap[runs])  # (r, B)
        if limited.any():
            inside = member[:, self.patron_index, :]  # (r, P, B): patron is in bloc b
            for b in np.flatnonzero(limited.any(axis=0)):
                host_in = member[:, :, b]  # (r, N)
                outsider = ~inside[:, :, b]  # (r, P)
                applies = host_in[:, None, :] & outsider[:, :, None]
                cap = np.where(applies, np.minimum(cap, self.bloc_cap[runs][:, b, None, None]), cap)
        return cap

    def weights(self) -> FloatArray:
        """``(R, N, K)`` what each target values now (security weight grows with threat)."""
        return dynamics.instrument_weights(self.base_weights, self.threat, self.threat_sensitivity)

    def security_share(self) -> FloatArray:
        """``(R, N)`` all patrons' security stocks, as absorbed, as a fraction of each GDP."""
        sec = dynamics.absorbed(self.stocks[..., 1], self.capacity()[..., 1])
        return np.asarray(sec.sum(axis=1) / self.gdp)


def _draw_order(actors: Sequence[str], blocs: Sequence[str]) -> np.ndarray:
    """Column ``k`` of a month's draws (position order) is column ``order[k]`` of name order.

    Position layout: the choice of state n about bloc b at ``n * B + b``, then the
    shock of state n at ``N * B + n``; name layout: the same with states and blocs
    sorted by name.
    """
    N, B = len(actors), len(blocs)
    rank_a = np.argsort(np.argsort(np.array(actors, dtype=object), kind="stable"), kind="stable")
    rank_b = np.argsort(np.argsort(np.array(blocs, dtype=object), kind="stable"), kind="stable")
    choice = (rank_a[:, None] * B + rank_b[None, :]).ravel() if B else np.zeros(0, dtype=int)
    return np.concatenate([choice, N * B + rank_a]).astype(int)


def _seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))


def _stack(values: Sequence[Any]) -> FloatArray:
    return np.asarray(values, dtype=float)


def build_world(
    scenarios: Sequence[Scenario],
    seeds: Sequence[SeedLike],
    *,
    borders: dynamics.Borders | None = None,
    knockouts: Sequence[Sequence[Knockout]] | None = None,
) -> World:
    """Build the arrays of an ensemble: one scenario and one seed per run.

    Args:
        scenarios: One validated scenario per run, all with the same structure.
        seeds: One seed (int or SeedSequence) per run.
        borders: The land borders (the model reads them from its Mesa network);
            default: the first scenario's ``borders``.
        knockouts: Per run, the (patron, instrument, target) cells removed from the
            patrons' toolkits (target None: every target): their stocks start at 0 and the
            patron cannot spend on them, its aid included (attribution counterfactuals,
            :mod:`sim.attribution`). Default: none.

    Raises:
        InputError: the scenarios differ in structure, or the counts do not match.
    """
    if not scenarios:
        raise InputError("an ensemble needs at least one scenario; got none")
    if knockouts is not None and len(knockouts) != len(scenarios):
        raise InputError(
            f"got {len(scenarios)} scenarios but {len(knockouts)} knockout lists; expected one each"
        )
    if len(seeds) != len(scenarios):
        raise InputError(
            f"got {len(scenarios)} scenarios but {len(seeds)} seeds; expected one each"
        )
    key0 = structure_key(scenarios[0])
    for i, sc in enumerate(scenarios[1:], start=1):
        if structure_key(sc) != key0:
            raise InputError(
                f"run {i} ({sc.name}) differs in structure (actors, blocs, events, rules) "
                "from run 0; expected runs that differ only in numbers "
                "(group them by sim.world.structure_key)"
            )
    s0 = scenarios[0]
    actors = list(s0.actors)
    patrons = list(s0.patrons)
    blocs = list(s0.blocs)
    N, P, B = len(actors), len(patrons), len(blocs)
    a_idx = {a: i for i, a in enumerate(actors)}
    p_idx = {p: i for i, p in enumerate(patrons)}

    def per_actor(fn: Any) -> FloatArray:
        return _stack([[fn(sc, sc.actors[a]) for a in actors] for sc in scenarios])

    gdp = per_actor(lambda sc, a: sc.usd(a.gdp))
    population = per_actor(lambda sc, a: a.population)
    autonomy = per_actor(lambda sc, a: a.autonomy)
    threat0 = per_actor(lambda sc, a: a.threat)
    baseline = per_actor(lambda sc, a: a.threat if a.threat_baseline is None else a.threat_baseline)
    base_weights = _stack([[sc.actors[a].weights.as_tuple() for a in actors] for sc in scenarios])
    shock_rate = per_actor(lambda sc, a: a.shock_rate)
    shock_size = per_actor(lambda sc, a: a.shock_size)
    bloc_kind = [BLOC_KINDS.index(s0.blocs[b].kind) for b in blocs]
    kind_cost = _stack(
        [[sc.actors[a].membership_cost.as_tuple() for a in actors] for sc in scenarios]
    ).reshape(len(scenarios), N, len(BLOC_KINDS))
    own_cost = kind_cost[:, :, bloc_kind] if B else np.zeros((len(scenarios), N, 0))
    foreign_cap = per_actor(
        lambda sc, a: np.inf if a.foreign_security_cap is None else a.foreign_security_cap
    )
    dependency = np.zeros((len(scenarios), P, N))
    for r, sc in enumerate(scenarios):
        for a, actor in sc.actors.items():
            for p, dep in actor.dependencies.items():
                dependency[r, p_idx[p], a_idx[a]] += dep.weight * dep.share_of_gdp
    rule_override = s0.parameters.alignment_rule
    rule_names = [rule_override or s0.actors[a].alignment_rule for a in actors]

    budget = _stack([[sc.usd(sc.patrons[p].budget) for p in patrons] for sc in scenarios])
    attention = _stack([[sc.patrons[p].attention for p in patrons] for sc in scenarios])
    adapt_rate = _stack([[sc.patrons[p].adapt_rate for p in patrons] for sc in scenarios])
    horizon = _stack([[sc.patrons[p].horizon for p in patrons] for sc in scenarios])
    mix = _stack([[sc.patrons[p].mix.as_array() for p in patrons] for sc in scenarios]).reshape(
        len(scenarios), P, K, 2
    )
    strategy_names = [s0.patrons[p].strategy for p in patrons]
    value = np.ones((len(scenarios), P, N))
    shares = np.zeros((len(scenarios), P, N, K))
    stocks = np.zeros((len(scenarios), P, N, K))
    targets = np.zeros((P, N), dtype=bool)
    for r, sc in enumerate(scenarios):
        for p, pat in sc.patrons.items():
            i = p_idx[p]
            for t, v in pat.value.items():
                value[r, i, a_idx[t]] = v
            for t, sh in pat.allocation.items():
                shares[r, i, a_idx[t]] = sh.as_tuple()
            total = shares[r, i].sum()
            if total > 0:
                shares[r, i] /= total
            for t, st in pat.stocks.items():
                stocks[r, i, a_idx[t]] = [sc.usd(getattr(st, k)) for k in INSTRUMENTS]
    for p, pat in s0.patrons.items():
        for t in set(pat.allocation) | set(pat.value):
            targets[p_idx[p], a_idx[t]] = True
    knockout = np.zeros((len(scenarios), P, N, K), dtype=bool)
    for r, kos in enumerate(knockouts or [()] * len(scenarios)):
        for who, instrument, target in kos:
            if (
                who not in p_idx
                or instrument not in INSTRUMENTS
                or (target is not None and target not in a_idx)
            ):
                raise InputError(
                    f"knockout ({who!r}, {instrument!r}, {target!r}): expected a patron of "
                    f"{patrons}, an instrument of {list(INSTRUMENTS)} and a target of {actors} "
                    "(or None)"
                )
            cells = slice(None) if target is None else a_idx[target]
            knockout[r, p_idx[who], cells, INSTRUMENTS.index(instrument)] = True
    allowed = targets[None, :, :, None] & ~knockout
    stocks[knockout] = 0.0
    shares[knockout] = 0.0

    leads = np.zeros((B, P), dtype=bool)
    leader_actor = np.zeros((B, N), dtype=bool)
    admissible = np.zeros((B, N), dtype=bool)
    rivals = np.zeros((B, B), dtype=bool)
    member = np.zeros((len(scenarios), N, B), dtype=bool)
    for b, name in enumerate(blocs):
        bl = s0.blocs[name]
        for lead in bl.leaders:
            leads[b, p_idx[lead]] = True
            leader_actor[b, a_idx[lead]] = True
        if bl.admission == "open":
            admissible[b, :] = True
        elif bl.admission == "invited":
            for s in bl.invited:
                admissible[b, a_idx[s]] = True
        for rv in bl.rivals:
            rivals[b, blocs.index(rv)] = rivals[blocs.index(rv), b] = True
    for r, sc in enumerate(scenarios):
        for b, name in enumerate(blocs):
            for m in sc.blocs[name].members:
                member[r, a_idx[m], b] = True
            for lead in sc.blocs[name].leaders:
                member[r, a_idx[lead], b] = True
    leads_any = leader_actor.any(axis=0)  # (N,) leads some bloc
    chooser = ~leads_any[:, None] & np.ones((N, B), dtype=bool)

    def per_bloc(fn: Any) -> FloatArray:
        return _stack([[fn(sc.blocs[b]) for b in blocs] for sc in scenarios]).reshape(
            len(scenarios), B
        )

    boost = _stack([[sc.blocs[b].boost.as_tuple() for b in blocs] for sc in scenarios]).reshape(
        len(scenarios), B, K
    )

    def param(name: str) -> FloatArray:
        return _stack([getattr(sc.parameters, name) for sc in scenarios])

    half_life = _stack([sc.parameters.half_life.as_tuple() for sc in scenarios])
    world = World(
        scenarios=list(scenarios),
        seeds=list(seeds),
        actors=actors,
        patrons=patrons,
        blocs=blocs,
        patron_index=np.array([a_idx[p] for p in patrons], dtype=int),
        gdp=gdp,
        population=population,
        autonomy_base=autonomy,
        threat_baseline_base=baseline,
        base_weights=base_weights,
        dependency=dependency,
        shock_rate=shock_rate,
        shock_size=shock_size,
        own_cost=own_cost,
        foreign_cap=foreign_cap,
        rule_names=rule_names,
        budget_base=budget,
        attention_base=attention,
        strategy_names=strategy_names,
        adapt_rate=adapt_rate,
        horizon=horizon,
        mix_low=mix[..., 0],
        mix_high=mix[..., 1],
        value=value,
        allowed=allowed,
        knockout=knockout,
        leads=leads,
        leader_actor=leader_actor,
        boost=boost,
        guarantee=per_bloc(lambda b: b.guarantee),
        bloc_cap=per_bloc(
            lambda b: np.inf if b.third_party_security_cap is None else b.third_party_security_cap
        ),
        economic_benefit=per_bloc(lambda b: b.economic_benefit),
        cost=per_bloc(lambda b: b.cost),
        admissible=admissible,
        rivals=rivals,
        chooser=chooser,
        decisiveness=param("decisiveness"),
        retention=dynamics.decay_factor(half_life),
        half_life=half_life,
        threat_reversion=param("threat_reversion"),
        spillover=param("spillover"),
        security_relief=param("security_relief"),
        threat_sensitivity=param("threat_sensitivity"),
        choice_temperature=param("choice_temperature"),
        hysteresis=param("hysteresis"),
        switch_rate=param("switch_rate"),
        rule_weight=param("rule_weight"),
        absorption=_stack([sc.parameters.absorption.as_tuple() for sc in scenarios]),
        partner_share=param("partner_share"),
        stochastic=bool(s0.parameters.stochastic),
        borders=borders
        if borders is not None
        else dynamics.border_edges(
            np.array([(a_idx[x], a_idx[y]) for x, y in s0.borders], dtype=int), N
        ),
        region=region_of(s0),
        rivalry=rivalry_of(s0),
        stocks=stocks,
        shares=shares,
        flow=np.zeros_like(stocks),
        refused=np.zeros((len(scenarios), P, N)),
        threat=threat0,
        member=member,
        influence=np.zeros((len(scenarios), P, N)),
        effort=np.zeros((len(scenarios), P, N)),
        effort_parts=np.zeros_like(stocks),
    )
    return world
