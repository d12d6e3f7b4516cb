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


def absorbed(stocks: FloatArray, capacity: FloatArray) -> FloatArray:
    """Stocks as the target absorbs them: ``X_eff = X / (1 + X / C)``, ``C = alpha_k GDP[t]``.

    Absorptive capacity: a state can put only so much foreign money of one kind to
    use, relative to its economy, so returns diminish (Clemens & Radelet 2003;
    Feeny & McGillivray 2011). ``X_eff`` grows like ``X`` while ``X`` is small
    against ``C``, counts half at ``X = C`` and never exceeds ``C``: the limit per
    instrument. An infinite capacity leaves stocks unchanged.

    Args:
        stocks: ``(R, P, N, K)`` US$ million.
        capacity: ``(R, 1, N, K)`` (or broadcastable) US$ million, > 0, may be inf.

    Returns:
        ``(R, P, N, K)`` effective stocks.
    """
    return np.asarray(stocks / (1.0 + stocks / capacity))


def absorbed_slope(stocks: FloatArray, capacity: FloatArray) -> FloatArray:
    """``d X_eff / d X = 1 / (1 + X / C)^2`` (see :func:`absorbed`), same shape as ``stocks``."""
    return np.asarray(1.0 / np.square(1.0 + stocks / capacity))


def lifetime_weight(retention: FloatArray, horizon: FloatArray) -> FloatArray:
    """What a dollar's stock is worth over a planning horizon, in stock-months.

    A dollar put into instrument k this month leaves ``rho_k^s`` of itself after
    ``s`` months (``rho_k`` the monthly retention, from the half-life), so over a
    horizon of ``H`` months it counts ``sum_{s<H} rho_k^s = (1 - rho_k^H) / (1 - rho_k)``
    stock-months. An adaptive patron multiplies this month's marginal influence per
    dollar by it, so a long-lived investment outweighs a short-lived one that buys
    the same influence now.

    Args:
        retention: ``(R, K)`` monthly retention ``rho_k``.
        horizon: ``(R, P)`` planning horizon in months (>= 1).

    Returns:
        ``(R, P, K)`` weights >= 1.
    """
    rho = retention[:, None, :]
    h = horizon[:, :, None]
    return np.asarray((1.0 - np.power(rho, h)) / (1.0 - rho))


def security_headroom(
    security_stock: FloatArray, cap: FloatArray, retention: FloatArray, gdp: FloatArray
) -> FloatArray:
    """How much security money a host admits this month: ``max(0, cap GDP - rho X)``.

    Host consent: a state limits foreign security presence (bases, troops, equipment
    programmes) to ``cap`` times its GDP for each patron; a patron's security stock
    after this month's decay may grow only up to it. Stocks already above the cap are
    kept (the CSTO's December 2011 protocol applies to new bases, not existing ones).

    Args:
        security_stock: ``(R, P, N)`` US$ million.
        cap: ``(R, P, N)`` fractions of GDP (inf where the host sets no limit).
        retention: ``(R,)`` monthly retention of security stocks.
        gdp: ``(R, N)`` US$ million.

    Returns:
        ``(R, P, N)`` US$ million (inf where there is no limit).
    """
    with np.errstate(invalid="ignore"):
        room = cap * gdp[:, None, :] - retention[:, None, None] * security_stock
    return np.asarray(np.maximum(room, 0.0))


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


def effort_parts(
    stocks: FloatArray, weights: FloatArray, gdp: FloatArray, multiplier: FloatArray
) -> FloatArray:
    """Each instrument's part of the effort: ``w[t, k] X[p, t, k] m[p, t, k] / GDP[t]``.

    Args:
        stocks: ``(R, P, N, K)`` US$ million (as absorbed, :func:`absorbed`).
        weights: ``(R, N, K)``.
        gdp: ``(R, N)`` US$ million.
        multiplier: ``(R, P, N, K)``.

    Returns:
        ``(R, P, N, K)`` fractions of the target's GDP.
    """
    x = stocks * multiplier
    x *= weights[:, None, :, :]
    x /= gdp[:, None, :, None]
    return x


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
        stocks: ``(R, P, N, K)`` US$ million (as absorbed, :func:`absorbed`).
        weights: ``(R, N, K)``.
        gdp: ``(R, N)`` US$ million.
        multiplier: ``(R, P, N, K)``.
        fixed: ``(R, P, N)``.

    Returns:
        ``(R, P, N)`` efforts, fractions of the target's GDP.
    """
    return effort_from_parts(effort_parts(stocks, weights, gdp, multiplier), fixed)


def effort_from_parts(parts: FloatArray, fixed: FloatArray) -> FloatArray:
    """``E = sum_k parts[..., k] + fixed`` (see :func:`effort_parts`)."""
    total = parts[..., 0] + parts[..., 1] + parts[..., 2] if parts.shape[-1] == 3 else parts.sum(-1)
    return np.asarray(total + fixed)


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
    gradient: FloatArray,
    weights: FloatArray,
    multiplier: FloatArray,
    gdp: FloatArray,
    slope: FloatArray | float = 1.0,
) -> FloatArray:
    """``dI[p, t] / dX[p, t, k]`` per US$ million: ``dI/dE * w[t, k] m[p, t, k] s / GDP[t]``.

    Args:
        gradient: ``(R, P, N)`` from :func:`contest_gradient`.
        weights: ``(R, N, K)``.
        multiplier: ``(R, P, N, K)``.
        gdp: ``(R, N)``.
        slope: ``(R, P, N, K)`` absorption slope ``dX_eff/dX`` (:func:`absorbed_slope`).

    Returns:
        ``(R, P, N, K)``.
    """
    out = gradient[..., None] * weights[:, None, :, :] * multiplier / gdp[:, None, :, None]
    return np.asarray(out * slope)


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


def bloc_orientation(standing: FloatArray, powers: np.ndarray) -> FloatArray:
    """Which powers a bloc leans toward: ``o[b, g] = standing[b, g] / sum_h standing[b, h]``.

    Only the *powers* (the patrons that lead some bloc) define the sides: a bloc led by
    one power leans wholly toward it (the CSTO toward Russia); a bloc co-led by two leans
    toward each by half (the SCO), whoever else belongs to it; a power that is a member
    but not a leader counts with its partner share (Russia inside the Quartet). A patron
    that leads nothing (Pakistan) is no side. A bloc with no power in it leans toward
    nobody (all zeros).

    Args:
        standing: ``(R, B, P)`` from :meth:`sim.world.World.bloc_standing`.
        powers: indices of the powers on the patron axis.

    Returns:
        ``(R, B, P)``, 0 for patrons that are not powers, each row summing to 1 (or 0).
    """
    only = np.zeros_like(standing)
    only[..., powers] = standing[..., powers]
    total = only.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(total > 0, only / total, 0.0))


def bloc_side(influence: FloatArray, orientation: FloatArray, powers: np.ndarray) -> FloatArray:
    """How far each bloc leans toward the powers that hold each state, ``(R, N, B)``.

    ``side[t, b] = sum_p o[b, p] (I[p, t] - Ibar[t])`` with ``Ibar[t]`` the mean share
    of the state held by the *powers* (the patrons that lead a bloc). Positive: the
    bloc leans toward the powers that hold more of the state than the powers do on
    average (bandwagoners like that, balancers dislike it); a bloc co-led by every
    power (the SCO) is neutral, 0.

    Args:
        influence: ``(R, P, N)``.
        orientation: ``(R, B, P)`` from :func:`bloc_orientation`.
        powers: indices of the powers on the patron axis.

    Returns:
        ``(R, N, B)``.
    """
    R, _, N = influence.shape
    B = orientation.shape[1]
    if len(powers) == 0 or B == 0:
        return np.zeros((R, N, B))
    toward = np.matmul(orientation, influence)  # (R, B, N)
    mean = influence[:, powers, :].mean(axis=1)  # (R, N)
    weight = orientation.sum(axis=-1)  # (R, B): 1, or 0 for a bloc without patrons
    return np.asarray((toward - weight[:, :, None] * mean[:, None, :]).transpose(0, 2, 1))


def exposure_spread_change(
    influence: FloatArray, member: BoolArray, orientation: FloatArray, powers: np.ndarray
) -> FloatArray:
    """How much belonging to each bloc widens the spread of a state's exposure, ``(R, N, B)``.

    A state's *exposure* to power g is the share of it g holds plus the share of its
    blocs that lean toward g: ``y[t, g] = I[g, t] + sum_b M[t, b] o[b, g] / n_t``
    (``n_t`` its number of blocs). Its spread is the largest minus the smallest
    exposure over the powers. The value returned is the spread with membership of b
    minus the spread without it: negative when b evens the state's exposure out (as
    when a state held mostly by China joins a bloc that leans toward Russia).

    Args:
        influence: ``(R, P, N)``.
        member: ``(R, N, B)`` memberships.
        orientation: ``(R, B, P)`` from :func:`bloc_orientation`.
        powers: indices of the powers on the patron axis.

    Returns:
        ``(R, N, B)``.
    """
    R, _, N = influence.shape
    B = member.shape[-1]
    if len(powers) == 0 or B == 0:
        return np.zeros((R, N, B))
    o = orientation[:, :, powers]  # (R, B, G)
    m = member.astype(float)  # (R, N, B)
    ties = np.matmul(m, o)[:, :, None, :]  # (R, N, 1, G)
    count = m.sum(axis=-1)[:, :, None, None]  # (R, N, 1, 1)
    mb = m[..., None]  # (R, N, B, 1)
    ob = o[:, None, :, :]  # (R, 1, B, G)
    held = influence[:, powers, :].transpose(0, 2, 1)[:, :, None, :]  # (R, N, 1, G)
    with_b = held + (ties + (1.0 - mb) * ob) / np.maximum(count + 1.0 - mb, 1.0)
    without_b = held + (ties - mb * ob) / np.maximum(count - mb, 1.0)
    spread_with = with_b.max(axis=-1) - with_b.min(axis=-1)
    spread_without = without_b.max(axis=-1) - without_b.min(axis=-1)
    return np.asarray(spread_with - spread_without)


def bloc_utility(
    *,
    threat: FloatArray,
    guarantee: FloatArray,
    net_benefit: FloatArray,
    power_term: FloatArray,
    rule_weight: FloatArray,
) -> FloatArray:
    """What belonging to each bloc is worth to each state, against staying out.

    ``U[t, b] = guarantee[b] threat[t] + (econ[b] - cost[b] - own_cost[t, kind(b)])
    + rho * power[t, b]``: the security benefit grows with the state's threat;
    ``power`` is the alignment rule's influence term (:mod:`sim.rules`).

    Args:
        threat: ``(R, n)``.
        guarantee: ``(R, B)``.
        net_benefit: ``(R, n, B)`` economic benefit minus the bloc's cost minus the
            state's own cost of membership of a bloc of that kind.
        power_term: ``(R, n, B)`` from an :class:`sim.rules.AlignmentRule`.
        rule_weight: ``(R,)`` weight ``rho`` of the power term.

    Returns:
        ``(R, n, B)`` utilities.
    """
    return (
        guarantee[:, None, :] * threat[:, :, None]
        + net_benefit
        + rule_weight[:, None, None] * power_term
    )
