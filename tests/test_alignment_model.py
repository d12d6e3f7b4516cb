"""The landscape prediction inside the model (sim.alignment): camps and energy every month."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import sim
from sim import alignment as al
from sim import landscape as ls
from sim.errors import InputError
from sim.model import InfluenceModel
from sim.scenario import Scenario

MONTHS = 36


def with_landscape(raw: dict[str, Any], **settings: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    data["parameters"]["landscape"] = {**data["parameters"].get("landscape", {}), **settings}
    return data


@pytest.fixture(scope="module")
def ensemble(article: Scenario) -> InfluenceModel:
    """40 runs of the article (>= CERTIFY_MIN_RUNS: the search-skipping path), 36 months."""
    model = InfluenceModel(article, seeds=list(range(40)), months=MONTHS)
    model.run()
    return model


# --------------------------------------------------------------------------- records


def test_article_asks_for_the_landscape_and_gets_the_hook(article: Scenario) -> None:
    assert article.parameters.landscape is not None
    model = InfluenceModel(article, seeds=1, months=2)
    hook = al.landscape_hook(model)
    assert hook is not None and model.hooks[0] is hook


def test_camps_recorded_for_every_month_run_and_state(ensemble: InfluenceModel) -> None:
    w = ensemble.world
    states = ensemble.records.states_frame()
    assert "camp" in states.columns
    assert len(states) == MONTHS * w.R * w.N
    assert set(states["camp"].unique()) <= {0, 1}
    counts = states.groupby(["run", "month"]).size()
    assert len(counts) == MONTHS * w.R and (counts == w.N).all()
    runs = ensemble.records.runs_frame()
    assert list(runs.columns) == ["run", "month", "date", "landscape_energy"]
    assert len(runs) == MONTHS * w.R
    assert np.isfinite(runs["landscape_energy"]).all()


def test_challenger_always_in_camp_one(ensemble: InfluenceModel) -> None:
    w = ensemble.world
    assert w.rivalry == ("China", "Russia")
    camp = ensemble.records.extra[al.CAMP]
    assert (camp[:, :, w.actor("China")] == 1).all()
    # the rivals repel more than anything binds them: Russia never sits with China here
    assert (camp[:, :, w.actor("Russia")] == 0).all()


def test_orientation_does_not_depend_on_actor_order(
    article_raw: dict[str, Any], scenario_from: Callable[[dict[str, Any]], Scenario]
) -> None:
    """Canonical splits put actor 0 in camp 0; the recorded camps must not care who is first."""
    data = copy.deepcopy(article_raw)
    data["parameters"]["stochastic"] = False  # the draws are indexed by position
    reordered = copy.deepcopy(data)
    order = ["Russia", *[a for a in reversed(data["actors"]) if a != "Russia"]]
    reordered["actors"] = {a: data["actors"][a] for a in order}  # Russia's camp first now
    a = InfluenceModel(scenario_from(data), seeds=3, months=24)
    b = InfluenceModel(scenario_from(reordered), seeds=3, months=24)
    a.run()
    b.run()
    assert a.world.actors[0] == "China" and b.world.actors[0] == "Russia"
    ca, cb = a.records.extra[al.CAMP], b.records.extra[al.CAMP]
    for n, name in enumerate(a.world.actors):
        np.testing.assert_array_equal(ca[:, :, n], cb[:, :, b.world.actor(name)])
    np.testing.assert_allclose(
        a.records.run_extra[al.ENERGY], b.records.run_extra[al.ENERGY], rtol=1e-9
    )


def test_ensemble_run_equals_the_same_run_alone(
    article: Scenario, ensemble: InfluenceModel
) -> None:
    for r in range(ensemble.R):
        alone = InfluenceModel(article, seeds=r, months=MONTHS)
        alone.run()
        np.testing.assert_array_equal(
            ensemble.records.extra[al.CAMP][:, r], alone.records.extra[al.CAMP][:, 0]
        )
        np.testing.assert_allclose(
            ensemble.records.run_extra[al.ENERGY][:, r],
            alone.records.run_extra[al.ENERGY][:, 0],
            rtol=1e-9,
            atol=1e-15,
        )


def test_the_prediction_only_observes(article: Scenario) -> None:
    """The landscape reads the world and never changes it."""
    off = article.model_copy(deep=True)
    off.parameters.landscape = None
    a = InfluenceModel(article, seeds=[4, 5], months=24)
    b = InfluenceModel(off, seeds=[4, 5], months=24)
    a.run()
    b.run()
    assert al.landscape_hook(b) is None and "camp" not in b.records.states_frame()
    np.testing.assert_array_equal(a.records.influence, b.records.influence)
    np.testing.assert_array_equal(a.records.member, b.records.member)


def test_exhaustive_and_dynamics_agree_on_the_article(
    article_raw: dict[str, Any],
    scenario_from: Callable[[dict[str, Any]], Scenario],
    ensemble: InfluenceModel,
) -> None:
    """On the article the global minimum is also where single-actor descent from last month's
    camps ends, every month of every run; where several local minima exist the two may differ
    (dynamics stays in the minimum it is in): see docs/model.md."""
    dyn = scenario_from(with_landscape(article_raw, method="dynamics"))
    model = InfluenceModel(dyn, seeds=list(range(40)), months=MONTHS)
    model.run()
    np.testing.assert_array_equal(model.records.extra[al.CAMP], ensemble.records.extra[al.CAMP])
    np.testing.assert_allclose(
        model.records.run_extra[al.ENERGY], ensemble.records.run_extra[al.ENERGY], atol=1e-12
    )


def test_every_carries_the_last_prediction_forward(
    article_raw: dict[str, Any],
    scenario_from: Callable[[dict[str, Any]], Scenario],
    ensemble: InfluenceModel,
) -> None:
    sc = scenario_from(with_landscape(article_raw, every=12))
    model = InfluenceModel(sc, seeds=list(range(3)), months=MONTHS)
    model.run()
    camp = model.records.extra[al.CAMP]
    monthly = ensemble.records.extra[al.CAMP][:, :3]
    for m in range(MONTHS):
        np.testing.assert_array_equal(camp[m], monthly[12 * (m // 12)])


def test_cost_follows_the_records() -> None:
    """Exhaustive predictions are memoryless: only recorded months are searched, and large
    ensembles skip the runs whose winner provably stands (a count, not a timing).

    Russia in the Quartet: the winning split stands by a clear margin. (In the article's
    calibrated world it does not: the best two splits are within about 2e-5 of each other,
    less than a month's drift of the weights, so every month is searched there.)"""
    article = sim.load("russia_joins_quartet")
    final = InfluenceModel(article, seeds=list(range(40)), months=MONTHS, record="final")
    hook = al.landscape_hook(final)
    assert hook is not None and hook.months == [MONTHS - 1]
    final.run()
    assert hook.searches == 40
    monthly = InfluenceModel(article, seeds=list(range(40)), months=MONTHS)
    hook = al.landscape_hook(monthly)
    assert hook is not None
    monthly.run()
    assert hook.searches < 0.9 * 40 * MONTHS
    np.testing.assert_array_equal(
        final.records.extra[al.CAMP][0], monthly.records.extra[al.CAMP][MONTHS - 1]
    )


# --------------------------------------------------------------------------- propensities


def test_propensities_by_hand() -> None:
    """Three actors: patrons C (challenger) and R, and a state T held 0.6 by C and 0.3 by R."""
    influence = np.zeros((1, 2, 3))
    influence[0, 0, 2], influence[0, 1, 2] = 0.6, 0.3
    member = np.zeros((1, 3, 2), dtype=bool)
    member[0, [0, 2], 0] = True  # bloc 0: C and T
    member[0, [1, 2], 1] = True  # bloc 1: R and T, rival to bloc 0
    rivals = np.array([[0, 1], [1, 0]], dtype=bool)
    one = np.ones(1)
    p = al.propensities(
        influence=influence,
        member=member,
        rivals=rivals,
        patron_actor=np.array([0, 1]),
        duel=(0, 1),
        w_blocs=2.0 * one,
        w_influence=one,
        w_rivalry=3.0 * one,
    )[0]
    np.testing.assert_array_equal(p, p.T)
    np.testing.assert_array_equal(np.diag(p), 0.0)
    # C-T: shared bloc 0 (+1); T sits in both rival blocs, so on neither side; tie = I[C, T]
    assert p[0, 2] == pytest.approx(2.0 * 1 + 0.6)
    assert p[1, 2] == pytest.approx(2.0 * 1 + 0.3)
    # C-R: on opposite sides of the rivalry (-1); profiles e_C . e_R = 0; the duel (-3)
    assert p[0, 1] == pytest.approx(2.0 * -1 - 3.0)
    # T leaves bloc 1: now C and T share bloc 0, and T stands on bloc 0's side against R
    member[0, 2, 1] = False
    p = al.propensities(
        influence=influence,
        member=member,
        rivals=rivals,
        patron_actor=np.array([0, 1]),
        duel=(0, 1),
        w_blocs=2.0 * one,
        w_influence=one,
        w_rivalry=3.0 * one,
    )[0]
    assert p[0, 2] == pytest.approx(2.0 * 1 + 0.6)
    assert p[1, 2] == pytest.approx(2.0 * -1 + 0.3)


def test_patron_holds_what_others_do_not_capture() -> None:
    influence = np.zeros((1, 2, 3))
    influence[0, 0, 1] = 0.25  # patron 0 holds a quarter of patron 1 (actor 1)
    prof = al.influence_profiles(influence, np.array([0, 1]))[0]
    np.testing.assert_allclose(prof[:, 0], [1.0, 0.0])
    np.testing.assert_allclose(prof[:, 1], [0.25, 0.75])


def test_sizes(article: Scenario) -> None:
    model = InfluenceModel(article, seeds=1, months=1)
    w = model.world
    s = al.capability_sizes(w, "gdp")
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    assert s[0, w.actor("China")] / s[0, w.actor("Russia")] == pytest.approx(11060 / 1363)
    np.testing.assert_allclose(al.capability_sizes(w, "equal"), 1.0 / w.N)
    with pytest.raises(InputError, match=r"actors\.Afghanistan\.military_spending is nothing"):
        al.capability_sizes(w, "military")


# --------------------------------------------------------------------------- searches


def random_cases(seed: int, runs: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.uniform(0.1, 3.0, (runs, n))
    p = rng.normal(size=(runs, n, n))
    p = p + p.transpose(0, 2, 1)
    p[:, 3] = p[:, :, 3] = 0.0  # actor 3 indifferent to all: ties must follow the same rule
    return sizes, p


def test_exhaustive_search_agrees_with_the_landscape_module() -> None:
    for n in (4, 7, 10):
        sizes, p = random_cases(n, 30, n)
        configs, energy = al.ExhaustiveSearch(n)(sizes, p)
        ref_configs, ref_energy = ls.exhaustive_global_minimum(sizes, p)
        np.testing.assert_array_equal(configs, ref_configs)
        np.testing.assert_allclose(energy, ref_energy, rtol=1e-9)


def test_tracking_search_equals_a_fresh_search_every_step() -> None:
    """Random walks of the weights of 64 landscapes, slow enough that winners often stand and
    fast enough that they often change: the tracker must skip searches and never be wrong."""
    n, runs = 8, 64
    rng = np.random.default_rng(3)
    search = al.ExhaustiveSearch(n)
    tracker = al.TrackingSearch(search, runs)
    w = rng.normal(size=(runs, search.iu.size))
    changes = 0
    last = None
    for _ in range(60):
        w = w + rng.normal(scale=0.01, size=w.shape)
        code, energy = tracker(w)
        ref_code, ref_energy, _ = search.search_pairs(w)
        np.testing.assert_array_equal(code, ref_code)
        np.testing.assert_allclose(energy, ref_energy, rtol=1e-12, atol=1e-12)
        if last is not None:
            changes += int((code != last).sum())
        last = code
    assert changes > 20  # the winners did move
    assert tracker.searches < 0.5 * runs * 60  # and most searches were skipped


def test_descend_batch_agrees_with_local_minima_from() -> None:
    rng = np.random.default_rng(7)
    sizes, p = random_cases(11, 25, 8)
    starts = rng.integers(0, 2, (25, 8))
    minima, energy = al.descend_batch(starts, sizes, p)
    for r in range(25):
        ref, ref_e = ls.local_minima_from(starts[r : r + 1], sizes[r], p[r])
        np.testing.assert_array_equal(minima[r], ref[0])
        assert energy[r] == pytest.approx(ref_e[0], rel=1e-9)


# --------------------------------------------------------------------------- bad input


def test_exhaustive_refuses_too_many_actors() -> None:
    with pytest.raises(InputError, match="method: dynamics"):
        al.ExhaustiveSearch(ls.MAX_BATCH_N + 1)


def test_runs_must_share_the_landscape_settings(
    article_raw: dict[str, Any], scenario_from: Callable[[dict[str, Any]], Scenario]
) -> None:
    a = scenario_from(article_raw)
    b = scenario_from(with_landscape(article_raw, method="dynamics"))
    with pytest.raises(InputError, match=r"run 1 .*expected the same in every run"):
        InfluenceModel([a, b], seeds=[1, 2], months=2)
    # weights may differ between runs (a sweep over them)
    c = scenario_from(with_landscape(article_raw, blocs=0.5))
    InfluenceModel([a, c], seeds=[1, 2], months=2).run()


def test_cli_refuses_military_sizes_without_data(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli("run", "--months", "2", "--set", "parameters.landscape.size=military")
    assert code == 1
    # refused at validation, with the file, line and key of the actor without the data
    assert err.startswith("error: ") and "central_asia_2016.yaml, line " in err
    assert ": at actors." in err and "no military_spending" in err
    assert "parameters.landscape.size is 'military'" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_refuses_unknown_method(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli("validate", "scenarios/central_asia_2016.yaml", "--set",
                       "parameters.landscape.method=annealing")  # fmt: skip
    assert code == 1
    assert "parameters.landscape.method" in err and "'annealing'" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- outputs


def test_run_result_plots_camps_beside_memberships(tmp_path: Any) -> None:
    res = sim.run(seed=2, months=24)
    fig = res.figures()["membership"]
    assert len(fig.axes) == 2
    legend = fig.axes[1].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Russia's camp", "China's camp"]
    written = {p.name for p in res.save(tmp_path / "out")}
    assert {"runs.parquet", "runs.csv", "states.csv", "membership.png"} <= written
    camps = res.summary["predicted_camps"]
    assert list(camps) == ["China", "Russia"]
    assert "China" in camps["China"] and "Russia" in camps["Russia"]
    assert sorted(camps["China"] + camps["Russia"]) == sorted(res.model.world.actors)
    res.close()
