"""Which instrument drives an overtake (sim.attribution): knockouts, effort shares, summaries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.attribution import driver_of, knockouts, run_attribution, summarise
from sim.errors import InputError
from sim.model import InfluenceModel
from sim.scenario import INSTRUMENTS


def test_a_knockout_removes_one_cell_and_nothing_else(article: Any) -> None:
    """China without security in Tajikistan: its stock there is 0 from the start, it never
    spends there (aid included), and every other cell starts as in the plain run."""
    plain = InfluenceModel(article, seeds=1, months=24)
    cut = InfluenceModel(
        article, seeds=1, months=24, knockouts=[[("China", "security", "Tajikistan")]]
    )
    w0, w1 = plain.world, cut.world
    c, t = w0.patron("China"), w0.actor("Tajikistan")
    assert w0.stocks[0, c, t, 1] > 0 and w1.stocks[0, c, t, 1] == 0
    other = np.ones(w0.stocks.shape, dtype=bool)
    other[0, c, t, 1] = False
    np.testing.assert_array_equal(w0.stocks[other], w1.stocks[other])
    cut.run()
    assert (cut.records.flow[:, 0, c, t, 1] == 0).all()
    assert (cut.records.stocks[:, 0, c, t, 1] == 0).all()
    assert not cut.world.allowed[0, c, t, 1]


def test_bad_knockouts_are_one_sentence(article: Any) -> None:
    with pytest.raises(InputError, match="expected a patron of"):
        InfluenceModel(article, seeds=1, knockouts=[[("Mars", "security", None)]])
    with pytest.raises(InputError, match="one each"):
        InfluenceModel(article, seeds=[1, 2], knockouts=[[]])


def test_knockout_months_are_those_of_separate_runs(article: Any) -> None:
    """The ensemble of knockouts gives each counterfactual's first overtake exactly as a run of
    its own would (the run axis changes nothing)."""
    res = knockouts(article, [3], months=72)
    for k in INSTRUMENTS:
        alone = InfluenceModel(
            article.model_copy(
                update={"parameters": article.parameters.model_copy(update={"landscape": None})}
            ),
            seeds=3,
            months=72,
            knockouts=[[("China", k, "Tajikistan")]],
        )
        alone.run()
        n = alone.world.actor("Tajikistan")
        assert res.without[k][0, n] == alone.records.first_overtake[0, n], k


def test_effort_shares_at_the_overtake_add_up(article: Any) -> None:
    res = knockouts(article, range(4))
    ahead = res.base >= 0  # overtook, or led from month 0
    sums = np.nansum(res.shares, axis=-1)
    np.testing.assert_allclose(sums[ahead], 1.0)
    assert np.isnan(res.shares[~ahead]).all()  # never ahead: nothing to share out


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"led_from_start": 0.9, "overtaken": 0.0}, "none: led from the start"),
        ({"led_from_start": 0.0, "overtaken": 0.2}, "no overtake"),
        (
            {"led_from_start": 0.0, "overtaken": 1.0, "prevented_investment": 1.0,
             "delay_investment": np.nan, "prevented_security": 0.0, "delay_security": 20.0,
             "prevented_leverage": 0.0, "delay_leverage": 1.0},
            "investment and security",
        ),
        (
            {"led_from_start": 0.0, "overtaken": 1.0, "prevented_investment": 0.0,
             "delay_investment": 3.0, "prevented_security": 0.0, "delay_security": 0.0,
             "prevented_leverage": 0.0, "delay_leverage": -2.0},
            "no single instrument",
        ),
    ],
)  # fmt: skip
def test_the_driver_is_what_the_overtake_cannot_do_without(
    row: dict[str, Any], expected: str
) -> None:
    assert driver_of(row) == expected


def test_a_runs_summary_attributes_its_overtakes(tmp_path: Path) -> None:
    """``greatgame run``'s summary.json names, for each overtake, the effort shares and the
    month without each instrument; they agree with the knockouts run alone."""
    result = sim.run("central_asia_2016", seed=2, months=84)
    att = result.summary["attribution"]
    assert att, "the article's China overtakes somewhere within seven years"
    direct = run_attribution(result.scenario, 2, months=84)
    assert att == direct
    for state, a in att.items():
        assert a["month"] == result.summary["overtake_month"][state]
        assert sum(a["effort_shares"].values()) == pytest.approx(1.0)
        assert set(a["month_without"]) == set(INSTRUMENTS)
    result.save(tmp_path)
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["attribution"] == json.loads(json.dumps(att))


def test_summarise_reports_every_contested_state(article: Any) -> None:
    table = summarise(knockouts(article, range(3), months=36))
    assert list(table["state"]) == [
        "Afghanistan", "Pakistan", "Tajikistan", "Kyrgyzstan", "Kazakhstan", "Uzbekistan",
        "Turkmenistan",
    ]  # fmt: skip
    assert set(table.columns) >= {"driver", "month", "overtaken", "led_from_start"}
