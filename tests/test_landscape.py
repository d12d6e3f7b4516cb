"""Tests of sim.landscape against brute force, hand computations and invariances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import landscape as ls
from sim.errors import InputError

# --------------------------------------------------------------------------- helpers


def brute_energy(x: tuple[int, ...], s: list[float], p: list[list[float]]) -> float:
    """Pure-Python energy over ordered pairs, straight from the paper's definition."""
    n = len(x)
    return sum(s[i] * s[j] * p[i][j] * (x[i] != x[j]) for i in range(n) for j in range(n) if i != j)


def brute_minima(s: list[float], p: list[list[float]], tol: float) -> dict[tuple[int, ...], float]:
    """Canonical local minima by enumerating all 2^n assignments with itertools."""
    n = len(s)
    energy = {x: brute_energy(x, s, p) for x in itertools.product((0, 1), repeat=n)}
    minima = {}
    for x, e in energy.items():
        flips = [(*x[:i], 1 - x[i], *x[i + 1 :]) for i in range(n)]
        if all(energy[f] >= e - tol for f in flips):
            canon = tuple(v ^ x[0] for v in x)
            minima[canon] = e
    return minima


def random_instance(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.uniform(0.2, 3.0, n)
    a = rng.normal(size=(n, n))
    return sizes, (a + a.T) / 2


def all_splits(n: int) -> np.ndarray:
    return np.array([(0, *t) for t in itertools.product((0, 1), repeat=n - 1)], dtype=np.int8)


def check_against_brute(sizes: np.ndarray, prop: np.ndarray) -> list[ls.Minimum]:
    s, p = sizes.tolist(), prop.tolist()
    scale = float(np.abs(sizes[:, None] * sizes[None, :] * prop).sum())
    expected = brute_minima(s, p, tol=1e-9 * max(scale, 1e-300))
    minima = ls.exhaustive_search(sizes, prop)
    got = {tuple(int(v) for v in m.config): m.energy for m in minima}
    assert got.keys() == expected.keys()
    for cfg, e in expected.items():
        assert got[cfg] == pytest.approx(e, rel=1e-9, abs=1e-9)
    return minima


# --------------------------------------------------------------------------- brute force


def test_exhaustive_matches_brute_force_seeded() -> None:
    rng = np.random.default_rng(20240601)
    for n in range(2, 10):
        for _ in range(4):
            sizes, prop = random_instance(rng, n)
            minima = check_against_brute(sizes, prop)
            e = [m.energy for m in minima]
            assert e == sorted(e)
            assert sum(m.basin for m in minima) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 7),
    data=st.data(),
)
def test_exhaustive_matches_brute_force_integer_ties(n: int, data: st.DataObject) -> None:
    """Small integers make ties and plateaus common; float arithmetic is exact there."""
    sizes = np.array(data.draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), float)
    upper = data.draw(st.lists(st.integers(-2, 2), min_size=n * n, max_size=n * n))
    prop = np.array(upper, float).reshape(n, n)
    prop = np.triu(prop, 1) + np.triu(prop, 1).T
    minima = check_against_brute(sizes, prop)
    assert sum(m.basin for m in minima) == pytest.approx(1.0, abs=1e-12)
    # Global minimum agrees with the batched search, tie-break included.
    cfg, e = ls.exhaustive_global_minimum(sizes[None], prop[None])
    assert np.array_equal(cfg[0], minima[0].config)
    assert e[0] == pytest.approx(minima[0].energy)


def test_reported_minima_are_local_minima_and_complete() -> None:
    rng = np.random.default_rng(7)
    for n in (3, 5, 8, 10):
        sizes, prop = random_instance(rng, n)
        minima = ls.exhaustive_search(sizes, prop)
        reported = {tuple(m.config.tolist()) for m in minima}
        configs = all_splits(n)
        e_all = ls.energies(configs, sizes, prop)
        tol = 1e-12 * float(np.abs(sizes[:, None] * sizes * prop).sum())
        for cfg, e in zip(configs, e_all, strict=True):
            flipped = np.tile(cfg, (n, 1)) ^ np.eye(n, dtype=np.int8)
            is_min = bool((ls.energies(flipped, sizes, prop) >= e - tol).all())
            assert is_min == (tuple(cfg.tolist()) in reported)
        for m in minima:
            assert m.config[0] == 0
            assert m.energy == pytest.approx(ls.energy(m.config, sizes, prop))
            np.testing.assert_allclose(m.frustration, ls.frustration(m.config, sizes, prop))
            assert m.energy == pytest.approx(float(sizes @ m.frustration))


def test_chunk_size_does_not_change_result() -> None:
    rng = np.random.default_rng(3)
    sizes, prop = random_instance(rng, 11)
    ref = ls.exhaustive_search(sizes, prop)
    for chunk in (1, 2, 3, 64, 1000, 1 << 20):
        got = ls.exhaustive_search(sizes, prop, chunk_size=chunk)
        assert [tuple(m.config) for m in got] == [tuple(m.config) for m in ref]
        assert [m.basin for m in got] == [m.basin for m in ref]
        assert [m.energy for m in got] == [m.energy for m in ref]
    no_basins = ls.exhaustive_search(sizes, prop, basins=False, chunk_size=16)
    assert [tuple(m.config) for m in no_basins] == [tuple(m.config) for m in ref]
    assert all(np.isnan(m.basin) for m in no_basins)


# --------------------------------------------------------------------------- hand case


def test_hand_checked_four_actors() -> None:
    # Actors A, B, C, D, all of size 1, so W = p and E = 2 * (sum of p over cut pairs).
    # p: AB = 1, AC = 1, BD = 1, CD = 1, AD = -3, BC = -3.
    # Splits (A in camp 0), labels ABCD:
    #   0000 everyone together           cut: none                       E = 0
    #   0001 D alone     cut AD,BD,CD  = -3 + 1 + 1 = -1                 E = -2
    #   0010 C alone     cut AC,BC,CD  =  1 - 3 + 1 = -1                 E = -2
    #   0011 AB | CD     cut AC,AD,BC,BD = 1 - 3 - 3 + 1 = -4            E = -8
    #   0100 B alone     cut AB,BC,BD  =  1 - 3 + 1 = -1                 E = -2
    #   0101 AC | BD     cut AB,AD,BC,CD = 1 - 3 - 3 + 1 = -4            E = -8
    #   0110 AD | BC     cut AB,AC,BD,CD = 1 + 1 + 1 + 1 = 4             E = 8
    #   0111 A alone     cut AB,AC,AD  =  1 + 1 - 3 = -1                 E = -2
    # Every neighbour of 0011 and of 0101 has E = -2: two local minima at E = -8, tied;
    # 0011 comes first (lexicographic). At 0011 each actor's frustration is 1 - 3 = -2.
    # Steepest descent (ties -> lowest index; switching A maps 0abc to its complement):
    #   0000 -> all four switches give -2 -> A -> 0111 -> B (-6, tied with C) -> 0011
    #   0100 -> A or D give -6 -> A -> 0011;  0111 -> B -> 0011
    #   0001 -> B or C give -6 -> B -> 0101;  0010 -> A or D -> A -> 0101
    #   0110 -> all give -10 -> A -> 0001 -> 0101
    # Basins: 0011 <- {0000, 0011, 0100, 0111}, 0101 <- {0001, 0010, 0101, 0110}: 1/2 each.
    sizes = np.ones(4)
    p = np.array(
        [
            [0, 1, 1, -3],
            [1, 0, -3, 1],
            [1, -3, 0, 1],
            [-3, 1, 1, 0],
        ],
        dtype=float,
    )
    expected_e = {
        (0, 0, 0, 0): 0,
        (0, 0, 0, 1): -2,
        (0, 0, 1, 0): -2,
        (0, 0, 1, 1): -8,
        (0, 1, 0, 0): -2,
        (0, 1, 0, 1): -8,
        (0, 1, 1, 0): 8,
        (0, 1, 1, 1): -2,
    }
    for cfg, e in expected_e.items():
        assert ls.energy(np.array(cfg), sizes, p) == e
    minima = ls.exhaustive_search(sizes, p)
    assert [tuple(m.config.tolist()) for m in minima] == [(0, 0, 1, 1), (0, 1, 0, 1)]
    assert [m.energy for m in minima] == [-8.0, -8.0]
    assert [m.basin for m in minima] == [0.5, 0.5]
    np.testing.assert_array_equal(minima[0].frustration, [-2, -2, -2, -2])
    # descend keeps the labels: switching A first gives 1000 (the split 0111).
    minimum, path = ls.descend(np.zeros(4, dtype=np.int8), sizes, p)
    assert [tuple(x.tolist()) for x in path] == [(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0)]
    assert tuple(minimum.tolist()) == (1, 1, 0, 0)
    assert tuple(ls.canonical(minimum).tolist()) == (0, 0, 1, 1)
    _, path = ls.descend(np.array([0, 1, 1, 0]), sizes, p)
    assert [tuple(ls.canonical(x).tolist()) for x in path] == [
        (0, 1, 1, 0),
        (0, 0, 0, 1),
        (0, 1, 0, 1),
    ]
    cfg, e = ls.exhaustive_global_minimum(sizes[None], p[None])
    assert tuple(cfg[0].tolist()) == (0, 0, 1, 1)
    assert e[0] == -8.0


# --------------------------------------------------------------------------- invariances


def test_relabelling_invariance() -> None:
    rng = np.random.default_rng(11)
    for n in (4, 6, 9):
        sizes, prop = random_instance(rng, n)
        perm = rng.permutation(n)
        ref = ls.exhaustive_search(sizes, prop)
        got = ls.exhaustive_search(sizes[perm], prop[np.ix_(perm, perm)])
        assert len(got) == len(ref)
        by_cfg = {tuple(m.config.tolist()): m for m in got}
        for m in ref:
            key = tuple(ls.canonical(m.config[perm]).tolist())
            assert key in by_cfg
            other = by_cfg[key]
            assert other.energy == pytest.approx(m.energy, rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(other.frustration, m.frustration[perm], atol=1e-12)
            # Continuous random data: no ties, so the dynamics is relabelling-invariant too.
            assert other.basin == m.basin


def test_energy_symmetric_under_complement_and_batched() -> None:
    rng = np.random.default_rng(5)
    sizes, prop = random_instance(rng, 7)
    configs = all_splits(7)
    e = ls.energies(configs, sizes, prop)
    np.testing.assert_allclose(ls.energies(1 - configs, sizes, prop), e, atol=1e-12)
    for cfg, val in zip(configs, e, strict=True):
        assert ls.energy(cfg.astype(bool), sizes, prop) == pytest.approx(val, abs=1e-12)
    assert ls.energy(np.zeros(7, dtype=np.int8), sizes, prop) == 0.0


def test_zero_propensity_every_split_is_a_minimum() -> None:
    minima = ls.exhaustive_search(np.ones(4), np.zeros((4, 4)))
    assert len(minima) == 8
    assert [m.config.tolist() for m in minima] == all_splits(4).tolist()
    assert all(m.energy == 0.0 and m.basin == 1 / 8 for m in minima)


def test_diagonal_is_ignored() -> None:
    rng = np.random.default_rng(2)
    sizes, prop = random_instance(rng, 5)
    noisy = prop.copy()
    np.fill_diagonal(noisy, [np.nan, 5.0, -1.0, np.inf, 2.0])
    a = ls.exhaustive_search(sizes, prop)
    b = ls.exhaustive_search(sizes, noisy)
    assert [(tuple(m.config), m.energy, m.basin) for m in a] == [
        (tuple(m.config), m.energy, m.basin) for m in b
    ]


# --------------------------------------------------------------------------- dynamics


def test_basins_consistent_with_descend_from_every_split() -> None:
    rng = np.random.default_rng(99)
    for n in range(2, 9):
        for integer in (False, True):
            if integer:
                sizes = rng.integers(1, 4, n).astype(float)
                a = rng.integers(-2, 3, (n, n)).astype(float)
                prop = np.triu(a, 1) + np.triu(a, 1).T
            else:
                sizes, prop = random_instance(rng, n)
            minima = ls.exhaustive_search(sizes, prop)
            assert sum(m.basin for m in minima) == pytest.approx(1.0, abs=1e-12)
            index = {tuple(m.config.tolist()): k for k, m in enumerate(minima)}
            counts = np.zeros(len(minima))
            splits = all_splits(n)
            for start in splits:
                end, path = ls.descend(start, sizes, prop)
                assert np.array_equal(path[0], start) and np.array_equal(path[-1], end)
                e_path = [ls.energy(x, sizes, prop) for x in path]
                assert all(b < a for a, b in itertools.pairwise(e_path))
                for a, b in itertools.pairwise(path):
                    assert int(np.sum(a != b)) == 1
                counts[index[tuple(ls.canonical(end).tolist())]] += 1
            np.testing.assert_array_equal(counts / len(splits), [m.basin for m in minima])
            # The batched descent gives the same ends, labels kept as given.
            starts = np.concatenate([splits, 1 - splits])
            ends, e_ends = ls.local_minima_from(starts, sizes, prop)
            for start, end, e_end in zip(starts, ends, e_ends, strict=True):
                single, _ = ls.descend(start, sizes, prop)
                assert np.array_equal(single, end)
                assert e_end == pytest.approx(ls.energy(end, sizes, prop))


def test_descend_from_minimum_stays() -> None:
    rng = np.random.default_rng(4)
    sizes, prop = random_instance(rng, 6)
    for m in ls.exhaustive_search(sizes, prop):
        end, path = ls.descend(m.config, sizes, prop)
        assert np.array_equal(end, m.config)
        assert len(path) == 1


# --------------------------------------------------------------------------- batched


def test_batched_global_minimum_matches_per_run_search() -> None:
    rng = np.random.default_rng(12)
    for n in (2, 3, 6, 10):
        runs = 25
        sizes = rng.uniform(0.5, 2.0, (runs, n))
        a = rng.normal(size=(runs, n, n))
        prop = (a + np.swapaxes(a, 1, 2)) / 2
        configs, e = ls.exhaustive_global_minimum(sizes, prop)
        assert configs.shape == (runs, n) and e.shape == (runs,)
        for r in range(runs):
            best = ls.exhaustive_search(sizes[r], prop[r], basins=False)[0]
            assert np.array_equal(configs[r], best.config)
            assert e[r] == pytest.approx(best.energy, rel=1e-12, abs=1e-12)


def test_batched_global_minimum_many_runs_chunked() -> None:
    rng = np.random.default_rng(13)
    runs, n = 3000, 12  # more than one batch of runs
    sizes = rng.uniform(0.5, 2.0, (runs, n))
    a = rng.normal(size=(runs, n, n))
    prop = (a + np.swapaxes(a, 1, 2)) / 2
    configs, e = ls.exhaustive_global_minimum(sizes, prop)
    for r in (0, 1, 1500, runs - 1):
        best = ls.exhaustive_search(sizes[r], prop[r], basins=False)[0]
        assert np.array_equal(configs[r], best.config)
        assert e[r] == pytest.approx(best.energy)
    # A global minimum is a fixed point of the dynamics in its own run.
    for r in range(0, runs, 300):
        ends, e_ends = ls.local_minima_from(configs[r : r + 1], sizes[r], prop[r])
        assert np.array_equal(ends[0], configs[r])
        assert e_ends[0] == pytest.approx(e[r])


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("sizes", "prop", "fragments"),
    [
        (np.ones(3), np.zeros((3, 2)), ["square", "(3, 2)"]),
        (np.ones(3), np.zeros((2, 2)), ["(2, 2)", "3 actors"]),
        (
            np.ones(3),
            np.array([[0, 1.0, 2.0], [1.0, 0, 0.5], [2.5, 0.5, 0]]),
            ["not symmetric", "propensity[0, 2] = 2.0", "propensity[2, 0] = 2.5"],
        ),
        (
            np.ones(3),
            np.array([[0, np.nan, 0], [np.nan, 0, 0], [0, 0, 0]]),
            ["propensity[0, 1]", "nan", "finite"],
        ),
        (np.array([1.0, -2.0, 1.0]), np.zeros((3, 3)), ["sizes[1]", "-2.0", "positive"]),
        (np.array([1.0, np.inf, 1.0]), np.zeros((3, 3)), ["sizes[1]", "inf", "finite"]),
        (np.array([1.0, 0.0]), np.zeros((2, 2)), ["sizes[1]", "positive"]),
        (np.ones((2, 2)), np.zeros((2, 2)), ["sizes", "shape (n,)"]),
        (np.ones(1), np.zeros((1, 1)), ["at least 2 actors", "n = 1"]),
        (np.ones(31), np.zeros((31, 31)), ["at most 30 actors", "n = 31"]),
        (np.ones(29), np.zeros((29, 29)), ["basins", "at most 28", "n = 29"]),
        (["a", "b"], np.zeros((2, 2)), ["sizes must be numeric"]),
    ],
)
def test_invalid_inputs(sizes: object, prop: np.ndarray, fragments: list[str]) -> None:
    with pytest.raises(InputError) as info:
        ls.exhaustive_search(sizes, prop)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_invalid_configs_and_options() -> None:
    sizes, prop = np.ones(3), np.zeros((3, 3))
    with pytest.raises(InputError, match=r"config\[1\] is 2"):
        ls.energy(np.array([0, 2, 1]), sizes, prop)
    with pytest.raises(InputError, match=r"shape \(n,\) with n = 3"):
        ls.frustration(np.array([0, 1]), sizes, prop)
    with pytest.raises(InputError, match=r"starts must have shape \(m, n\)"):
        ls.local_minima_from(np.array([0, 1, 1]), sizes, prop)
    with pytest.raises(InputError, match="chunk_size must be a positive integer, got 0"):
        ls.exhaustive_search(sizes, prop, chunk_size=0)
    with pytest.raises(InputError, match=r"at most 16 actors, got n = 17"):
        ls.exhaustive_global_minimum(np.ones((2, 17)), np.zeros((2, 17, 17)))
    bad = np.zeros((2, 3, 3))
    bad[1, 0, 2] = 1.0
    with pytest.raises(InputError, match=r"propensity\[1, 0, 2\] = 1.0 but propensity\[1, 2, 0\]"):
        ls.exhaustive_global_minimum(np.ones((2, 3)), bad)
    with pytest.raises(InputError, match=r"expected shape \(2, 3, 3\)"):
        ls.exhaustive_global_minimum(np.ones((2, 3)), np.zeros((3, 3, 3)))
