"""Decision rules: how states align and how patrons spend.

Each rule is a small class whose docstring names the literature it comes
from, with a ``classifier`` dict that lets users list and filter rules (in
the manner of the Axelrod library's strategy classifiers)::

    >>> from sim.rules import ALIGNMENT_RULES, filtered_rules
    >>> [r.name for r in filtered_rules(ALIGNMENT_RULES, accepts_dual_membership=True)]
    ['hedging']

Rules work on arrays with a leading run axis and any number of states, so
the same rule serves one State agent (its own rows) and a whole ensemble.
The math they rely on lives in :mod:`sim.dynamics`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from sim.dynamics import FloatArray

# --------------------------------------------------------------------------- alignment


class AlignmentRule:
    """How a state weighs a bloc's leader against its rivals.

    Subclasses define :meth:`power_term`, the part of a bloc's utility that
    depends on the great powers' influence over the state. The rest of the
    utility (security benefit, economic benefit, cost, tension with rival
    blocs) is common to all rules and computed by the model.

    Attributes:
        name: The key used in scenario files (``alignment_rule: hedging``).
        reference: The literature the rule comes from.
        classifier: Metadata for listing and filtering rules.
        tension_scale: How much membership of rival blocs bothers the state (0..1).
    """

    name: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = {}
    tension_scale: ClassVar[float] = 1.0

    def power_term(
        self, lead: FloatArray, rival: FloatArray, imbalance_change: FloatArray
    ) -> FloatArray:
        """The influence-dependent utility of belonging to each bloc.

        Args:
            lead: ``(R, n, B)`` influence over the state of bloc b's strongest leader.
            rival: ``(R, n, B)`` influence of the strongest patron not leading b.
            imbalance_change: ``(R, n, B)`` how much belonging to b (against not)
                widens the gap between the great powers the state is tied to through
                blocs (max minus min over bloc leaders of the number of the state's
                blocs each leads). Negative when b evens out its ties.

        Returns:
            ``(R, n, B)`` utility terms.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Bandwagoning(AlignmentRule):
    """Join the side of the stronger power.

    A state bandwagons when it aligns with the source of danger or of power
    in the hope of sharing the gains (Walt 1987, ch. 2; Schweller 1994,
    "Bandwagoning for Profit", International Security 19(1)). The more the
    bloc's leader already holds the state, relative to its strongest rival,
    the more the bloc is worth.

    Utility term: ``lead - rival``.
    """

    name = "bandwagoning"
    reference = "Walt, The Origins of Alliances (1987); Schweller, Int. Security 19(1) (1994)"
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "bandwagoning",
        "uses_influence": True,
        "accepts_dual_membership": False,
        "literature": ["Walt 1987", "Schweller 1994"],
    }
    tension_scale = 1.0

    def power_term(
        self, lead: FloatArray, rival: FloatArray, imbalance_change: FloatArray
    ) -> FloatArray:
        return lead - rival


class Balancing(AlignmentRule):
    """Ally against the dominant power.

    Balance-of-threat theory: states ally against the power that threatens
    them most, which in this model is the patron already holding most of
    them (Walt 1987, ch. 2 and 5; Waltz 1979, Theory of International
    Politics). A bloc is worth more the weaker its leader is relative to its
    strongest rival over the state.

    Utility term: ``rival - lead``.
    """

    name = "balancing"
    reference = (
        "Walt, The Origins of Alliances (1987); Waltz, Theory of International Politics (1979)"
    )
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "balancing",
        "uses_influence": True,
        "accepts_dual_membership": False,
        "literature": ["Walt 1987", "Waltz 1979"],
    }
    tension_scale = 1.0

    def power_term(
        self, lead: FloatArray, rival: FloatArray, imbalance_change: FloatArray
    ) -> FloatArray:
        return rival - lead


class Hedging(AlignmentRule):
    """Keep a foot in each camp.

    Hedging is an insurance-seeking behaviour under high uncertainty: the
    state pursues returns from every power while keeping fallback options,
    avoiding a clear choice of side (Kuik 2021, "Getting hedging right",
    China International Strategy Review 3; Kuik 2008, Contemporary
    Southeast Asia 30(2)). A bloc is worth more when it evens out the
    state's ties to the great powers and less when it tilts them, and dual
    membership of rival blocs costs nothing.

    Utility term: ``-imbalance_change / 2``.
    """

    name = "hedging"
    reference = "Kuik, China Int. Strategy Review 3 (2021); Kuik, Contemp. SE Asia 30(2) (2008)"
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "hedging",
        "uses_influence": False,
        "accepts_dual_membership": True,
        "literature": ["Kuik 2008", "Kuik 2021"],
    }
    tension_scale = 0.0

    def power_term(
        self, lead: FloatArray, rival: FloatArray, imbalance_change: FloatArray
    ) -> FloatArray:
        return -0.5 * imbalance_change


# --------------------------------------------------------------------------- patrons


class PatronStrategy:
    """How a patron splits its monthly budget across targets and instruments.

    Attributes:
        name: The key used in scenario files (``strategy: adaptive``).
        reference: The literature the strategy comes from.
        classifier: Metadata for listing and filtering strategies.
    """

    name: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = {}

    def shares(
        self,
        current: FloatArray,
        *,
        marginal: FloatArray,
        value: FloatArray,
        allowed: FloatArray,
        adapt_rate: FloatArray,
    ) -> FloatArray:
        """Next month's budget shares.

        Args:
            current: ``(R, N, K)`` this month's shares (sum to 1 over N, K, or all 0).
            marginal: ``(R, N, K)`` marginal influence per US$ million
                (:func:`sim.dynamics.marginal_influence_per_dollar`).
            value: ``(R, N)`` the target's strategic value to the patron.
            allowed: ``(N, K)`` 1 where the patron may spend.
            adapt_rate: ``(R,)`` fraction of the budget that may move per month.

        Returns:
            ``(R, N, K)`` shares.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class FixedShares(PatronStrategy):
    """Spend the same shares every month.

    A routine, bureaucratic budget: organisations repeat last year's
    allocation (Lindblom 1959, "The Science of Muddling Through"; Wildavsky
    1964, The Politics of the Budgetary Process). The baseline against which
    adaptive strategies are judged, and what monotonicity tests assume.
    """

    name = "fixed"
    reference = "Lindblom, Public Administration Review 19 (1959); Wildavsky (1964)"
    classifier: ClassVar[dict[str, Any]] = {"adaptive": False, "uses_gradient": False}

    def shares(
        self,
        current: FloatArray,
        *,
        marginal: FloatArray,
        value: FloatArray,
        allowed: FloatArray,
        adapt_rate: FloatArray,
    ) -> FloatArray:
        return current


class MarginalValue(PatronStrategy):
    """Move budget toward the highest marginal influence per dollar.

    Each month a fraction ``adapt_rate`` of the budget moves to the
    (target, instrument) cell with the highest strategic value times
    marginal influence per dollar, the analytic derivative of the Tullock
    contest (Tullock 1980; Nti 1999, "Rent-seeking with asymmetric
    valuations", Public Choice 98). Partial adjustment toward a best
    response is the classic learning dynamic of Fudenberg & Levine (1998),
    The Theory of Learning in Games.
    """

    name = "adaptive"
    reference = "Tullock (1980); Nti, Public Choice 98 (1999); Fudenberg & Levine (1998)"
    classifier: ClassVar[dict[str, Any]] = {"adaptive": True, "uses_gradient": True}

    def shares(
        self,
        current: FloatArray,
        *,
        marginal: FloatArray,
        value: FloatArray,
        allowed: FloatArray,
        adapt_rate: FloatArray,
    ) -> FloatArray:
        R = current.shape[0]
        score = np.where(allowed[None] > 0, marginal * value[:, :, None], -np.inf)
        best = score.reshape(R, -1).argmax(axis=1)  # ties: the first cell
        has_budget = current.reshape(R, -1).sum(axis=1) > 0
        rho = adapt_rate * has_budget
        new = current * (1.0 - rho)[:, None, None]
        new.reshape(R, -1)[np.arange(R), best] += rho
        return new


# --------------------------------------------------------------------------- registries

ALIGNMENT_RULES: dict[str, type[AlignmentRule]] = {
    c.name: c for c in (Balancing, Bandwagoning, Hedging)
}
PATRON_STRATEGIES: dict[str, type[PatronStrategy]] = {
    c.name: c for c in (FixedShares, MarginalValue)
}


def filtered_rules(registry: dict[str, type[Any]], **criteria: Any) -> list[type[Any]]:
    """Rules (or strategies) whose classifier matches every criterion.

    Args:
        registry: :data:`ALIGNMENT_RULES` or :data:`PATRON_STRATEGIES`.
        **criteria: classifier keys and the values wanted.

    Returns:
        The matching classes, sorted by name.
    """
    out = []
    for cls in registry.values():
        if all(cls.classifier.get(k) == v for k, v in criteria.items()):
            out.append(cls)
    return sorted(out, key=lambda c: c.name)


def describe_rules() -> list[dict[str, Any]]:
    """One row per rule and strategy: kind, name, reference, classifier (for tables)."""
    rows: list[dict[str, Any]] = []
    registries: tuple[tuple[str, dict[str, Any]], ...] = (
        ("alignment", ALIGNMENT_RULES),
        ("patron", PATRON_STRATEGIES),
    )
    for kind, reg in registries:
        for name, cls in sorted(reg.items()):
            doc = (cls.__doc__ or "").strip().splitlines()[0]
            rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "summary": doc,
                    "reference": cls.reference,
                    **cls.classifier,
                }
            )
    return rows
