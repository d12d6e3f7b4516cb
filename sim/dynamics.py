"""The model's math, once.

Every function here is pure numpy and works on arrays with a leading run axis
``R`` (one row per independent world of an ensemble). Agents, rules, the CLI,
the dashboard and sweeps call these functions; nothing else re-derives
influence, allocation, threat or choice.

Shapes used throughout:

* ``R`` runs, ``P`` patrons, ``N`` states (targets), ``K`` = 3 instruments
  (investment, security, leverage), ``B`` blocs.
* stocks ``X``: ``(R, P, N, K)`` in US$ million;
* efforts ``E`` and influence ``I``: ``(R, P, N)``;
* threat: ``(R, N)`` in [0, 1]; memberships: ``(R, N, B)`` booleans.

References:
    Tullock, G. (1980). Efficient Rent Seeking. In Buchanan, Tollison & Tullock (eds.),
    Toward a Theory of the Rent-Seeking Society.
    Skaperdas, S. (1996). Contest success functions. Economic Theory 7, 283-290.
    McFadden, D. (1974). Conditional logit analysis of qualitative choice behavior.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Efforts below this (a fraction of GDP) count as zero when taking logarithms
#: and derivatives; 1e-15 of GDP is far below any money the model moves.
EFFORT_FLOOR = 1e-15


def decay_factor(half_life: FloatArray | float) -> FloatArray:
    """Monthly retention ``1 - delta`` of a stock with the given half-life in months.

    A stock with no flow keeps ``0.5 ** (1 / h)`` of itself each month, so after
    ``h`` months exactly half is left.

    Args:
        half_life: Half-life in months (> 0), any shape.

    Returns:
        The retention factor, same shape.
    """
    h = np.asarray(half_life, dtype=float)
    if np.any(h <= 0):
        raise ValueError(f"half-life must be > 0 months, got {h.min()}")
    return np.power(0.5, 1.0 / h)


def step_stocks(
    stocks: FloatArray, flow: FloatArray, retention: FloatArray, *, out: FloatArray | None = None
) -> FloatArray:
    """One month of the stock equation ``X <- (1 - delta_k) X + flow``.

    Args:
        stocks: ``(R, P, N, K)`` stocks.
        flow: ``(R, P, N, K)`` this month's spending.
        retention: ``(R, K)`` monthly retention per instrument.
        out: Write the result here (may be ``stocks`` itself); default: a new array.

    Returns:
        The new stocks.
    """
    new = np.multiply(stocks, retention[:, None, None, :], out=out)
    new += flow
    return new


def allocation_flow(budget: FloatArray, attention: FloatArray, shares: FloatArray) -> FloatArray:
    """This month's spending ``flow[p, t, k] = budget[p] attention[p] shares[p, t, k]``.

    Args:
        budget: ``(R, P)`` US$ million per month.
        attention: ``(R, P)`` the part of the budget not drawn elsewhere.
        shares: ``(R, P, N, K)`` summing to 1 over (t, k) for each patron (or all 0).

    Returns:
        ``(R, P, N, K)`` US$ million.
    """
    return (budget * attention)[:, :, None, None] * shares


def bloc_multiplier(member: BoolArray, standing: FloatArray, boost: FloatArray) -> FloatArray:
    """Multiplier ``m[p, t, k] = 1 + sum_b member[t, b] standing[b, p] boost[b, k]``.

    Security from the leader of a security bloc the target belongs to counts more
    (and likewise investment in an economic bloc, leverage in a forum); a
    patron that is a member but not a leader gets a part of that (its standing).

    Args:
        member: ``(R, N, B)`` memberships.
        standing: ``(R, B, P)`` 1 for a bloc's leaders, a partner share for patron members.
        boost: ``(R, B, K)`` extra weight per bloc and instrument.

    Returns:
        ``(R, P, N, K)`` multipliers >= 1.
    """
    R, B, P = standing.shape
    K = boost.shape[-1]
    per_bloc = (standing[:, :, :, None] * boost[:, :, None, :]).reshape(R, B, P * K)
    extra = np.matmul(member.astype(float), per_bloc).reshape(R, -1, P, K)  # (R, N, P, K)
    return 1.0 + extra.transpose(0, 2, 1, 3)


def instrument_weights(base: FloatArray, threat: FloatArray, sensitivity: FloatArray) -> FloatArray:
    """What each target values, ``w[t, k]``: the security weight grows with threat.

    ``w[t, security] = base[t, security] * (1 + sensitivity * threat[t])``; the
    other instruments keep their base weight.

    Args:
        base: ``(R, N, K)`` base weights.
        threat: ``(R, N)`` threat in [0, 1].
        sensitivity: ``(R,)`` growth of the security weight per unit of threat.

    Returns:
        ``(R, N, K)`` weights.
    """
    w = base.copy()
    w[:, :, 1] *= 1.0 + sensitivity[:, None] * threat
    return w


def effort(
    stocks: FloatArray,
    weights: FloatArray,
    gdp: FloatArray,
    multiplier: FloatArray,
    fixed: FloatArray,
) -> FloatArray:
    """Effort ``E[p, t] = sum_k w[t, k] X[p, t, k] m[p, t, k] / GDP[t] + fixed[p, t]``.

    Dividing by the target's GDP is what makes US$46 million matter in
    Afghanistan and little in Kazakhstan. ``fixed`` holds structural
    dependencies (remittances), already a fraction of GDP.

    Args:
        stocks: ``(R, P, N, K)`` US$ million.
        weights: ``(R, N, K)``.
        gdp: ``(R, N)`` US$ million.
        multiplier: ``(R, P, N, K)``.
        fixed: ``(R, P, N)``.

    Returns:
        ``(R, P, N)`` efforts, fractions of the target's GDP.
    """
    x = stocks * multiplier
    x *= weights[:, None, :, :]
    weighted = x[..., 0] + x[..., 1] + x[..., 2] if x.shape[-1] == 3 else x.sum(axis=-1)
    return weighted / gdp[:, None, :] + fixed


def contest(effort_: FloatArray, autonomy: FloatArray, decisiveness: FloatArray) -> FloatArray:
    """Tullock contest shares ``I[p, t] = E[p, t]^r / (a[t]^r + sum_q E[q, t]^r)``.

    Computed in log space so that large ``r`` (winner-take-all) stays finite.
    A target where every effort and its autonomy are zero is held by nobody
    (all shares 0).

    Args:
        effort_: ``(R, P, N)`` efforts >= 0.
        autonomy: ``(R, N)`` the share nobody captures, in effort units, >= 0.
        decisiveness: ``(R,)`` the exponent ``r`` > 0.

    Returns:
        ``(R, P, N)`` shares in [0, 1], summing to at most 1 over patrons.
    """
    return contest_terms(effort_, autonomy, decisiveness)[0]


def contest_terms(
    effort_: FloatArray, autonomy: FloatArray, decisiveness: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The contest shares and ``log D``, ``D[t] = a[t]^r + sum_q E[q, t]^r`` (see :func:`contest`).

    Returns:
        ``(shares (R, P, N), log_denominator (R, N))``; ``log D = -inf`` where nobody holds
        anything and the target has no autonomy.
    """
    lottery = decisiveness == 1.0
    if lottery.all():
        return _lottery_terms(effort_, autonomy)
    shares, log_denom = _general_terms(effort_, autonomy, decisiveness)
    if lottery.any():
        # each run uses its own formula, so a run's numbers never depend on its ensemble
        s1, d1 = _lottery_terms(effort_, autonomy)
        shares = np.where(lottery[:, None, None], s1, shares)
        log_denom = np.where(lottery[:, None], d1, log_denom)
    return shares, log_denom


def _lottery_terms(effort_: FloatArray, autonomy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """r = 1, the classic lottery contest: the same formula without logarithms (cheaper)."""
    denom = autonomy + effort_.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = effort_ / denom[:, None, :]
        log_denom = np.log(denom)
    return np.where(denom[:, None, :] > 0, shares, 0.0), log_denom


def _general_terms(
    effort_: FloatArray, autonomy: FloatArray, decisiveness: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Any r > 0, in log space so that large r (winner-take-all) stays finite."""
    r = decisiveness[:, None, None]
    with np.errstate(divide="ignore"):
        z = r * np.log(effort_)  # -inf where effort is 0
        za = decisiveness[:, None] * np.log(autonomy)  # (R, N)
    top = np.maximum(z.max(axis=1), za)  # (R, N)
    safe_top = np.where(np.isfinite(top), top, 0.0)
    ez = np.exp(z - safe_top[:, None, :])
    denom = np.exp(za - safe_top) + ez.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = ez / denom[:, None, :]
        log_denom = np.log(denom) + safe_top
    return np.where(denom[:, None, :] > 0, shares, 0.0), log_denom


def autonomy_share(influence: FloatArray) -> FloatArray:
    """The share of each target nobody captures: ``1 - sum_p I[p, t]``, ``(R, N)``."""
    return np.clip(1.0 - influence.sum(axis=1), 0.0, 1.0)


def contest_gradient(
    effort_: FloatArray,
    influence: FloatArray,
    log_denominator: FloatArray,
    decisiveness: FloatArray,
) -> FloatArray:
    """Own derivative ``dI[p, t] / dE[p, t] = r I (1 - I) / E``.

    Where a patron's effort is (numerically) zero, ``E_p^r`` is negligible in
    ``D`` and the derivative is ``r E^(r-1) / D``: ``1 / D`` for ``r = 1``, zero
    for ``r > 1``; for ``r < 1`` it is unbounded and is evaluated at
    :data:`EFFORT_FLOOR`.

    Args:
        effort_: ``(R, P, N)``.
        influence: ``(R, P, N)``, the contest shares of ``effort_``.
        log_denominator: ``(R, N)`` from :func:`contest_terms`.
        decisiveness: ``(R,)``.

    Returns:
        ``(R, P, N)`` derivatives >= 0 (per unit of effort).
    """
    lottery = decisiveness == 1.0
    # r = 1: dI/dE = (1 - I) / D exactly, zero efforts included
    exact = (1.0 - influence) * np.exp(-log_denominator)[:, None, :] if lottery.any() else None
    if exact is not None and lottery.all():
        return exact
    r = decisiveness[:, None, None]
    zero = effort_ <= EFFORT_FLOOR
    e = np.where(zero, EFFORT_FLOOR, effort_)
    grad = r * influence * (1.0 - influence) / e
    log_floor = np.log(EFFORT_FLOOR)
    with np.errstate(over="ignore"):
        limit = r * np.exp((r - 1.0) * log_floor - log_denominator[:, None, :])
    general = np.where(zero, limit, grad)
    if exact is not None:
        # each run uses its own formula, so a run's numbers never depend on its ensemble
        return np.where(lottery[:, None, None], exact, general)
    return general


def marginal_influence_per_dollar(
    gradient: FloatArray, weights: FloatArray, multiplier: FloatArray, gdp: FloatArray
) -> FloatArray:
    """``dI[p, t] / dX[p, t, k]`` per US$ million: ``dI/dE * w[t, k] m[p, t, k] / GDP[t]``.

    Args:
        gradient: ``(R, P, N)`` from :func:`contest_gradient`.
        weights: ``(R, N, K)``.
        multiplier: ``(R, P, N, K)``.
        gdp: ``(R, N)``.

    Returns:
        ``(R, P, N, K)``.
    """
    return gradient[..., None] * weights[:, None, :, :] * multiplier / gdp[:, None, :, None]


class Borders(NamedTuple):
    """Land borders as directed edges sorted by origin, each weighted ``1 / deg(origin)``.

    Edge lists keep the spill-over cost linear in the number of borders.
    """

    src: np.ndarray  # (E,) origin state of each directed edge, sorted
    dst: np.ndarray  # (E,) neighbour
    weight: FloatArray  # (E,) 1 / degree of the origin
    starts: np.ndarray  # first edge of each state that has a border
    nodes: np.ndarray  # the states that have a border
    n: int  # number of states


def border_edges(pairs: np.ndarray, n: int) -> Borders:
    """Build :class:`Borders` from undirected pairs ``(E, 2)`` of state indices."""
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    uniq = {tuple(sorted((int(a), int(b)))) for a, b in pairs if a != b}
    directed = sorted({(a, b) for a, b in uniq} | {(b, a) for a, b in uniq})
    arr = np.array(directed, dtype=int).reshape(-1, 2)
    src, dst = arr[:, 0], arr[:, 1]
    degree = np.bincount(src, minlength=n)
    nodes = np.flatnonzero(degree)
    starts = np.searchsorted(src, nodes)
    return Borders(src, dst, 1.0 / degree[src], starts, nodes, n)


def spillover_pull(threat: FloatArray, borders: Borders) -> FloatArray:
    """``(R, N)``: mean over each state's neighbours of ``max(T_j - T_i, 0)``."""
    out = np.zeros_like(threat)
    if borders.src.size:
        gap = np.maximum(threat[:, borders.dst] - threat[:, borders.src], 0.0) * borders.weight
        out[:, borders.nodes] = np.add.reduceat(gap, borders.starts, axis=1)
    return out


def threat_step(
    threat: FloatArray,
    baseline: FloatArray,
    security_share: FloatArray,
    borders: Borders,
    *,
    reversion: FloatArray,
    spillover: FloatArray,
    relief: FloatArray,
    shocks: FloatArray | float,
) -> FloatArray:
    """One month of threat.

    ``T <- T + kappa (b / (1 + lambda s) - T) + sigma * mean_j max(T_j - T, 0) + shock``,
    clipped to [0, 1]: threat reverts toward a baseline that security stocks
    ``s`` (all patrons' security stocks as a fraction of GDP) lower, and it
    spills over land borders from more threatened neighbours.

    Args:
        threat: ``(R, N)``.
        baseline: ``(R, N)``.
        security_share: ``(R, N)`` total security stock / GDP.
        borders: land borders (:func:`border_edges`).
        reversion: ``(R,)`` kappa.
        spillover: ``(R,)`` sigma.
        relief: ``(R,)`` lambda.
        shocks: ``(R, N)`` additive shocks this month (or 0.0 for none).

    Returns:
        ``(R, N)`` new threat.
    """
    target = baseline / (1.0 + relief[:, None] * security_share)
    spill = spillover_pull(threat, borders)
    new = threat + reversion[:, None] * (target - threat) + spillover[:, None] * spill + shocks
    return np.minimum(np.maximum(new, 0.0), 1.0)


def switch_probability(
    gain: FloatArray,
    *,
    temperature: FloatArray,
    hysteresis: FloatArray,
    rate: FloatArray,
) -> FloatArray:
    """Probability of switching a membership this month (logit with hysteresis).

    ``P = rate / (1 + exp(-(gain - h) / tau))``. The state switches when the utility
    gain from switching clears the hysteresis band ``h``; ``tau`` sets how noisy that
    judgement is (McFadden 1974). Memberships therefore do not flicker when gains
    hover around zero.

    Args:
        gain: ``(R, ...)`` utility of switching minus utility of staying.
        temperature: ``(R,)``.
        hysteresis: ``(R,)``.
        rate: ``(R,)`` the most a state reconsiders per month.

    Returns:
        Probabilities, same shape as ``gain``.
    """
    extra = (1,) * (gain.ndim - 1)
    z = (hysteresis.reshape(-1, *extra) - gain) / temperature.reshape(-1, *extra)
    with np.errstate(over="ignore"):  # exp(z) = inf for hopeless switches: probability 0
        return rate.reshape(-1, *extra) / (1.0 + np.exp(z))


def deterministic_switch(gain: FloatArray, *, hysteresis: FloatArray) -> BoolArray:
    """The noise-free limit of :func:`switch_probability`: switch iff gain > hysteresis."""
    extra = (1,) * (gain.ndim - 1)
    return np.asarray(gain > hysteresis.reshape(-1, *extra))


def bloc_utility(
    *,
    threat: FloatArray,
    guarantee: FloatArray,
    net_benefit: FloatArray,
    power_term: FloatArray,
    rule_weight: FloatArray,
    tension: FloatArray,
) -> FloatArray:
    """What belonging to each bloc is worth to each state, against staying out.

    ``U[t, b] = guarantee[b] threat[t] + (econ[b] - cost[b] - own_cost[t])
    + rho * power[t, b] - tau * s[t] * rival_memberships[t, b]``: the security
    benefit grows with the state's threat; ``power`` is the alignment rule's
    influence term; the last term is the tension of belonging to blocs rival
    to b (``s[t]`` is the rule's tension scale, 0 for hedgers).

    Args:
        threat: ``(R, n)``.
        guarantee: ``(R, B)``.
        net_benefit: ``(R, n, B)`` economic benefit minus the bloc's cost minus the
            state's own aversion to membership.
        power_term: ``(R, n, B)`` from an :class:`sim.rules.AlignmentRule`.
        rule_weight: ``(R,)`` weight ``rho`` of the power term.
        tension: ``(R, n, B)`` the tension term ``tau * s[t] * rival_memberships``.

    Returns:
        ``(R, n, B)`` utilities.
    """
    return (
        guarantee[:, None, :] * threat[:, :, None]
        + net_benefit
        + rule_weight[:, None, None] * power_term
        - tension
    )
