"""Decision rules: how states align and how patrons spend.

Each rule is a small class whose docstring names the literature it comes
from, with a ``classifier`` dict that lets users list and filter rules (in
the manner of the Axelrod library's strategy classifiers)::

    >>> from sim.rules import ALIGNMENT_RULES, filtered_rules
    >>> [r.name for r in filtered_rules(ALIGNMENT_RULES, uses_bloc_ties=True)]
    ['hedging']

Rules work on arrays with a leading run axis and any number of states, so
the same rule serves one State agent (its own rows) and a whole ensemble.
The math they rely on lives in :mod:`sim.dynamics`.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np

from sim.dynamics import BoolArray, FloatArray

# --------------------------------------------------------------------------- alignment


class BlocView(NamedTuple):
    """What a state sees of each bloc when it weighs its memberships (all ``(R, n, B)``).

    Attributes:
        side: How far bloc b leans toward the powers that hold the state, against the
            powers' average hold (:func:`sim.dynamics.bloc_side`): positive when b
            leans toward the stronger side over the state, 0 for a bloc every power
            co-leads.
        spread_change: How much belonging to b widens the spread of the state's
            exposure to the powers, influence and bloc ties together
            (:func:`sim.dynamics.exposure_spread_change`); negative when b evens it out.
    """

    side: FloatArray
    spread_change: FloatArray


class AlignmentRule:
    """How a state weighs the great powers' hold on it when it chooses blocs.

    Subclasses define :meth:`power_term`, the part of a bloc's utility that
    depends on the powers' influence over the state. The rest of the utility
    (security benefit, economic benefit, costs) is common to all rules and
    computed by the model.

    Attributes:
        name: The key used in scenario files (``alignment_rule: hedging``).
        reference: The literature the rule comes from.
        classifier: Metadata for listing and filtering rules.
    """

    name: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = {}

    def power_term(self, view: BlocView) -> FloatArray:
        """The influence-dependent utility of belonging to each bloc.

        Args:
            view: The state's view of each bloc (:class:`BlocView`).

        Returns:
            ``(R, n, B)`` utility terms (in shares of the state: a bloc whose term is
            0.1 is worth what a tenth of the state is worth, times ``rule_weight``).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Bandwagoning(AlignmentRule):
    """Join the side of the stronger power.

    A state bandwagons when it aligns with the source of danger or of power
    in the hope of sharing the gains (Walt 1987, ch. 2; Schweller 1994,
    "Bandwagoning for Profit", International Security 19(1)). A bloc is worth
    more the more it leans toward the powers that already hold the state.

    Utility term: ``side``.
    """

    name = "bandwagoning"
    reference = "Walt, The Origins of Alliances (1987); Schweller, Int. Security 19(1) (1994)"
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "bandwagoning",
        "uses_influence": True,
        "uses_bloc_ties": False,
        "literature": ["Walt 1987", "Schweller 1994"],
    }

    def power_term(self, view: BlocView) -> FloatArray:
        return view.side


class Balancing(AlignmentRule):
    """Ally against the dominant power.

    Balance-of-threat theory: states ally against the power that threatens
    them most, which in this model is the power already holding most of
    them (Walt 1987, ch. 2 and 5; Waltz 1979, Theory of International
    Politics). A bloc is worth more the more it leans away from the powers
    that hold the state.

    Utility term: ``-side``.
    """

    name = "balancing"
    reference = (
        "Walt, The Origins of Alliances (1987); Waltz, Theory of International Politics (1979)"
    )
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "balancing",
        "uses_influence": True,
        "uses_bloc_ties": False,
        "literature": ["Walt 1987", "Waltz 1979"],
    }

    def power_term(self, view: BlocView) -> FloatArray:
        return -view.side


class Hedging(AlignmentRule):
    """Keep a foot in each camp.

    Hedging is an insurance-seeking behaviour under high uncertainty: the
    state pursues returns from every power while keeping fallback options,
    avoiding dependence on any one (Kuik 2021, "Getting hedging right",
    China International Strategy Review 3; Kuik 2008, Contemporary Southeast
    Asia 30(2)). The state counts its exposure to each power, the share the
    power holds plus the share of its blocs that lean toward it; a bloc is
    worth more the more it evens that exposure out.

    Utility term: ``-spread_change``.
    """

    name = "hedging"
    reference = "Kuik, China Int. Strategy Review 3 (2021); Kuik, Contemp. SE Asia 30(2) (2008)"
    classifier: ClassVar[dict[str, Any]] = {
        "stance": "hedging",
        "uses_influence": True,
        "uses_bloc_ties": True,
        "literature": ["Kuik 2008", "Kuik 2021"],
    }

    def power_term(self, view: BlocView) -> FloatArray:
        return -view.spread_change


# --------------------------------------------------------------------------- patrons


class AllocationView(NamedTuple):
    """What a patron sees when it splits next month's budget (one patron, all runs).

    Attributes:
        marginal: ``(R, N, K)`` marginal influence per US$ million of each (target,
            instrument) cell now (:func:`sim.dynamics.marginal_influence_per_dollar`).
        value: ``(R, N)`` each target's strategic value to the patron.
        allowed: ``(R, N, K)`` True where the patron may move money (its targets, the
            host admitting it, the instrument not knocked out).
        adapt_rate: ``(R,)`` the fraction of the budget that may move per month.
        lifetime: ``(R, K)`` stock-months a dollar of each instrument buys within the
            patron's planning horizon (:func:`sim.dynamics.lifetime_weight`).
        mix_low, mix_high: ``(R, K)`` bounds on each instrument's share of the budget.
    """

    marginal: FloatArray
    value: FloatArray
    allowed: BoolArray
    adapt_rate: FloatArray
    lifetime: FloatArray
    mix_low: FloatArray
    mix_high: FloatArray


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

    def shares(self, current: FloatArray, view: AllocationView) -> FloatArray:
        """Next month's budget shares.

        Args:
            current: ``(R, N, K)`` this month's shares (sum to 1 over N, K, or all 0).
            view: What the patron sees (:class:`AllocationView`).

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

    def shares(self, current: FloatArray, view: AllocationView) -> FloatArray:
        return current


class MarginalValue(PatronStrategy):
    """Move budget toward the highest marginal influence per dollar, over the stock's life.

    Each month a fraction ``adapt_rate`` of the budget moves toward the best
    allocation within the patron's instrument mix: the (target, instrument)
    cells with the highest strategic value times marginal influence per
    dollar (the analytic derivative of the Tullock contest; Tullock 1980; Nti
    1999, "Rent-seeking with asymmetric valuations", Public Choice 98) times
    the stock-months a dollar buys within the patron's planning horizon. The
    best allocation gives each instrument its lower bound and the rest to the
    best cells up to each instrument's upper bound. Partial adjustment toward
    a best response is the classic learning dynamic of Fudenberg & Levine
    (1998), The Theory of Learning in Games.
    """

    name = "adaptive"
    reference = "Tullock (1980); Nti, Public Choice 98 (1999); Fudenberg & Levine (1998)"
    classifier: ClassVar[dict[str, Any]] = {"adaptive": True, "uses_gradient": True}

    def shares(self, current: FloatArray, view: AllocationView) -> FloatArray:
        R = current.shape[0]
        score = allocation_score(view)
        target = bounded_best_allocation(score, view.mix_low, view.mix_high)
        has_budget = current.reshape(R, -1).sum(axis=1) > 0
        rho = (view.adapt_rate * has_budget)[:, None, None]
        return np.asarray(current * (1.0 - rho) + target * rho)


def allocation_score(view: AllocationView) -> FloatArray:
    """``(R, N, K)`` value x marginal influence per dollar x lifetime; -inf where not allowed.

    A target the patron values at 0 scores 0 whatever its marginal (never NaN, even
    where the marginal is infinite because nobody holds anything of a state without
    autonomy); infinite marginals count as the largest finite score.
    """
    marginal = np.nan_to_num(view.marginal, nan=0.0, posinf=np.finfo(float).max / 1e6)
    value = view.value[:, :, None]
    raw = np.where(value > 0, marginal * value, 0.0) * view.lifetime[:, None, :]
    raw = np.nan_to_num(raw, nan=0.0, posinf=np.finfo(float).max / 1e3)
    return np.where(view.allowed, raw, -np.inf)


def bounded_best_allocation(score: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """The budget split that maximises ``sum score x`` with instrument shares in [low, high].

    Each instrument's money goes to its best cell; each instrument first gets its lower
    bound, then what is left goes to the instruments in order of their best score, each
    up to its upper bound. This greedy fill is exact because the constraints bound only
    instrument totals. An instrument with no allowed cell gets nothing; money no
    instrument may take stays in the best allowed cell of any instrument.

    Args:
        score: ``(R, N, K)``, -inf where not allowed.
        low, high: ``(R, K)`` bounds, ``sum low <= 1 <= sum high``.

    Returns:
        ``(R, N, K)`` shares summing to 1 (0 everywhere for a run with no allowed cell).
    """
    R, N, K = score.shape
    best_cell = score.argmax(axis=1)  # (R, K); ties: the first target
    best = np.take_along_axis(score, best_cell[:, None, :], axis=1)[:, 0, :]  # (R, K)
    usable = np.isfinite(best)
    mass = np.where(usable, low, 0.0)
    left = 1.0 - mass.sum(axis=1)
    order = np.argsort(-np.where(usable, best, -np.inf), axis=1, kind="stable")
    rows = np.arange(R)
    for j in range(K):
        k = order[:, j]
        room = np.where(usable[rows, k], (high - low)[rows, k], 0.0)
        add = np.clip(np.minimum(room, left), 0.0, None)
        mass[rows, k] += add
        left = left - add
    # money no instrument may take (bounds too tight for the allowed cells): the best cell
    any_usable = usable.any(axis=1)
    top = order[:, 0]
    mass[rows, top] += np.where(any_usable, np.maximum(left, 0.0), 0.0)
    out = np.zeros((R, N, K))
    out[rows[:, None], best_cell, np.arange(K)[None, :]] = mass
    return out


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
