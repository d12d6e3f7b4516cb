"""Decision rules (sim.rules): classifiers, the alignment rules' power terms, patron strategies.

The power terms are checked twice: on the rule classes, and inside a real model where a
state weighs a bloc led by a strong patron against one led by a weak patron.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model import InfluenceModel
from sim.rules import (
    ALIGNMENT_RULES,
    PATRON_STRATEGIES,
    Balancing,
    Bandwagoning,
    FixedShares,
    Hedging,
    MarginalValue,
    describe_rules,
    filtered_rules,
)
from sim.scenario import validate_data

# --------------------------------------------------------------------------- classifiers


def test_registries_hold_the_documented_rules() -> None:
    assert sorted(ALIGNMENT_RULES) == ["balancing", "bandwagoning", "hedging"]
    assert sorted(PATRON_STRATEGIES) == ["adaptive", "fixed"]
    for reg in (ALIGNMENT_RULES, PATRON_STRATEGIES):
        for name, cls in reg.items():
            assert cls.name == name
            assert cls.reference, f"{name} cites its literature"
            assert cls.__doc__ and cls.classifier


@pytest.mark.parametrize(
    ("registry", "criteria", "expected"),
    [
        (ALIGNMENT_RULES, {"accepts_dual_membership": True}, [Hedging]),
        (ALIGNMENT_RULES, {"uses_influence": True}, [Balancing, Bandwagoning]),
        (ALIGNMENT_RULES, {"stance": "balancing"}, [Balancing]),
        (ALIGNMENT_RULES, {"stance": "balancing", "uses_influence": False}, []),
        (ALIGNMENT_RULES, {}, [Balancing, Bandwagoning, Hedging]),
        (ALIGNMENT_RULES, {"no_such_key": 1}, []),
        (PATRON_STRATEGIES, {"adaptive": True}, [MarginalValue]),
        (PATRON_STRATEGIES, {"uses_gradient": False}, [FixedShares]),
    ],
)
def test_filtered_rules_matches_every_criterion(
    registry: dict[str, type[Any]], criteria: dict[str, Any], expected: list[type[Any]]
) -> None:
    assert filtered_rules(registry, **criteria) == expected


def test_describe_rules_has_one_row_per_rule_and_strategy() -> None:
    rows = describe_rules()
    assert {(r["kind"], r["name"]) for r in rows} == {
        ("alignment", "balancing"),
        ("alignment", "bandwagoning"),
        ("alignment", "hedging"),
        ("patron", "adaptive"),
        ("patron", "fixed"),
    }
    assert all(r["summary"] and r["reference"] for r in rows)


# --------------------------------------------------------------------------- power terms

unit = arrays(np.float64, (2, 3, 4), elements=st.floats(0.0, 1.0))
ties = arrays(np.float64, (2, 3, 4), elements=st.sampled_from([-2.0, -1.0, 0.0, 1.0, 2.0]))


@settings(max_examples=50)
@given(lead=unit, rival=unit, imbalance=ties, bump=st.floats(1e-6, 0.5))
def test_power_terms_have_the_documented_signs(
    lead: np.ndarray, rival: np.ndarray, imbalance: np.ndarray, bump: float
) -> None:
    """Bandwagoning rewards a stronger leader, balancing a weaker one; hedging ignores who is
    stronger and rewards blocs that even out the state's ties."""
    bw, bal, hed = Bandwagoning(), Balancing(), Hedging()
    stronger = lead + bump
    assert (bw.power_term(stronger, rival, imbalance) > bw.power_term(lead, rival, imbalance)).all()
    assert (
        bw.power_term(lead, rival + bump, imbalance) < bw.power_term(lead, rival, imbalance)
    ).all()
    assert (
        bal.power_term(stronger, rival, imbalance) < bal.power_term(lead, rival, imbalance)
    ).all()
    assert (
        bal.power_term(lead, rival + bump, imbalance) > bal.power_term(lead, rival, imbalance)
    ).all()
    np.testing.assert_array_equal(
        hed.power_term(stronger, rival, imbalance), hed.power_term(lead, rival, imbalance)
    )
    evening = hed.power_term(lead, rival, imbalance - 1.0)
    assert (evening > hed.power_term(lead, rival, imbalance)).all()
    # where the leader is ahead, the two influence rules disagree in sign
    ahead = lead > rival
    assert (bw.power_term(lead, rival, imbalance)[ahead] > 0).all()
    assert (bal.power_term(lead, rival, imbalance)[ahead] < 0).all()


def two_camps(rule: str, *, in_strong_bloc: bool = False) -> dict[str, Any]:
    """A strong patron and a weak one, each leading a bloc that is otherwise identical; the
    state ``Small`` is held mostly by ``Strong`` and chooses by ``rule``."""
    actor = {"gdp": "10 bn USD", "population": 5, "location": [40.0, 70.0], "autonomy": 0.05}
    return {
        "name": f"two_camps_{rule}",
        "months": 12,
        "parameters": {"rule_weight": 1.0, "tension_weight": 0.0, "stochastic": False},
        "actors": {
            "Strong": {**actor, "autonomy": 1.0},
            "Weak": {**actor, "autonomy": 1.0, "location": [41.0, 71.0]},
            "Small": {**actor, "alignment_rule": rule},
        },
        "borders": [["Strong", "Small"], ["Weak", "Small"]],
        "patrons": {
            "Strong": {"budget": 0, "stocks": {"Small": {"leverage": "800 m USD"}}},
            "Weak": {"budget": 0, "stocks": {"Small": {"leverage": "100 m USD"}}},
        },
        "blocs": {
            "StrongPact": {
                "kind": "security",
                "leaders": ["Strong"],
                "members": ["Small"] if in_strong_bloc else [],
            },
            "WeakPact": {"kind": "security", "leaders": ["Weak"]},
        },
    }


def small_utility(data: dict[str, Any]) -> tuple[float, float]:
    """(utility of StrongPact, utility of WeakPact) for the state Small, at month 0."""
    model = InfluenceModel(validate_data(data), seeds=0)
    w = model.world
    inf = w.influence[0, :, w.actor("Small")]
    assert inf[w.patron("Strong")] > inf[w.patron("Weak")] > 0
    u = model.bloc_utility()[0, w.actor("Small")]
    return float(u[w.bloc("StrongPact")]), float(u[w.bloc("WeakPact")])


def test_bandwagoners_value_the_stronger_patrons_bloc() -> None:
    strong, weak = small_utility(two_camps("bandwagoning"))
    assert strong > weak


def test_balancers_value_the_weaker_patrons_bloc() -> None:
    strong, weak = small_utility(two_camps("balancing"))
    assert weak > strong


def test_hedgers_even_out_their_ties() -> None:
    """Outside both blocs a hedger values them alike (ties 0-0 either way becomes 1-0); once in
    the strong patron's bloc it values the weak patron's bloc more (1-1 beats 1-0)."""
    strong, weak = small_utility(two_camps("hedging"))
    assert strong == pytest.approx(weak, abs=1e-15)
    strong, weak = small_utility(two_camps("hedging", in_strong_bloc=True))
    assert weak > strong


def test_a_bandwagoner_joins_the_stronger_bloc_in_a_run() -> None:
    """End to end: without noise, the bandwagoner joins StrongPact and not WeakPact."""
    data = two_camps("bandwagoning")
    data["parameters"]["hysteresis"] = 0.0
    model = InfluenceModel(validate_data(data), seeds=0)
    model.run()
    w = model.world
    assert w.member[0, w.actor("Small"), w.bloc("StrongPact")]
    assert not w.member[0, w.actor("Small"), w.bloc("WeakPact")]


# --------------------------------------------------------------------------- strategies


def random_shares(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    x = rng.random(shape)
    return x / x.reshape(shape[0], -1).sum(axis=1)[:, None, None]


@pytest.mark.parametrize("seed", range(5))
def test_marginal_value_moves_budget_toward_value_times_marginal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    R, N, K = 4, 5, 3
    current = random_shares(rng, (R, N, K))
    marginal = rng.exponential(1.0, (R, N, K))
    value = rng.uniform(0.5, 3.0, (R, N))
    allowed = (rng.random((N, K)) < 0.7).astype(float)
    allowed[0, 0] = 1.0
    rate = np.array([0.0, 0.1, 0.5, 1.0])
    new = MarginalValue().shares(
        current, marginal=marginal, value=value, allowed=allowed, adapt_rate=rate
    )
    np.testing.assert_allclose(new.reshape(R, -1).sum(axis=1), 1.0, rtol=1e-12)
    assert (new >= 0).all()
    score = np.where(allowed[None] > 0, marginal * value[:, :, None], -np.inf).reshape(R, -1)
    best = score.argmax(axis=1)
    flat_new, flat_cur = new.reshape(R, -1), current.reshape(R, -1)
    for r in range(R):
        rho = rate[r]
        expected = (1 - rho) * flat_cur[r]
        expected[best[r]] += rho
        np.testing.assert_allclose(flat_new[r], expected, rtol=1e-12, atol=1e-15)
        # the best cell gains, every other cell loses (or stays, at rate 0)
        others = np.arange(N * K) != best[r]
        assert flat_new[r, best[r]] >= flat_cur[r, best[r]]
        assert (flat_new[r, others] <= flat_cur[r, others]).all()
    np.testing.assert_array_equal(new[0], current[0])  # rate 0 moves nothing


def test_marginal_value_weighs_strategic_value_and_respects_allowed_cells() -> None:
    current = np.full((1, 2, 3), 1 / 6)
    marginal = np.array([[[1.0, 1.0, 5.0], [2.0, 1.0, 1.0]]])
    value = np.array([[1.0, 3.0]])  # 2 x 3 = 6 beats 5 x 1
    allowed = np.ones((2, 3))
    new = MarginalValue().shares(
        current, marginal=marginal, value=value, allowed=allowed, adapt_rate=np.array([0.3])
    )
    assert new[0, 1, 0] == pytest.approx(1 / 6 * 0.7 + 0.3)
    allowed[1, 0] = 0.0  # not allowed to spend there: the next best cell wins
    new = MarginalValue().shares(
        current, marginal=marginal, value=value, allowed=allowed, adapt_rate=np.array([0.3])
    )
    assert new[0, 0, 2] == pytest.approx(1 / 6 * 0.7 + 0.3)
    assert new[0, 1, 0] == pytest.approx(1 / 6 * 0.7)


def test_a_patron_without_budget_shares_stays_without() -> None:
    zero = np.zeros((1, 2, 3))
    new = MarginalValue().shares(
        zero,
        marginal=np.ones((1, 2, 3)),
        value=np.ones((1, 2)),
        allowed=np.ones((2, 3)),
        adapt_rate=np.array([0.5]),
    )
    np.testing.assert_array_equal(new, zero)


def test_fixed_shares_never_change() -> None:
    rng = np.random.default_rng(0)
    current = random_shares(rng, (2, 3, 3))
    new = FixedShares().shares(
        current,
        marginal=rng.random((2, 3, 3)),
        value=np.ones((2, 3)),
        allowed=np.ones((3, 3)),
        adapt_rate=np.array([1.0, 1.0]),
    )
    np.testing.assert_array_equal(new, current)


def test_adaptive_china_keeps_a_full_budget_in_a_run(article: Any) -> None:
    """In the article, China's adaptive shares always sum to 1 and drift toward new cells, and
    it spends exactly its budget each month (plus the Kabul aid in its first year)."""
    model = InfluenceModel(article, seeds=1, months=48)
    w = model.world
    c = w.patron("China")
    start = w.shares[0, c].copy()
    model.run()
    end = w.shares[0, c]
    assert end.sum() == pytest.approx(1.0, rel=1e-12)
    assert (end >= 0).all()
    assert not np.allclose(end, start), "an adaptive patron adapts"
    spent = model.records.flow[:, 0, c].sum(axis=(1, 2))
    budget = article.usd(article.patrons["China"].budget)
    aid = article.usd(article.events["china_aid_kabul"].amount) / 12
    np.testing.assert_allclose(spent[:12], budget + aid, rtol=1e-12)
    np.testing.assert_allclose(spent[12:], budget, rtol=1e-12)
