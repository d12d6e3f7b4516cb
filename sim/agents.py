"""The model's Mesa agents: states (some of them patrons) and blocs.

Agents are readable views onto the rows of the ensemble's arrays
(:class:`sim.world.World`): a State reads its own column of every array, for
all runs at once, and its decisions are the sentences they model. The math
is in :mod:`sim.dynamics`, the decision rules in :mod:`sim.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.discrete_space import Cell, FixedAgent

from sim.dynamics import FloatArray
from sim.rules import ALIGNMENT_RULES, PATRON_STRATEGIES, AlignmentRule, PatronStrategy

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
        """``(R, P)``: each patron's share of this state."""
        return self.model.world.influence[:, :, self.index]

    def influence_of(self, patron: str, run: int = 0) -> float:
        """The share of this state that ``patron`` holds in run ``run``."""
        return float(self.influence[run, self.model.world.patron(patron)])

    def dominant_patron(self, run: int = 0) -> str | None:
        """The patron holding the largest share of this state, or None if nobody holds any."""
        row = self.influence[run]
        if row.size == 0 or row.max() <= 0:
            return None
        return self.model.world.patrons[int(np.argmax(row))]

    def memberships(self, run: int = 0) -> list[str]:
        """The blocs this state belongs to in run ``run``."""
        w = self.model.world
        return [b for j, b in enumerate(w.blocs) if w.member[run, self.index, j]]

    def bloc_utilities(self) -> FloatArray:
        """``(R, B)``: what belonging to each bloc is worth to this state now."""
        return self.model.bloc_utility()[:, self.index, :]

    def switch_probabilities(self) -> FloatArray:
        """``(R, B)``: how likely this state is to join (or leave) each bloc this month.

        The state weighs each bloc it could join or leave: the security the
        bloc guarantees against its threat, the leader's influence over it
        against rivals' (as its alignment rule reads it), economic benefit,
        membership cost and tension with rival blocs; it switches when the
        gain clears its hysteresis band, noisily (logit), and only where the
        bloc's leaders would admit it.
        """
        return self.model.switch_probabilities()[:, self.index, :]

    # ------------------------------------------------------------------ patron behaviour
    def adapt_shares(self) -> None:
        """An adaptive patron moves part of its budget to where it buys most influence.

        Its strategy reads the marginal influence per dollar of every (target,
        instrument) cell, weighted by the target's strategic value to it, and
        returns next month's shares; the model turns shares into spending
        (budget x attention x shares) for all patrons at once.
        """
        if self.strategy is None or self.patron_row is None:
            return
        w = self.model.world
        p = self.patron_row
        w.shares[:, p] = self.strategy.shares(
            w.shares[:, p],
            marginal=self.model.marginal_influence(p),
            value=w.value[:, p],
            allowed=w.allowed[p],
            adapt_rate=w.adapt_rate[:, p],
        )


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

    def members(self, run: int = 0) -> list[str]:
        """Names of the members in run ``run``, in scenario order."""
        w = self.model.world
        return [a for i, a in enumerate(w.actors) if w.member[run, i, self.index]]

    @property
    def size(self) -> np.ndarray:
        """Number of members, one value per run."""
        return self.model.world.member[:, :, self.index].sum(axis=1)


__all__ = ["Bloc", "State"]
