"""Ensembles: run r of an ensemble is that run alone.

One :class:`~sim.model.InfluenceModel` advances R worlds at once; each run draws from its own
random stream, so run r of an R = 64 ensemble must give the same influence (to 1e-9) and the
same memberships (exactly) as the same scenario and seed run alone, whatever R and whatever
the other runs hold.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sim.errors import InputError
from sim.model import InfluenceModel
from sim.scenario import Scenario
from sim.world import RNG_BLOCK_MONTHS, structure_key

RunModel = Callable[..., InfluenceModel]
ScenarioFrom = Callable[[dict[str, Any]], Scenario]
R = 64


def assert_run_equals_alone(ensemble: InfluenceModel, r: int, alone: InfluenceModel) -> None:
    """Run ``r`` of ``ensemble`` against the single-run model ``alone``."""
    e, a = ensemble.records, alone.records
    assert a.influence.shape[1] == 1
    np.testing.assert_allclose(e.influence[:, r], a.influence[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(e.stocks[:, r], a.stocks[:, 0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(e.threat[:, r], a.threat[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(e.member[:, r], a.member[:, 0])
    es, as_ = ensemble.summary(r), alone.summary(0)
    for key in ("dominant", "overtake_month", "bloc_sizes", "bloc_members"):
        assert es[key] == as_[key], key


@pytest.fixture(scope="module")
def replicates(article: Scenario) -> tuple[list[int], InfluenceModel]:
    """The article, R = 64 seeds, ten years (past the random streams' 60-month blocks)."""
    seeds = [1000 + 7 * r for r in range(R)]
    model = InfluenceModel(article, seeds=seeds)
    model.run()
    assert model.n_months > RNG_BLOCK_MONTHS
    return seeds, model


@pytest.mark.parametrize("r", [0, 1, 17, 42, 63])
def test_run_r_of_64_replicates_equals_that_run_alone(
    replicates: tuple[list[int], InfluenceModel], article: Scenario, run_model: RunModel, r: int
) -> None:
    seeds, ensemble = replicates
    assert ensemble.R == R
    assert_run_equals_alone(ensemble, r, run_model(article, seeds=seeds[r]))


def test_the_replicates_really_differ(replicates: tuple[list[int], InfluenceModel]) -> None:
    """The equivalence above is not trivial: runs with other seeds take other paths."""
    _, ensemble = replicates
    member = ensemble.records.member
    threat = ensemble.records.threat
    assert not np.allclose(threat, threat[:, :1])
    assert (member != member[:, :1]).any()


def test_an_ensemble_of_parameter_sets_equals_each_set_alone(
    article_raw: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel
) -> None:
    """64 runs of different China budgets, Russian attention and hysteresis, own seeds each."""
    scenarios = []
    for r in range(R):
        d = copy.deepcopy(article_raw)
        d["patrons"]["China"]["budget"] = f"{50 + 10 * r} m USD"
        d["patrons"]["Russia"]["attention"] = 0.5 + (r % 8) / 8
        d["parameters"]["hysteresis"] = 0.02 + 0.01 * (r % 5)
        d["events"]["china_aid_kabul"]["amount"] = f"{100 * (r % 7)} m CNY"
        scenarios.append(scenario_from(d))
    assert len({structure_key(sc) for sc in scenarios}) == 1
    seeds = [5 * r + 3 for r in range(R)]
    ensemble = run_model(scenarios, seeds=seeds, months=72)
    for r in (0, 9, 31, 63):
        assert_run_equals_alone(ensemble, r, run_model(scenarios[r], seeds=seeds[r], months=72))
    final_china = ensemble.records.influence[-1, :, ensemble.world.patron("China")].sum(axis=1)
    assert final_china[-1] > final_china[0], "the budgets did differ between runs"


def test_runs_with_mixed_decisiveness_are_bit_identical_to_each_run_alone(
    article_raw: dict[str, Any], scenario_from: ScenarioFrom, run_model: RunModel
) -> None:
    """r = 1 has an exact closed form; other runs of the same ensemble use the general one.
    Each run must use its own formula: its numbers may not depend on its neighbours."""
    scenarios = []
    for r in range(6):
        d = copy.deepcopy(article_raw)
        d["parameters"]["decisiveness"] = [1.0, 1.5, 0.7][r % 3]
        scenarios.append(scenario_from(d))
    seeds = list(range(6))
    ensemble = run_model(scenarios, seeds=seeds, months=36)
    for r in range(6):
        alone = run_model(scenarios[r], seeds=seeds[r], months=36)
        np.testing.assert_array_equal(
            ensemble.records.influence[:, r], alone.records.influence[:, 0]
        )
        np.testing.assert_array_equal(ensemble.records.member[:, r], alone.records.member[:, 0])


def test_seed_sequences_work_like_integer_seeds(article: Scenario, run_model: RunModel) -> None:
    """Runs seeded with spawned SeedSequence children: each equals its run alone."""
    children = np.random.SeedSequence(20160301).spawn(6)
    ensemble = run_model(article, seeds=children, months=30)
    for r in (0, 5):
        alone = run_model(article, seeds=np.random.SeedSequence(20160301).spawn(6)[r], months=30)
        assert_run_equals_alone(ensemble, r, alone)


def test_recording_yearly_keeps_the_monthly_values(article: Scenario, run_model: RunModel) -> None:
    """The yearly records are the monthly records at months 11, 23, ... and the last."""
    monthly = run_model(article, seeds=[4, 5, 6], months=40)
    yearly = run_model(article, seeds=[4, 5, 6], months=40, record="yearly")
    assert yearly.records.months == [11, 23, 35, 39]
    np.testing.assert_array_equal(
        yearly.records.influence[: yearly.records.n_recorded],
        monthly.records.influence[yearly.records.months],
    )
    np.testing.assert_array_equal(
        yearly.records.member[: yearly.records.n_recorded],
        monthly.records.member[yearly.records.months],
    )
    assert yearly.summary(2)["overtake_month"] == monthly.summary(2)["overtake_month"]


def test_runs_of_different_structure_are_refused(
    article: Scenario, article_raw: dict[str, Any], scenario_from: ScenarioFrom
) -> None:
    """A run with another set of blocs cannot join the ensemble: a clear InputError."""
    del article_raw["blocs"]["EAEU"]
    other = scenario_from(article_raw)
    with pytest.raises(InputError, match=r"run 1 .*differs in structure"):
        InfluenceModel([article, other], seeds=[1, 2])
    with pytest.raises(InputError, match="2 scenarios but 3 seeds"):
        InfluenceModel([article, article], seeds=[1, 2, 3])
