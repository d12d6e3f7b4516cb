"""Ensemble statistics (sim.stats): the Wilson interval against statsmodels, and quantile bands."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import sim
from sim.errors import InputError
from sim.stats import BAND_QUANTILES, bands, wilson_interval


@pytest.mark.parametrize("trials", [1, 7, 50, 400])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_equals_statsmodels(trials: int, confidence: float) -> None:
    for k in sorted({0, 1, trials // 3, trials // 2, trials - 1, trials}):
        lo, hi = wilson_interval(k, trials, confidence=confidence)
        ref = proportion_confint(k, trials, alpha=1 - confidence, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-12)
        assert 0.0 <= lo <= k / trials <= hi <= 1.0


def test_wilson_interval_never_collapses_and_narrows_with_more_runs() -> None:
    lo, hi = wilson_interval(0, 50)
    assert lo == 0.0 and 0.05 < hi < 0.1  # no run kept it: still uncertain, not "0 exactly"
    lo, hi = wilson_interval(50, 50)
    assert hi == 1.0 and 0.9 < lo < 0.95
    widths = [np.subtract(*wilson_interval(n // 5, n)[::-1]) for n in (10, 50, 250, 1250)]
    assert all(a > b for a, b in itertools.pairwise(widths))
    assert np.subtract(*wilson_interval(10, 50, confidence=0.99)[::-1]) > widths[1]


@pytest.mark.parametrize(
    ("k", "n", "confidence", "message"),
    [
        (1, 0, 0.95, "trials is 0; expected a whole number >= 1"),
        (6, 5, 0.95, "successes is 6; expected a whole number from 0 to trials (5)"),
        (-1, 5, 0.95, "successes is -1"),
        (2.5, 5, 0.95, "successes is 2.5"),
        (2, 5, 95, "confidence is 95; expected a number between 0 and 1"),
    ],
)
def test_wilson_interval_refuses_bad_counts(k: float, n: int, confidence: float, message: str):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        wilson_interval(k, n, confidence=confidence)  # type: ignore[arg-type]


def test_bands_are_the_quantiles_across_runs_month_by_month() -> None:
    rng = np.random.default_rng(3)
    values = rng.random((40, 6))  # 40 runs, 6 months
    frame = pd.DataFrame(
        {
            "run": np.repeat(np.arange(40), 6),
            "month": np.tile(np.arange(6)[::-1], 40),  # unsorted months
            "influence": values.ravel(),
        }
    )
    q = bands(frame, "influence")
    assert list(q.index) == list(range(6))
    assert list(q.columns) == list(BAND_QUANTILES)
    expected = np.quantile(values[:, ::-1], BAND_QUANTILES, axis=0).T
    np.testing.assert_allclose(q.to_numpy(), expected)
    assert (q.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # 5% <= 25% <= median <= ...
    assert list(bands(frame, "influence", quantiles=[0.5]).columns) == [0.5]


def test_bands_of_an_ensemble_hold_every_run_between_min_and_max() -> None:
    runs = sim.run(seed=list(range(8)), months=6)
    taj = runs.influence.query("target == 'Tajikistan' and patron == 'China'")
    q = bands(taj, "influence", quantiles=[0.0, 0.5, 1.0])
    per_month = taj.groupby("month")["influence"]
    np.testing.assert_allclose(q[0.0], per_month.min())
    np.testing.assert_allclose(q[1.0], per_month.max())
    np.testing.assert_allclose(q[0.5], per_month.median())


def test_bands_refuse_a_missing_column_an_empty_frame_or_a_bad_quantile() -> None:
    frame = pd.DataFrame({"month": [0, 1], "influence": [0.1, 0.2]})
    with pytest.raises(InputError, match="no column 'share'; expected one of month, influence"):
        bands(frame, "share")
    with pytest.raises(InputError, match="the frame has no rows"):
        bands(frame.iloc[:0], "influence")
    with pytest.raises(InputError, match=r"quantiles \[5, 50\]; expected numbers from 0 to 1"):
        bands(frame, "influence", quantiles=[5, 50])
