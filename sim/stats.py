"""Small statistics of ensembles: a proportion of runs with its interval, quantile bands.

An ensemble (``sim.run(seed=[...])``) answers questions such as "in how many runs
does Russia keep Tajikistan?" and "how wide is the spread of China's share month
by month?". These two helpers give the answer with its uncertainty, for
notebooks, reports and figures alike (:func:`sim.plots.fan` draws the bands).

Example:
    >>> from sim.stats import wilson_interval
    >>> lo, hi = wilson_interval(10, 50)
    >>> round(lo, 3), round(hi, 3)
    (0.112, 0.33)
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from sim.errors import InputError

#: The quantiles of a fan chart: the 90% band, the 50% band and the median.
BAND_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def wilson_interval(
    successes: int, trials: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / trials``.

    Unlike the textbook ``p +/- z * sqrt(p(1-p)/n)``, it stays inside [0, 1] and
    does not collapse to a single point when no run, or every run, succeeds
    (Wilson 1927; Brown, Cai and DasGupta 2001 recommend it for small ``n``).

    Args:
        successes: How many runs have the property (0 to ``trials``).
        trials: How many runs there are (at least 1).
        confidence: The interval's coverage, between 0 and 1 (0.95: a 95% interval).

    Returns:
        ``(low, high)``, both between 0 and 1.

    Raises:
        InputError: a count or the confidence is out of range.
    """
    if isinstance(trials, bool) or int(trials) != trials or trials < 1:
        raise InputError(f"wilson_interval: trials is {trials!r}; expected a whole number >= 1")
    if isinstance(successes, bool) or int(successes) != successes or not 0 <= successes <= trials:
        raise InputError(
            f"wilson_interval: successes is {successes!r}; expected a whole number "
            f"from 0 to trials ({trials})"
        )
    if not 0 < confidence < 1:
        raise InputError(
            f"wilson_interval: confidence is {confidence!r}; expected a number between 0 and 1 "
            "(0.95 for a 95% interval)"
        )
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n, p = float(trials), successes / trials
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at p = 0 (p = 1) the lower (upper) end is exactly 0 (1); rounding must not move it
    low = 0.0 if successes == 0 else max(0.0, float(centre - half))
    high = 1.0 if successes == trials else min(1.0, float(centre + half))
    return low, high


def bands(
    frame: pd.DataFrame,
    value: str,
    *,
    by: str = "month",
    quantiles: Sequence[float] = BAND_QUANTILES,
) -> pd.DataFrame:
    """Quantiles of ``value`` across the rows sharing each ``by`` (across runs, month by month).

    Args:
        frame: A tidy frame, e.g. ``result.influence`` filtered to one patron and target.
        value: The column to summarise (``"influence"``).
        by: The column to group by (``"month"``).
        quantiles: The quantiles, each between 0 and 1.

    Returns:
        A frame indexed by ``by`` with one column per quantile (``0.05``, ``0.25``,
        ``0.5``, ...), sorted by ``by``; ``bands(...)[0.5]`` is the median.

    Raises:
        InputError: a column is missing, the frame is empty or a quantile is out of range.

    Example:
        >>> import sim
        >>> runs = sim.run(seed=range(20), months=12)  # doctest: +SKIP
        >>> taj = runs.influence.query("patron == 'China'")  # doctest: +SKIP
        >>> taj = taj[taj["target"] == "Tajikistan"]  # doctest: +SKIP
        >>> bands(taj, "influence")[[0.05, 0.5, 0.95]].tail(1)  # doctest: +SKIP
    """
    missing = [c for c in (value, by) if c not in frame.columns]
    if missing:
        raise InputError(
            f"bands: no column {missing[0]!r}; expected one of {', '.join(map(str, frame.columns))}"
        )
    if frame.empty:
        raise InputError(f"bands: the frame has no rows; check the filter that selected {value!r}")
    qs = [float(q) for q in quantiles]
    bad = [q for q in qs if not 0 <= q <= 1]
    if bad or not qs:
        raise InputError(f"bands: quantiles {list(quantiles)!r}; expected numbers from 0 to 1")
    out = frame.groupby(by, observed=True, sort=True)[value].quantile(qs).unstack()
    out.columns = qs
    return out


def weighted_quantile(
    values: Sequence[float] | np.ndarray,
    quantiles: Sequence[float],
    weights: Sequence[float] | np.ndarray,
) -> list[float]:
    """Quantiles of weighted values (a posterior's particles): the inverse of the weighted CDF.

    Args:
        values: The values.
        quantiles: Each between 0 and 1.
        weights: Non-negative weights, not all 0.

    Returns:
        One value per quantile (interpolated between the midpoints of the sorted values'
        weights, so that equal weights give numpy's ``interpolation="hazen"`` quantiles).

    Raises:
        InputError: mismatched lengths, negative or all-zero weights, a quantile out of range.
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.shape != w.shape or x.ndim != 1 or x.size == 0:
        raise InputError(
            f"weighted_quantile: got {x.size} values and {w.size} weights; "
            "expected as many of each (at least one)"
        )
    if (w < 0).any() or w.sum() <= 0:
        raise InputError("weighted_quantile: expected non-negative weights, not all 0")
    q = np.asarray(quantiles, dtype=float)
    if ((q < 0) | (q > 1)).any():
        raise InputError(f"weighted_quantile: quantiles {list(q)} must lie between 0 and 1")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order] / w.sum()
    mid = np.cumsum(w) - 0.5 * w
    return [float(v) for v in np.interp(q, mid, x)]
