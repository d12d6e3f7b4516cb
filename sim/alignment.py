"""Alignment prediction inside the model: Axelrod & Bennett's landscape, month by month.

Landscape theory (Axelrod & Bennett 1993, :mod:`sim.landscape`) predicts which two
camps a set of actors falls into from their sizes ``s_i`` and pairwise propensities
``p_ij``. This module derives both from the model's own state, for every run of an
ensemble at once, and records the predicted camps and the landscape energy.

Sizes (``parameters.landscape.size``): each actor's share of the region's capability,
by GDP (default), military spending, or equal. Shares, not amounts, so the prediction
does not depend on the currency.

Propensities, symmetric, zero diagonal (weights from ``parameters.landscape``)::

    p_ij = w_blocs * (shared_ij - opposed_ij) + w_influence * tie_ij - w_rivalry * duel_ij

* ``shared_ij``: the number of blocs both i and j belong to; ``opposed_ij``: the
  number of ordered pairs of rival blocs (b, b') with i in b but not in b', and j in
  b' but not in b: i and j on opposite sides of that rivalry. Membership of a common
  bloc draws two states together; standing on opposite sides of a bloc rivalry pushes
  them apart. A state in both rival blocs (Tajikistan, in the CSTO and the Quartet)
  stands on neither side: it shares a bloc with the members of each and is pushed
  away from nobody.
* ``tie_ij = sum_p v_i[p] v_j[p]``, the overlap of the two *influence profiles*:
  ``v_i[p]`` is the share of i that patron p holds (``I[p, i]``), and a patron holds
  itself with whatever of it nobody else captures. Two states held by the same patron
  are drawn together, and a patron is drawn to the states it holds (``tie = I[p, t]``).
  ``tie_ij`` is the probability that one patron holds both, were each state's holder
  drawn from its profile.
* ``duel_ij = 1`` for the rivalry pair (``world.rivalry``: the challenger and the
  incumbent, China and Russia in the article), else 0: the rival powers repel.

Search (``parameters.landscape.method``):

* ``exhaustive``: the global minimum over all ``2^(n-1)`` splits, with the rule of
  :func:`sim.landscape.exhaustive_global_minimum` (ties within the tolerance go to the
  lexicographically smallest canonical labels); for ``n <= 16`` actors.
* ``dynamics``: steepest single-actor descent (the rule of
  :func:`sim.landscape.local_minima_from`) from the previous prediction's camps; the
  first prediction starts from the camps of the rivals (each other actor with
  whichever of the challenger and the incumbent holds more of it). For large ``n`` or
  large ensembles. It finds a *local* minimum: alignments stay where they are until a
  single actor's switch lowers the energy, a path dependence the global search lacks.

Camps are oriented by the challenger: ``camp = 1`` for actors on the challenger's side
(China's camp in the article), ``0`` for the other side (the incumbent's, Russia's).
With no rivalry (one patron) the first patron plays the challenger's part.

Records: ``Recorder.extra["camp"]`` (T, R, N) -> a ``camp`` column of the states frame;
``Recorder.run_extra["landscape_energy"]`` (T, R) -> the runs frame. Between
prediction months (``every > 1``) the last prediction is carried forward.

Example:
    >>> import sim
    >>> res = sim.run(seed=1, months=12)  # the article's scenario asks for the landscape
    >>> res.states[["month", "state", "camp"]].tail(3)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from sim.dynamics import FloatArray
from sim.errors import InputError
from sim.landscape import MAX_BATCH_N, RTOL
from sim.scenario import LandscapeParameters
from sim.world import World

if TYPE_CHECKING:
    from sim.model import InfluenceModel

__all__ = [
    "CAMP",
    "ENERGY",
    "ExhaustiveSearch",
    "LandscapeHook",
    "TrackingSearch",
    "attach_landscape",
    "capability_sizes",
    "descend_batch",
    "influence_profiles",
    "landscape_hook",
    "orient",
    "propensities",
]

CAMP = "camp"
"""Name of the per-state record: 1 = the challenger's camp, 0 = the incumbent's."""

ENERGY = "landscape_energy"
"""Name of the per-run record: the landscape energy of the predicted camps."""

Int8Array = np.ndarray

CERTIFY_MIN_RUNS = 32
"""Ensembles at least this large skip the search for runs whose winner provably stands."""


# --------------------------------------------------------------------------- inputs


def capability_sizes(world: World, kind: str) -> FloatArray:
    """``(R, N)`` sizes: each actor's share of the total capability, per run.

    Args:
        world: The ensemble.
        kind: ``gdp``, ``military`` (every actor needs ``military_spending`` > 0) or
            ``equal``.

    Raises:
        InputError: ``military`` with an actor that declares no (or zero) military spending.
    """
    if kind == "gdp":
        raw = world.gdp
    elif kind == "equal":
        raw = np.ones_like(world.gdp)
    elif kind == "military":
        raw = np.empty_like(world.gdp)
        for r, sc in enumerate(world.scenarios):
            for n, a in enumerate(world.actors):
                ms = sc.actors[a].military_spending
                if ms is None or ms.amount <= 0:
                    found = "nothing" if ms is None else str(ms)
                    raise InputError(
                        f"parameters.landscape.size is 'military' but actors.{a}."
                        f"military_spending is {found}; expected a positive amount for every "
                        "actor, or size: gdp"
                    )
                raw[r, n] = sc.usd(ms)
    else:
        raise InputError(
            f"parameters.landscape.size is {kind!r}; expected one of gdp, military, equal"
        )
    return np.asarray(raw / raw.sum(axis=1, keepdims=True), dtype=np.float64)


def influence_profiles(influence: FloatArray, patron_actor: np.ndarray) -> FloatArray:
    """``(R, P, N)`` influence profiles: ``v[p, i]`` = the share of actor i patron p holds.

    A patron also holds itself, with whatever of it no other patron captures.

    Args:
        influence: ``(R, P, N)`` contest shares.
        patron_actor: ``(P,)`` actor index of each patron.
    """
    prof = influence.copy()
    own = 1.0 - influence[:, :, patron_actor].sum(axis=1)  # (R, P); shares sum to <= 1
    prof[:, _arange(influence.shape[1]), patron_actor] += np.maximum(own, 0.0)
    return prof


@functools.lru_cache(maxsize=32)
def _arange(n: int) -> np.ndarray:
    out = np.arange(n)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=32)
def _flat_pairs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs ``i < j`` of n actors: ``(iu, ju, flat index i * n + j)``."""
    iu, ju = np.triu_indices(n, k=1)
    flat = iu * n + ju
    for a in (iu, ju, flat):
        a.setflags(write=False)
    return iu, ju, flat


def bloc_pairs(member: np.ndarray, rivals: np.ndarray) -> FloatArray:
    """``(R, pairs)`` shared blocs minus opposed sides of rival blocs, on the pairs ``i < j``.

    ``shared_ij = m_i . m_j`` with ``m_i`` the 0/1 memberships of i; ``opposed_ij =
    sum_q side_i(q) side_j(q')`` over the ordered rival pairs ``q = (b, b')`` (and
    ``q' = (b', b)``), where ``side_i(b, b') = m_ib (1 - m_ib')``.

    Args:
        member: ``(R, N, B)`` memberships.
        rivals: ``(B, B)`` symmetric 0/1 rival blocs.
    """
    R, N, _ = member.shape
    m = member.astype(np.float64)
    full = m @ m.transpose(0, 2, 1)
    first, second = np.nonzero(rivals)  # ordered rival pairs (b, b'), both orders
    if first.size:
        side = m[:, :, first] * (1.0 - m[:, :, second])  # (R, N, Q): on b's side, not b''s
        other = m[:, :, second] * (1.0 - m[:, :, first])  # on b''s side, not b's
        full -= side @ other.transpose(0, 2, 1)
    return np.asarray(full.reshape(R, N * N)[:, _flat_pairs(N)[2]], dtype=np.float64)


def tie_pairs(profiles: FloatArray) -> FloatArray:
    """``(R, pairs)`` influence ties ``sum_p v[p, i] v[p, j]`` on the pairs ``i < j``.

    Args:
        profiles: ``(R, P, N)`` from :func:`influence_profiles`.
    """
    R, _, N = profiles.shape
    full = profiles.transpose(0, 2, 1) @ profiles
    return np.asarray(full.reshape(R, N * N)[:, _flat_pairs(N)[2]], dtype=np.float64)


def to_matrix(pairs: FloatArray, n: int) -> FloatArray:
    """``(R, n, n)`` symmetric matrices, zero diagonal, from values on the pairs ``i < j``."""
    iu, ju, _ = _flat_pairs(n)
    out = np.zeros((pairs.shape[0], n, n))
    out[:, iu, ju] = pairs
    out[:, ju, iu] = pairs
    return out


def propensities(
    *,
    influence: FloatArray,
    member: np.ndarray,
    rivals: np.ndarray,
    patron_actor: np.ndarray,
    duel: tuple[int, int] | None,
    w_blocs: FloatArray,
    w_influence: FloatArray,
    w_rivalry: FloatArray,
) -> FloatArray:
    """``(R, N, N)`` propensities from blocs, influence ties and the rivalry (module docstring).

    Args:
        influence: ``(R, P, N)`` contest shares.
        member: ``(R, N, B)`` memberships.
        rivals: ``(B, B)`` symmetric 0/1 rival blocs.
        patron_actor: ``(P,)`` actor index of each patron.
        duel: Actor indices of the challenger and the incumbent, or None.
        w_blocs, w_influence, w_rivalry: ``(R,)`` weights.

    Returns:
        Symmetric propensities with a zero diagonal.
    """
    n = influence.shape[-1]
    pairs = (
        w_blocs[:, None] * bloc_pairs(member, rivals)
        + w_influence[:, None] * tie_pairs(influence_profiles(influence, patron_actor))
        - w_rivalry[:, None] * _duel_pairs(duel, n)[None, :]
    )
    return to_matrix(pairs, n)


def _duel_pairs(duel: tuple[int, int] | None, n: int) -> FloatArray:
    """``(pairs,)`` 1 at the pair of the challenger and the incumbent, else 0."""
    iu, ju, _ = _flat_pairs(n)
    out = np.zeros(iu.size)
    if duel is not None:
        a, b = sorted(duel)
        out[(iu == a) & (ju == b)] = 1.0
    return out


# --------------------------------------------------------------------------- search


def _weights(sizes: FloatArray, propensity: FloatArray) -> FloatArray:
    """``W = s_i s_j p_ij`` per run, in the order of operations :mod:`sim.landscape` uses."""
    q = propensity * sizes[:, None, :]
    return np.asarray(sizes[:, :, None] * q, dtype=np.float64)


def _energies(configs: np.ndarray, w: FloatArray) -> FloatArray:
    """``E = 2 x^T W (1 - x)`` per run (ordered pairs, as in :mod:`sim.landscape`)."""
    xf = configs.astype(np.float64)
    return np.asarray(2.0 * ((xf[:, :, None] * w).sum(axis=1) * (1.0 - xf)).sum(axis=1))


class ExhaustiveSearch:
    """The global minimum of many small landscapes, with the split table built once.

    The same search and tie rule as :func:`sim.landscape.exhaustive_global_minimum`
    (every canonical split scored by one matrix product, ``E = 2 sum_{i<j} W_ij cut_ij``;
    ties within ``RTOL * sum|W|`` go to the lexicographically smallest labels), minus
    its input validation and its per-call table of ``2^(n-1)`` splits, since the model
    calls it every month with inputs it built itself. Tests check that both agree.

    Args:
        n: Number of actors, ``2 <= n <= MAX_BATCH_N``.

    Attributes:
        configs: ``(2^(n-1), n)`` every canonical split, in code order.
        iu, ju: The unordered pairs ``i < j``.
        cut: ``(pairs, 2^(n-1))`` 1 where a split separates a pair.
    """

    def __init__(self, n: int) -> None:
        if not 2 <= n <= MAX_BATCH_N:
            raise InputError(
                f"the exhaustive landscape search takes 2 to {MAX_BATCH_N} actors, got {n}; "
                "expected parameters.landscape.method: dynamics for more"
            )
        self.n = n
        total = 1 << (n - 1)
        codes = np.arange(total, dtype=np.int64)
        shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
        self.configs = ((codes[:, None] >> shifts[None, :]) & 1).astype(np.int8)
        self.iu, self.ju = np.triu_indices(n, k=1)
        self.cut = (self.configs[:, self.iu] != self.configs[:, self.ju]).astype(np.float64).T
        self._cut2 = 2.0 * self.cut  # E = W_pairs @ (2 cut): ordered pairs count twice
        self.cut2_t = np.ascontiguousarray(self._cut2.T)  # (splits, pairs)
        # OpenBLAS runs a product of m x k x n <= 262144 on one thread. Its threads cost far
        # more than they save on products this small when the cores are shared (measured:
        # 7 ms instead of 0.1 ms for 80 runs on a busy 2-core machine), so search in blocks
        # of runs small enough to stay single-threaded.
        self._rows = max(1, 262_144 // max(1, self.cut.size))

    def search_pairs(
        self, w_pairs: FloatArray, *, gaps: bool = True
    ) -> tuple[np.ndarray, FloatArray, FloatArray | None]:
        """Global minima from pair weights ``W_ij`` (i < j), ``(R, pairs)``.

        Args:
            w_pairs: ``(R, pairs)`` weights ``s_i s_j p_ij`` on the pairs of :attr:`iu`,
                :attr:`ju`.
            gaps: Also return how far the next-lowest split lies above the winner.

        Returns:
            ``(codes (R,), energies (R,), gaps (R,) or None)``: the winning split's code
            (row of :attr:`configs`), its energy, and the runner-up's lead.
        """
        tol = RTOL * 2.0 * np.abs(w_pairs).sum(axis=1)
        e = np.empty((w_pairs.shape[0], self._cut2.shape[1]))
        for i in range(0, w_pairs.shape[0], self._rows):  # single-threaded BLAS blocks
            np.matmul(w_pairs[i : i + self._rows], self._cut2, out=e[i : i + self._rows])
        low = e.min(axis=1)
        best = np.argmax(e <= (low + tol)[:, None], axis=1)
        rows = _arange(e.shape[0])
        energy = e[rows, best]
        if not gaps:
            return best, energy, None
        e[rows, best] = np.inf
        return best, energy, e.min(axis=1) - energy

    def __call__(self, sizes: FloatArray, propensity: FloatArray) -> tuple[np.ndarray, FloatArray]:
        """Canonical global minima ``(R, n)`` (actor 0 in camp 0) and their energies ``(R,)``.

        Args:
            sizes: ``(R, n)`` positive sizes.
            propensity: ``(R, n, n)`` symmetric propensities (diagonal ignored).
        """
        w = _weights(sizes, propensity)
        best, energy, _ = self.search_pairs(w[:, self.iu, self.ju])
        return self.configs[best], energy


class TrackingSearch:
    """Month after month global minima of R landscapes, searching only where needed.

    The energy of split Y is ``2 sum_{i<j} W_ij cut_ij(Y)``, so if the pair weights
    moved by ``dW`` since a run's last search, the lead of that search's winner X over
    any other split changed by at most ``D = 2 sum_{i<j} |dW_ij|``. A winner that led
    every other split by more than ``D`` plus the tolerance still wins alone (the tie
    rule is not involved), so its run is not searched again: every call returns exactly
    what :meth:`ExhaustiveSearch.search_pairs` would return. Below
    :data:`CERTIFY_MIN_RUNS` runs the check costs as much as the search, and every run
    is searched.

    Args:
        search: The exhaustive search for n actors.
        runs: Number of runs R.

    Attributes:
        searches: Run-searches done so far (a cost count for tests and benchmarks).
    """

    def __init__(self, search: ExhaustiveSearch, runs: int) -> None:
        self.search = search
        pairs = search.iu.size
        self._w_last = np.zeros((runs, pairs))
        self._code = np.zeros(runs, dtype=np.int64)
        self._gap = np.full(runs, -np.inf)  # -inf: not searched yet
        self.searches = 0

    def __call__(self, w_pairs: FloatArray) -> tuple[np.ndarray, FloatArray]:
        """Winning split codes ``(R,)`` (rows of ``search.configs``) and energies ``(R,)``."""
        if w_pairs.shape[0] < CERTIFY_MIN_RUNS:
            code, energy, _ = self.search.search_pairs(w_pairs, gaps=False)
            self.searches += w_pairs.shape[0]
            return code, energy
        drift = 2.0 * np.abs(w_pairs - self._w_last).sum(axis=1)
        tol = RTOL * 2.0 * np.abs(w_pairs).sum(axis=1)
        redo = np.flatnonzero(~(self._gap > drift + tol))
        if redo.size:
            code, _, gap = self.search.search_pairs(w_pairs[redo])
            assert gap is not None
            self._code[redo] = code
            self._gap[redo] = gap
            self._w_last[redo] = w_pairs[redo]
            self.searches += int(redo.size)
        energy = (w_pairs * self.search.cut2_t[self._code]).sum(axis=1)
        return self._code.copy(), energy


def descend_batch(
    starts: np.ndarray, sizes: FloatArray, propensity: FloatArray
) -> tuple[np.ndarray, FloatArray]:
    """Steepest single-actor descent on R landscapes at once, one start each.

    The rule of :func:`sim.landscape.local_minima_from` (the actor whose switch lowers
    the energy most switches; ties within ``RTOL * sum|W|`` go to the lowest index;
    stop when no switch lowers the energy by more than the tolerance), with a
    landscape per run instead of one shared landscape. Labels are kept as given.

    Args:
        starts: ``(R, n)`` camp labels 0/1.
        sizes: ``(R, n)`` positive sizes.
        propensity: ``(R, n, n)`` symmetric propensities (diagonal ignored).

    Returns:
        ``(minima (R, n) int8, energies (R,))``.
    """
    n = propensity.shape[-1]
    p = np.where(np.eye(n, dtype=bool)[None], 0.0, propensity)
    w = _weights(sizes, p)
    out = _descend(starts, w, RTOL * np.abs(w).sum(axis=(1, 2)))
    return out, _energies(out, w)


def _descend(starts: np.ndarray, w: FloatArray, tol: FloatArray) -> np.ndarray:
    """Steepest descent (the rule of :func:`descend_batch`) on weights ``W`` ``(R, n, n)``."""
    z = 1.0 - 2.0 * starts.astype(np.float64)
    delta = 2.0 * z * (w * z[:, None, :]).sum(axis=2)  # dE_i = 2 z_i (W z)_i, every run
    active = np.arange(z.shape[0])
    while True:
        best = delta.min(axis=1)
        moving = best < -tol[active]
        if not moving.any():
            break
        chosen = np.argmax(delta <= (best + tol[active])[:, None], axis=1)
        active = active[moving]
        z[active, chosen[moving]] *= -1.0
        za = z[active]
        delta = 2.0 * za * (w[active] * za[:, None, :]).sum(axis=2)
    return (z < 0).astype(np.int8)


def orient(configs: np.ndarray, reference: int) -> np.ndarray:
    """Relabel camps so that ``camp = 1`` is the side of actor ``reference``."""
    return np.asarray(configs == configs[:, [reference]], dtype=np.int8)


# --------------------------------------------------------------------------- the hook


class LandscapeHook:
    """Per-month model hook: predict and record the landscape camps of every run.

    Built by :func:`attach_landscape` when the scenario has a ``parameters.landscape``
    block; call it as ``hook(model, month)`` after the month's dynamics.

    The exhaustive method searches through a :class:`TrackingSearch`, which skips the
    runs whose winner provably stands; the result equals a fresh search every month.

    Attributes:
        settings: The scenario's :class:`sim.scenario.LandscapeParameters` (run 0).
        sizes: ``(R, N)`` capability shares.
        camps: ``(R, N)`` the latest prediction (1 = challenger's camp), or None before it.
        energy: ``(R,)`` its energy, or None.
        reference: Actor index of the challenger (camp 1 by definition).
        months: The months at which a prediction is made.
    """

    def __init__(self, model: InfluenceModel) -> None:
        w = model.world
        settings = _common_settings(w)
        self.settings = settings
        self.sizes = capability_sizes(w, settings.size)
        lp = [sc.parameters.landscape for sc in w.scenarios]
        self.w_blocs = np.array([x.blocs for x in lp if x is not None], dtype=float)
        self.w_influence = np.array([x.influence for x in lp if x is not None], dtype=float)
        self.w_rivalry = np.array([x.rivalry for x in lp if x is not None], dtype=float)
        self.patron_actor = np.asarray(w.patron_index, dtype=int)
        if w.rivalry is not None:
            self.duel: tuple[int, int] | None = (w.actor(w.rivalry[0]), w.actor(w.rivalry[1]))
            self.reference = self.duel[0]
        else:
            self.duel = None
            self.reference = int(self.patron_actor[0])
        self._search = ExhaustiveSearch(w.N) if settings.method == "exhaustive" else None
        if self._search is not None:
            self._oriented = orient(self._search.configs, self.reference)
            self._tracker = TrackingSearch(self._search, w.R)
        self._w_influence_col = self.w_influence[:, None]
        self.iu, self.ju = np.triu_indices(w.N, k=1)
        self._ss = self.sizes[:, self.iu] * self.sizes[:, self.ju]  # (R, pairs)
        self._duel_term = self.w_rivalry[:, None] * _duel_pairs(self.duel, w.N)[None, :]
        self._member: np.ndarray | None = None
        self._bloc_term = np.zeros((w.R, self.iu.size))
        rec = model.records
        every = settings.every
        if settings.method == "exhaustive":  # memoryless: predict only what gets recorded
            self.months = sorted({every * (m // every) for m in rec.months})
        else:  # path-dependent: every prediction month
            self.months = list(range(0, model.n_months, every))
        self._due = set(self.months)
        T = len(rec.months)
        rec.extra[CAMP] = np.full((T, w.R, w.N), -1, dtype=np.int8)
        rec.run_extra[ENERGY] = np.full((T, w.R), np.nan)
        self._records = rec
        self.camps: np.ndarray | None = None
        self.energy: FloatArray | None = None

    def propensity_pairs(self, world: World) -> FloatArray:
        """``(R, pairs)`` this month's propensities on the pairs ``i < j``."""
        member = world.member
        if self._member is None:
            self._member = member.copy()
            self._bloc_term = self.w_blocs[:, None] * bloc_pairs(member, world.rivals)
        elif not np.array_equal(self._member, member):  # blocs changed in some runs
            rows = np.flatnonzero((self._member != member).any(axis=(1, 2)))
            self._member[rows] = member[rows]
            self._bloc_term[rows] = self.w_blocs[rows, None] * bloc_pairs(
                member[rows], world.rivals
            )
        ties = tie_pairs(influence_profiles(world.influence, self.patron_actor))
        return np.asarray(self._bloc_term + self._w_influence_col * ties - self._duel_term)

    def propensity(self, world: World) -> FloatArray:
        """``(R, N, N)`` this month's propensities (symmetric, zero diagonal)."""
        return to_matrix(self.propensity_pairs(world), world.N)

    def predict(self, world: World) -> tuple[np.ndarray, FloatArray]:
        """Predict the camps of every run from the world as it stands; store and return them."""
        p = self.propensity_pairs(world)
        if self._search is not None:
            code, energy = self._tracker(self._ss * p)
            self.camps = self._oriented[code]
        else:
            start = self.camps if self.camps is not None else self._rival_start(world)
            w_pairs = self._ss * p
            configs = _descend(
                start, to_matrix(w_pairs, world.N), RTOL * 2.0 * np.abs(w_pairs).sum(axis=1)
            )
            cut = configs[:, self.iu] != configs[:, self.ju]
            energy = 2.0 * (w_pairs * cut).sum(axis=1)
            self.camps = orient(configs, self.reference)
        self.energy = energy
        return self.camps, energy

    def _rival_start(self, world: World) -> np.ndarray:
        """First start of the dynamics: each actor with whichever rival holds more of it."""
        start = np.zeros((world.R, world.N), dtype=np.int8)
        if self.duel is None or world.rivalry is None:
            start[:, self.reference] = 1
            return start
        c, i = world.patron(world.rivalry[0]), world.patron(world.rivalry[1])
        start[:] = world.influence[:, c, :] > world.influence[:, i, :]
        start[:, self.duel[0]] = 1
        start[:, self.duel[1]] = 0
        return start

    @property
    def searches(self) -> int:
        """Run-searches the exhaustive method has done (0 for dynamics): a cost count."""
        return self._tracker.searches if self._search is not None else 0

    def __call__(self, model: InfluenceModel, month: int) -> None:
        if month in self._due:
            self.predict(model.world)
        slot = self._records.slot(month)
        if slot is not None and self.camps is not None and self.energy is not None:
            self._records.extra[CAMP][slot] = self.camps
            self._records.run_extra[ENERGY][slot] = self.energy


def _common_settings(world: World) -> LandscapeParameters:
    """The landscape block of run 0, checked to be structurally the same in every run."""
    blocks = [sc.parameters.landscape for sc in world.scenarios]
    first = blocks[0]
    if first is None:
        raise InputError("the scenario has no parameters.landscape block; expected one")
    for r, b in enumerate(blocks[1:], start=1):
        if b is None or (b.every, b.method, b.size) != (first.every, first.method, first.size):
            found = "no landscape block" if b is None else f"{b.every}, {b.method}, {b.size}"
            raise InputError(
                f"run {r} ({world.scenarios[r].name}) has parameters.landscape (every, method, "
                f"size) = {found}, run 0 has {first.every}, {first.method}, {first.size}; "
                "expected the same in every run of an ensemble (weights may differ)"
            )
    return first


def attach_landscape(model: InfluenceModel) -> LandscapeHook | None:
    """Add the landscape hook to ``model`` (first in line) if its scenario asks for it."""
    if all(sc.parameters.landscape is None for sc in model.world.scenarios):
        return None
    hook = LandscapeHook(model)
    model.hooks.insert(0, hook)
    return hook


def landscape_hook(model: InfluenceModel) -> LandscapeHook | None:
    """The model's landscape hook, or None if the scenario has no landscape block."""
    for h in model.hooks:
        if isinstance(h, LandscapeHook):
            return h
    return None
