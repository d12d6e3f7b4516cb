"""Helpers the sweep tests share: what a sweep computed, and its equality."""

from __future__ import annotations

import pandas as pd

from sim.sweep import SweepResult

VOLATILE = ["duration_s", "chunk", "worker", "finished_at"]  # when and where, not what


def tables(res: SweepResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What a sweep computed: runs (less timing and placement), summary, time series."""
    runs = res.runs.drop(columns=VOLATILE).sort_values("run").reset_index(drop=True)
    summary = res.summary.sort_values("run").reset_index(drop=True)
    return runs, summary, res.timeseries()


def assert_same(a: SweepResult, b: SweepResult) -> None:
    """Two sweeps computed the same numbers, exactly."""
    for x, y in zip(tables(a), tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
