"""The model's Mesa agents: states (some of them patrons) and blocs.

Agents are readable views onto the rows of the ensemble's arrays
(:class:`sim.world.World`): a State reads its own column of every array, for
all runs at once. Each decision is a method of its agent, called by the
model through Mesa's AgentSet: a State weighs its blocs
(:meth:`State.choose_blocs`), a patron splits its budget
(:meth:`State.allocate`). The math is in :mod:`sim.dynamics`, the decision
rules in :mod:`sim.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.discrete_space import Cell, FixedAgent

from sim import dynamics
from sim.dynamics import FloatArray
from sim.errors import InputError
from sim.rules import (
    ALIGNMENT_RULES,
    PATRON_STRATEGIES,
    AlignmentRule,
    BlocView,
    PatronStrategy,
)

if TYPE_CHECKING:
    from sim.model import InfluenceModel


class State(FixedAgent):
    """A country on the map of land borders.

    A State with a regional budget is also a *patron* (China, Russia, and
    Pakistan towards Afghanistan): it has a :attr:`strategy` and allocates.

    Attributes:
        name: The country's name as in the scenario.
        index: Its column in the World's arrays.
        rule: Its alignment rule (balancing, bandwagoning or hedging).
        strategy: Its patron strategy, or None if it is not a patron.
        patron_row: Its row in the patron axis, or None.
    """

    model: InfluenceModel

    def __init__(
        self,
        model: InfluenceModel,
        *,
        name: str,
        index: int,
        cell: Cell,
        rule: str,
        strategy: str | None = None,
        patron_row: int | None = None,
    ) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.cell = cell
        self.rule: AlignmentRule = ALIGNMENT_RULES[rule]()
        self.strategy: PatronStrategy | None = (
            PATRON_STRATEGIES[strategy]() if strategy is not None else None
        )
        self.patron_row = patron_row

    def __repr__(self) -> str:
        return f"State({self.name!r})"

    # ------------------------------------------------------------------ readable state
    @property
    def is_patron(self) -> bool:
        return self.strategy is not None

    @property
    def gdp(self) -> FloatArray:
        """GDP in US$ million, one value per run."""
        return self.model.world.gdp[:, self.index]

    @property
    def threat(self) -> FloatArray:
        """Threat in [0, 1], one value per run."""
        return self.model.world.threat[:, self.index]

    @property
    def influence(self) -> FloatArray:
        """``(R, P)``: each patron's share of this state, every run."""
        return self.model.world.influence[:, :, self.index]

    def _run(self, run: int | None) -> int:
        """The run asked for; with several runs, one must be named."""
        R = self.model.world.R
        if run is None:
            if R == 1:
                return 0
            raise InputError(
                f"the model holds an ensemble of {R} runs; pass run=0..{R - 1} "
                f"(or read .influence, shaped (runs, patrons), for all of them)"
            )
        if not -R <= run < R:
            raise InputError(f"run {run} does not exist; expected 0..{R - 1}")
        return run

    def influence_of(self, patron: str, run: int | None = None) -> float:
        """The share of this state that ``patron`` holds (in run ``run`` of an ensemble)."""
        return float(self.influence[self._run(run), self.model.world.patron(patron)])

    def dominant_patron(self, run: int | None = None) -> str | None:
        """The patron holding the largest share of this state, or None if nobody holds any."""
        row = self.influence[self._run(run)]
        if row.size == 0 or row.max() <= 0:
            return None
        return self.model.world.patrons[int(np.argmax(row))]

    def memberships(self, run: int | None = None) -> list[str]:
        """The blocs this state belongs to (in run ``run`` of an ensemble)."""
        w = self.model.world
        r = self._run(run)
        return [b for j, b in enumerate(w.blocs) if w.member[r, self.index, j]]

    def bloc_utilities(self) -> FloatArray:
        """``(R, B)``: what belonging to each bloc is worth to this state now."""
        return self.model.bloc_utility()[:, self.index, :]

    def switch_probabilities(self) -> FloatArray:
        """``(R, B)``: how likely this state is to join (or leave) each bloc this month."""
        return self.model.switch_probabilities()[:, self.index, :]

    # ------------------------------------------------------------------ decisions
    def utility_of_blocs(self, base: FloatArray, view: BlocView) -> FloatArray:
        """``(R, 1, B)``: the common part of each bloc's utility plus this state's rule.

        Args:
            base: ``(R, 1, B)`` security benefit, economic benefit and costs.
            view: This state's rows of the month's :class:`~sim.rules.BlocView`.
        """
        w = self.model.world
        return base + w.rule_weight[:, None, None] * self.rule.power_term(view)

    def choose_blocs(self) -> None:
        """Weigh every bloc this state could join or leave, and decide (all runs at once).

        The state weighs each bloc by the security it guarantees against the state's
        threat, its economic benefit, the bloc's and the state's own costs of
        membership, and the great powers' hold on the state as its alignment rule
        reads it (bandwagoning, balancing, hedging); it switches when the gain clears
        its hysteresis band, noisily (logit) unless the scenario turns noise off, and
        only where the bloc's leaders would admit it. It decides on the month's
        snapshot (:attr:`InfluenceModel.choice`) and records its choice for the model
        to apply with everyone else's.
        """
        m = self.model
        w = m.world
        c = m.choice
        if c is None:
            return
        i = slice(self.index, self.index + 1)
        utility = self.utility_of_blocs(
            c.base[:, i], BlocView(c.view.side[:, i], c.view.spread_change[:, i])
        )
        m.utility[:, i] = utility
        gain = np.where(w.member[:, i], -utility, utility)
        allowed = c.allowed[:, i]
        if w.stochastic:
            p = dynamics.switch_probability(
                gain,
                temperature=w.choice_temperature,
                hysteresis=w.hysteresis,
                rate=w.switch_rate,
            )
            switch = c.draws[:, i] < p
        else:
            switch = dynamics.deterministic_switch(gain, hysteresis=w.hysteresis)
            p = switch.astype(float)
        m.p_switch[:, i] = np.where(allowed, p, 0.0)
        m._switch[:, i] = switch & allowed

    def allocate(self) -> None:
        """A patron splits next month's budget across targets and instruments.

        Its strategy reads what the patron sees (:meth:`InfluenceModel.allocation_view`:
        the marginal influence per dollar of every cell, the targets' strategic
        values, the stock-months a dollar buys within its planning horizon, its
        instrument mix, the cells hosts still admit) and returns next month's shares;
        the model turns shares into spending for all patrons at once.
        """
        if self.strategy is None or self.patron_row is None:
            return
        w = self.model.world
        p = self.patron_row
        w.shares[:, p] = self.strategy.shares(w.shares[:, p], self.model.allocation_view(p))

    # kept for code written against 0.1
    adapt_shares = allocate


class Bloc(mesa.Agent):
    """A bloc (the CSTO, the Quartet, the SCO, the EAEU...).

    A state may belong to several blocs at once, so each bloc keeps its own
    member set (a column of the World's membership array).

    Attributes:
        name: The bloc's name.
        index: Its column in the membership array.
        kind: ``security``, ``economic`` or ``forum``.
        leaders: Names of the patrons that lead it.
    """

    model: InfluenceModel

    def __init__(
        self, model: InfluenceModel, *, name: str, index: int, kind: str, leaders: list[str]
    ) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.kind = kind
        self.leaders = list(leaders)

    def __repr__(self) -> str:
        return f"Bloc({self.name!r})"

    def members(self, run: int | None = None) -> list[str]:
        """Names of the members (in run ``run`` of an ensemble), in scenario order."""
        w = self.model.world
        R = w.R
        if run is None:
            if R > 1:
                raise InputError(
                    f"the model holds an ensemble of {R} runs; pass run=0..{R - 1} "
                    "(or read .size for all of them)"
                )
            run = 0
        if not -R <= run < R:
            raise InputError(f"run {run} does not exist; expected 0..{R - 1}")
        return [a for i, a in enumerate(w.actors) if w.member[run, i, self.index]]

    @property
    def size(self) -> np.ndarray:
        """Number of members, one value per run."""
        return self.model.world.member[:, :, self.index].sum(axis=1)


__all__ = ["Bloc", "State"]
