"""Landscape theory of aggregation: energy, local minima, basins and descent.

Implements the model of R. Axelrod and D. S. Bennett, "A Landscape Theory of
Aggregation", *British Journal of Political Science* 23(2):211-233, 1993.

Actors ``i = 0..n-1`` have sizes ``s_i > 0`` and a symmetric propensity matrix ``p``
(``p_ij > 0``: i and j want to be together; the diagonal is ignored). A
*configuration* ``X`` puts every actor in camp 0 or camp 1; ``d_ij(X) = 1`` when i
and j are in different camps, else 0.

* Frustration: ``F_i(X) = sum_{j != i} s_j p_ij d_ij(X)``.
* Energy: ``E(X) = sum_i s_i F_i(X)``, i.e. a sum over *ordered* pairs, each unordered
  pair counted twice, as in the paper.

With spins ``z_i = 1 - 2 x_i`` and weights ``W = (s s^T) * p`` (zero diagonal),
``E = (sum(W) - z^T W z) / 2``. Switching actor ``i`` to the other camp changes the
energy by exactly::

    dE_i = 2 z_i (W z)_i = 2 s_i (sum_{j in i's camp} s_j p_ij - sum_{j in other camp} s_j p_ij)

Conventions and decisions:

* A configuration and its complement are the same split and have the same energy.
  Results are reported in *canonical* form (actor 0 in camp 0), so there are
  ``2^(n-1)`` distinct splits, including the one where everyone is in camp 0.
  Switching actor 0 out of a canonical split gives, canonically, the split where every
  other actor switches instead.
* Tolerance: energies are compared with ``tol = RTOL * sum_ij |W_ij|`` (``RTOL =
  1e-12``; ``sum |W|`` bounds every energy). A change ``dE_i`` only counts as a
  decrease when ``dE_i < -tol``, so float noise neither creates nor destroys minima.
* Validation: sizes must be finite and positive; off-diagonal propensities finite and
  symmetric up to ``1e-9 * max |p_ij|`` (the matrix is then symmetrized); the diagonal
  is ignored whatever it holds (even NaN). Problems raise :class:`~sim.errors.InputError`
  naming the offending entry and its value.
* Local minimum: no single actor's switch lowers the energy by more than ``tol``
  (non-strict: on a plateau every split may be a local minimum, e.g. with an all-zero
  propensity matrix).
* Dynamics (used for basins, :func:`descend` and :func:`local_minima_from`): steepest
  descent. At each step the actor whose switch lowers the energy most switches; actors
  whose ``dE`` lies within ``tol`` of the best count as tied and the lowest index wins.
  The walk stops at the first local minimum. Every step lowers the energy by more than
  ``tol``, so the walk cannot cycle.
* Order of results: ascending energy. Energies within ``tol`` of the lowest energy of
  a group are tied, and tied splits are ordered lexicographically by camp labels
  ``(x_1, ..., x_{n-1})``. The first result is the global minimum, the same one
  :func:`exhaustive_global_minimum` returns.

The exhaustive search enumerates splits by an integer code ``c`` in ``[0, 2^(n-1))``
whose bit ``b`` is the camp of actor ``n-1-b`` (so integer order is lexicographic
order). It works in blocks of ``2^L`` codes: the low ``L`` bits vary inside a block,
their contribution to the local fields ``W z`` is precomputed once, and each block
only adds a constant vector for its high bits. Memory is ``O(2^L n)`` for the search
and ``O(2^(n-1))`` 4-byte integers for the basins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.errors import InputError

__all__ = [
    "MAX_BASIN_N",
    "MAX_BATCH_N",
    "MAX_N",
    "RTOL",
    "Minimum",
    "canonical",
    "descend",
    "energies",
    "energy",
    "exhaustive_global_minimum",
    "exhaustive_search",
    "frustration",
    "local_minima_from",
]

MAX_N = 30
"""Largest number of actors :func:`exhaustive_search` accepts (``2^29`` splits)."""

MAX_BASIN_N = 28
"""Largest number of actors for which basins are computed (memory ``~2^(n-1) * 4`` bytes)."""

MAX_BATCH_N = 16
"""Largest number of actors :func:`exhaustive_global_minimum` accepts."""

RTOL = 1e-12
"""Relative energy tolerance; the absolute tolerance is ``RTOL * sum_ij |s_i s_j p_ij|``."""

_SYMMETRY_RTOL = 1e-9
_BATCH_ELEMENTS = 1 << 22

FloatArray = NDArray[np.float64]
Int8Array = NDArray[np.int8]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Minimum:
    """A local minimum of the energy landscape.

    Equality is identity (the fields are numpy arrays); compare fields explicitly. The
    arrays returned by :func:`exhaustive_search` are read-only.

    Attributes:
        config: Camp labels (``int8`` 0/1, shape ``(n,)``), actor 0 always in camp 0.
        energy: Energy ``E(X)`` of the split.
        frustration: Frustration ``F_i(X)`` of each actor, shape ``(n,)``.
        basin: Fraction of all ``2^(n-1)`` splits whose steepest descent ends here
            (``nan`` when basins were not computed).
    """

    config: Int8Array
    energy: float
    frustration: FloatArray
    basin: float


# --------------------------------------------------------------------------- validation


def _fmt_index(idx: tuple[int, ...]) -> str:
    return ", ".join(str(int(k)) for k in idx)


def _as_float_array(values: ArrayLike, what: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be numeric: {exc}.") from None
    return arr


def _check_sizes(sizes: ArrayLike, *, batch: bool = False) -> FloatArray:
    """Validate sizes: shape ``(n,)`` (or ``(R, n)``), finite and positive."""
    arr = _as_float_array(sizes, "sizes")
    ndim = 2 if batch else 1
    shape = "(R, n)" if batch else "(n,)"
    if arr.ndim != ndim:
        raise InputError(f"sizes must have shape {shape}, got shape {arr.shape}.")
    if arr.shape[-1] < 1:
        raise InputError("sizes must name at least one actor, got none.")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise InputError(
            f"sizes[{_fmt_index(idx)}] is {arr[idx]}; sizes must be finite and positive."
        )
    bad = arr <= 0
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise InputError(f"sizes[{_fmt_index(idx)}] is {arr[idx]}; sizes must be positive.")
    return arr


def _check_propensity(
    propensity: ArrayLike, n: int, *, batch_runs: int | None = None
) -> FloatArray:
    """Validate a propensity matrix (or a stack of them) and return it symmetrized.

    The diagonal is ignored (whatever it holds) and set to zero.
    """
    arr = _as_float_array(propensity, "propensity")
    if batch_runs is None:
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise InputError(f"propensity must be a square matrix, got shape {arr.shape}.")
        if arr.shape[0] != n:
            raise InputError(
                f"propensity has shape {arr.shape} but sizes has {n} actors; "
                f"expected shape ({n}, {n})."
            )
    else:
        if arr.ndim != 3 or arr.shape[1] != arr.shape[2]:
            raise InputError(f"propensity must have shape (R, n, n), got shape {arr.shape}.")
        if arr.shape != (batch_runs, n, n):
            raise InputError(
                f"propensity has shape {arr.shape} but sizes has shape ({batch_runs}, {n}); "
                f"expected shape ({batch_runs}, {n}, {n})."
            )
    off = ~np.eye(n, dtype=bool)
    arr = np.where(off, arr, 0.0)
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise InputError(
            f"propensity[{_fmt_index(idx)}] is {arr[idx]}; off-diagonal values must be finite."
        )
    transposed = np.swapaxes(arr, -1, -2)
    scale = np.abs(arr).max(axis=(-2, -1), keepdims=True)
    asym = np.abs(arr - transposed) > _SYMMETRY_RTOL * scale
    if asym.any():
        idx = tuple(np.argwhere(asym)[0])
        tidx = (*idx[:-2], idx[-1], idx[-2])
        raise InputError(
            f"propensity is not symmetric: propensity[{_fmt_index(idx)}] = {arr[idx]} "
            f"but propensity[{_fmt_index(tidx)}] = {arr[tidx]}."
        )
    # halves first: the mean of two values near the largest float must not overflow
    return np.asarray(0.5 * arr + 0.5 * transposed, dtype=np.float64)


def _check_configs(configs: ArrayLike, n: int, what: str, *, ndim: int) -> Int8Array:
    """Validate camp labels (0/1 or bool) of shape ``(n,)`` or ``(m, n)``."""
    arr = np.asarray(configs)
    shape = "(n,)" if ndim == 1 else "(m, n)"
    if arr.ndim != ndim or arr.shape[-1] != n:
        raise InputError(f"{what} must have shape {shape} with n = {n}, got shape {arr.shape}.")
    if arr.dtype == np.bool_:
        return arr.astype(np.int8)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise InputError(f"{what} must hold camp labels 0 or 1, got dtype {arr.dtype}.")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise InputError(f"{what}[{_fmt_index(idx)}] is {arr[idx]}; camp labels must be 0 or 1.")
    return arr.astype(np.int8)


def _check_energy_range(w: FloatArray, q: FloatArray, *, run: int | None = None) -> None:
    """Refuse finite inputs whose energies would overflow float64 (inf, then NaN).

    Every energy is at most ``sum_ij |W_ij|`` and every energy change at most twice that;
    frustrations are at most the row sums of ``|Q|``. Checked with a margin of 4.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = 4.0 * np.abs(w).sum(axis=(-2, -1))
        rows = np.abs(q).sum(axis=-1)
    bad = ~np.isfinite(total) | ~np.isfinite(rows).all(axis=-1)
    if np.any(bad):
        which = "" if run is None else f"run {int(np.argwhere(bad)[0][0]) + run}: "
        raise InputError(
            f"{which}sizes and propensities are too large: the energies (sums of "
            "s_i * s_j * p_ij) overflow the largest float, about 1.8e308; expected smaller "
            "values (rescale them, e.g. sizes as shares of the total)."
        )


def _prepare(sizes: ArrayLike, propensity: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate inputs; return sizes, the weight matrix ``W = s s^T * p`` and ``Q = p * s_j``."""
    s = _check_sizes(sizes)
    p = _check_propensity(propensity, s.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below
        q = p * s[None, :]
        w = s[:, None] * q
    _check_energy_range(w, q)
    return s, w, q


def _tolerance(w: FloatArray) -> float:
    return float(RTOL * np.abs(w).sum())


# --------------------------------------------------------------------------- energies


def canonical(config: ArrayLike) -> Int8Array:
    """Relabel camps so that actor 0 is in camp 0 (the same split).

    Args:
        config: Camp labels, shape ``(n,)`` or ``(m, n)``.

    Returns:
        ``int8`` labels of the same shape with column 0 all zeros.
    """
    arr = np.asarray(config).astype(np.int8)
    return np.asarray(arr ^ arr[..., :1], dtype=np.int8)


def _energies_w(x: Int8Array, w: FloatArray) -> FloatArray:
    """``E = 2 x^T W (1 - x)`` per row: a sum of cut terms only, so no cancellation."""
    xf = x.astype(np.float64)
    return np.asarray(2.0 * ((xf @ w) * (1.0 - xf)).sum(axis=-1), dtype=np.float64)


def energies(configs: ArrayLike, sizes: ArrayLike, propensity: ArrayLike) -> FloatArray:
    """Energies of many configurations at once.

    Args:
        configs: Camp labels (0/1 or bool), shape ``(m, n)``.
        sizes: Actor sizes, shape ``(n,)``, finite and positive.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.

    Returns:
        Energies, shape ``(m,)``.

    Raises:
        InputError: On invalid sizes, propensity or labels.
    """
    _, w, _ = _prepare(sizes, propensity)
    x = _check_configs(configs, w.shape[0], "configs", ndim=2)
    return _energies_w(x, w)


def energy(config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike) -> float:
    """Energy ``E(X) = sum_i s_i F_i(X)`` of one configuration.

    Args:
        config: Camp labels (0/1 or bool), shape ``(n,)``.
        sizes: Actor sizes, shape ``(n,)``, finite and positive.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.

    Returns:
        The energy (ordered pairs: each unordered pair counts twice).

    Raises:
        InputError: On invalid sizes, propensity or labels.
    """
    _, w, _ = _prepare(sizes, propensity)
    x = _check_configs(config, w.shape[0], "config", ndim=1)
    return float(_energies_w(x[None, :], w)[0])


def _frustration_q(x: Int8Array, q: FloatArray) -> FloatArray:
    xf = x.astype(np.float64)
    # d_ij = 1 iff camps differ: actors in camp 1 see the camp-0 members and vice versa.
    return np.asarray(np.where(x == 1, q @ (1.0 - xf), q @ xf), dtype=np.float64)


def frustration(config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike) -> FloatArray:
    """Frustration ``F_i(X) = sum_{j != i} s_j p_ij d_ij(X)`` of every actor.

    Args:
        config: Camp labels (0/1 or bool), shape ``(n,)``.
        sizes: Actor sizes, shape ``(n,)``, finite and positive.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.

    Returns:
        Frustrations, shape ``(n,)``.

    Raises:
        InputError: On invalid sizes, propensity or labels.
    """
    _, _, q = _prepare(sizes, propensity)
    x = _check_configs(config, q.shape[0], "config", ndim=1)
    return _frustration_q(x, q)


# --------------------------------------------------------------------------- dynamics


def _steepest(delta: FloatArray, tol: float) -> tuple[NDArray[np.bool_], IntArray]:
    """Steepest-descent choice per row of energy changes ``delta`` (m, n).

    Returns:
        ``moving`` (rows that are not local minima) and, per row, the chosen actor:
        the lowest index whose change is within ``tol`` of the row's best change.
    """
    best = delta.min(axis=1)
    moving = best < -tol
    chosen = np.argmax(delta <= (best + tol)[:, None], axis=1)
    return moving, chosen


def _descend_spins(z: FloatArray, w: FloatArray, tol: float) -> FloatArray:
    """Run steepest descent on every row of spins ``z`` (m, n), in place; return ``z``."""
    active = np.arange(z.shape[0])
    while active.size:
        za = z[active]
        delta = 2.0 * za * (za @ w)
        moving, chosen = _steepest(delta, tol)
        active = active[moving]
        z[active, chosen[moving]] *= -1.0
    return z


def descend(
    start: ArrayLike, sizes: ArrayLike, propensity: ArrayLike
) -> tuple[Int8Array, list[Int8Array]]:
    """Steepest-descent dynamics from one configuration.

    At each step the actor whose switch lowers the energy most switches camps (ties
    within the tolerance go to the lowest index) until no switch lowers the energy.
    Camp labels are kept as given (not canonicalized): use :func:`canonical` to compare
    with :class:`Minimum` configs.

    Args:
        start: Initial camp labels (0/1 or bool), shape ``(n,)``.
        sizes: Actor sizes, shape ``(n,)``, finite and positive.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.

    Returns:
        ``(minimum, path)``: the local minimum reached and the list of visited
        configurations, from ``start`` to ``minimum`` inclusive.

    Raises:
        InputError: On invalid sizes, propensity or labels.
    """
    _, w, _ = _prepare(sizes, propensity)
    x = _check_configs(start, w.shape[0], "start", ndim=1).copy()
    tol = _tolerance(w)
    z = (1.0 - 2.0 * x.astype(np.float64))[None, :]
    path = [x.copy()]
    while True:
        delta = 2.0 * z * (z @ w)
        moving, chosen = _steepest(delta, tol)
        if not moving[0]:
            break
        i = int(chosen[0])
        z[0, i] = -z[0, i]
        x[i] ^= 1
        path.append(x.copy())
    return x, path


def local_minima_from(
    starts: ArrayLike, sizes: ArrayLike, propensity: ArrayLike
) -> tuple[Int8Array, FloatArray]:
    """Steepest descent from many starts at once (vectorized over the rows).

    Same rule as :func:`descend`; row ``k`` of the result equals ``descend(starts[k],
    ...)[0]``. Labels are kept as given (not canonicalized).

    Args:
        starts: Initial camp labels (0/1 or bool), shape ``(m, n)``.
        sizes: Actor sizes, shape ``(n,)``, finite and positive.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.

    Returns:
        ``(minima, energies)``: local minima reached, ``int8`` shape ``(m, n)``, and
        their energies, shape ``(m,)``.

    Raises:
        InputError: On invalid sizes, propensity or labels.
    """
    _, w, _ = _prepare(sizes, propensity)
    x = _check_configs(starts, w.shape[0], "starts", ndim=2)
    z = _descend_spins(1.0 - 2.0 * x.astype(np.float64), w, _tolerance(w))
    out = (z < 0).astype(np.int8)
    return out, _energies_w(out, w)


# --------------------------------------------------------------------------- exhaustive


def _codes_to_configs(codes: IntArray, n: int) -> Int8Array:
    """Canonical configurations of split codes (bit ``b`` is the camp of actor ``n-1-b``)."""
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)  # actor k <-> bit n-1-k
    return ((codes[:, None] >> shifts[None, :]) & 1).astype(np.int8)


def _ordered(codes: IntArray, energy_values: FloatArray, tol: float) -> IntArray:
    """Permutation sorting by energy; within ``tol`` of a group's lowest energy, by code."""
    order = np.lexsort((codes, energy_values))
    sorted_e = energy_values[order]
    pieces: list[IntArray] = []
    start = 0
    while start < order.size:
        stop = int(np.searchsorted(sorted_e, sorted_e[start] + tol, side="right"))
        stop = max(stop, start + 1)
        group = order[start:stop]
        pieces.append(group[np.argsort(codes[group], kind="stable")])
        start = stop
    return np.concatenate(pieces) if pieces else order


def _scan(
    w: FloatArray, tol: float, block_bits: int, want_next: bool
) -> tuple[IntArray, NDArray[np.int32] | None]:
    """Scan all ``2^(n-1)`` split codes in blocks; return local-minimum codes and ``next``.

    Arrays are laid out actor-major, shape ``(n, block)``, so that reductions over the
    actors are elementwise operations on long contiguous rows.
    """
    n = w.shape[0]
    free = n - 1
    total = 1 << free
    low = min(free, block_bits)
    block = 1 << low
    n_hi = n - low  # rows 0..n_hi-1: actor 0 and the actors of the high bits
    lo_codes = np.arange(block, dtype=np.int64)
    z_lo = np.zeros((n, block))
    for b in range(low):
        z_lo[n - 1 - b] = 1.0 - 2.0 * ((lo_codes >> b) & 1)
    h_lo = w @ z_lo  # contribution of the low-bit actors to the local fields W z
    z_lo2 = 2.0 * z_lo[n_hi:]
    del z_lo
    flip_masks = np.array([total - 1] + [1 << (n - 1 - i) for i in range(1, n)], dtype=np.int64)
    nxt = np.empty(total, dtype=np.int32) if want_next else None
    minima: list[IntArray] = []
    delta = np.empty((n, block))
    mask = np.empty(block, dtype=bool)
    chosen = np.empty(block, dtype=np.int64)
    for hi in range(total >> low):
        z_hi = np.zeros(n)
        z_hi[0] = 1.0
        for b in range(low, free):
            z_hi[n - 1 - b] = 1.0 - 2.0 * ((hi >> (b - low)) & 1)
        # dE_i = 2 z_i (W z)_i with W z = W z_lo + W z_hi.
        np.add(h_lo, (w @ z_hi)[:, None], out=delta)
        delta[:n_hi] *= (2.0 * z_hi[:n_hi])[:, None]
        delta[n_hi:] *= z_lo2
        best = delta.min(axis=0)
        base = hi << low
        if nxt is None:
            minima.append(base + np.flatnonzero(best >= -tol))
            continue
        moving = best < -tol
        threshold = best + tol
        chosen.fill(n - 1)
        for i in range(n - 2, -1, -1):  # lowest index within tol of the best change wins
            np.less_equal(delta[i], threshold, out=mask)
            chosen[mask] = i
        codes = base + lo_codes
        minima.append(codes[~moving])
        nxt[base : base + block] = np.where(moving, codes ^ flip_masks[chosen], codes)
    return np.concatenate(minima), nxt


def _basin_fractions(nxt: NDArray[np.int32], minima: IntArray) -> FloatArray:
    """Follow ``next`` pointers to fixed points; count each minimum's basin.

    Pointer jumping (``next[c] <- next[next[c]]``) is done in place, block by block:
    ``next[c]`` always stays on the descent path from ``c``, so reading partly updated
    entries only jumps further. Memory beyond ``next`` itself is one block.
    """
    step = 1 << 20
    changed = True
    while changed:
        changed = False
        for start in range(0, nxt.size, step):
            part = nxt[start : start + step]
            jumped = nxt[part]
            if not np.array_equal(jumped, part):
                part[...] = jumped
                changed = True
    sorted_min = np.sort(minima)
    counts = np.zeros(sorted_min.size, dtype=np.int64)
    for start in range(0, nxt.size, step):
        part = nxt[start : start + step]
        counts += np.bincount(np.searchsorted(sorted_min, part), minlength=sorted_min.size)
    fractions = counts / float(nxt.size)
    return np.asarray(fractions[np.searchsorted(sorted_min, minima)], dtype=np.float64)


def exhaustive_search(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    chunk_size: int = 1 << 16,
    basins: bool = True,
) -> list[Minimum]:
    """Every local minimum of the landscape, by exhaustive search over all splits.

    Args:
        sizes: Actor sizes, shape ``(n,)``, finite and positive, ``2 <= n <= MAX_N``.
        propensity: Symmetric propensity matrix, shape ``(n, n)``; diagonal ignored.
        chunk_size: Splits evaluated per block (rounded down to a power of two); bounds
            the working memory to about ``chunk_size * n * 24`` bytes.
        basins: Also compute each minimum's basin of attraction under steepest descent
            (needs ``n <= MAX_BASIN_N``); otherwise ``basin`` is ``nan``.

    Returns:
        Local minima in canonical form, global minimum first, then by ascending energy
        (ties within the tolerance broken lexicographically by camp labels). With
        basins, the fractions sum to 1.

    Raises:
        InputError: On invalid inputs or ``n`` outside the supported range.
    """
    s = _check_sizes(sizes)
    n = s.shape[0]
    if n < 2:
        raise InputError(f"the landscape needs at least 2 actors, got n = {n}.")
    if n > MAX_N:
        raise InputError(
            f"exhaustive search supports at most {MAX_N} actors, got n = {n} (2^{n - 1} splits)."
        )
    if basins and n > MAX_BASIN_N:
        raise InputError(
            f"basins need at most {MAX_BASIN_N} actors, got n = {n}; "
            "pass basins=False to list the minima only."
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer):
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    if chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size}.")
    _, w, q = _prepare(s, propensity)
    tol = _tolerance(w)
    codes, nxt = _scan(w, tol, int(chunk_size).bit_length() - 1, basins)
    configs = _codes_to_configs(codes, n)
    energy_values = _energies_w(configs, w)
    if nxt is not None:
        basin_values = _basin_fractions(nxt, codes)
    else:
        basin_values = np.full(codes.size, np.nan)
    result = []
    for k in _ordered(codes, energy_values, tol):
        config = configs[k].copy()
        frus = _frustration_q(config, q)
        config.setflags(write=False)
        frus.setflags(write=False)
        result.append(Minimum(config, float(energy_values[k]), frus, float(basin_values[k])))
    return result


def exhaustive_global_minimum(
    sizes: ArrayLike, propensity: ArrayLike
) -> tuple[Int8Array, FloatArray]:
    """Global minimum of many small landscapes at once (leading run axis).

    All ``2^(n-1)`` splits are scored for every run with one matrix product per batch of
    runs. Ties within each run's tolerance go to the lexicographically smallest camp
    labels, so row ``r`` equals ``exhaustive_search(sizes[r], propensity[r])[0]``.

    Args:
        sizes: Actor sizes, shape ``(R, n)``, finite and positive, ``2 <= n <= MAX_BATCH_N``.
        propensity: Symmetric propensity matrices, shape ``(R, n, n)``; diagonals ignored.

    Returns:
        ``(configs, energies)``: canonical global minima, ``int8`` shape ``(R, n)``, and
        their energies, shape ``(R,)``.

    Raises:
        InputError: On invalid inputs (the message names the run) or ``n`` out of range.
    """
    s = _check_sizes(sizes, batch=True)
    runs, n = s.shape
    if n < 2:
        raise InputError(f"the landscape needs at least 2 actors, got n = {n}.")
    if n > MAX_BATCH_N:
        raise InputError(
            f"exhaustive_global_minimum supports at most {MAX_BATCH_N} actors, got n = {n}; "
            "use exhaustive_search per run."
        )
    p = _check_propensity(propensity, n, batch_runs=runs)
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below
        w = s[:, :, None] * s[:, None, :] * p  # (R, n, n)
        q = p * s[:, None, :]
    _check_energy_range(w, q, run=0)
    iu, ju = np.triu_indices(n, k=1)
    w_pairs = w[:, iu, ju]  # (R, P)
    total = 1 << (n - 1)
    all_configs = _codes_to_configs(np.arange(total, dtype=np.int64), n)
    cut = (all_configs[:, iu] != all_configs[:, ju]).astype(np.float64).T  # (P, total)
    tol = RTOL * 2.0 * np.abs(w_pairs).sum(axis=1)
    best = np.empty(runs, dtype=np.int64)
    step = max(1, _BATCH_ELEMENTS // total)
    for start in range(0, runs, step):
        stop = min(runs, start + step)
        e = 2.0 * (w_pairs[start:stop] @ cut)  # (r, total); 2 * sum over cut pairs
        low = e.min(axis=1)
        best[start:stop] = np.argmax(e <= (low + tol[start:stop])[:, None], axis=1)
    configs = all_configs[best]
    xf = configs.astype(np.float64)
    e_best = 2.0 * np.einsum("ri,rij,rj->r", xf, w, 1.0 - xf)
    return configs, np.asarray(e_best, dtype=np.float64)
