"""Per-step records: preallocated arrays, tidy frames, files and summaries.

A :class:`Recorder` copies the World's arrays at a chosen cadence
(``monthly``, ``yearly`` or ``final``) into preallocated arrays with a
leading time axis, and keeps the summary figures (when one patron first
overtakes the other in each state) every month whatever the cadence.
The frames it returns are tidy (one row per observation) and carry a
``run`` column, so one format serves single runs, ensembles and sweeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.dynamics import FloatArray
from sim.scenario import INSTRUMENTS
from sim.world import World

Cadence = Literal["monthly", "yearly", "final"]
CADENCES: tuple[str, ...] = ("monthly", "yearly", "final")


def recorded_months(months: int, cadence: str) -> list[int]:
    """The month indices a cadence records (the last month is always recorded)."""
    if cadence == "monthly":
        return list(range(months))
    if cadence == "yearly":
        out = list(range(11, months, 12))
        if not out or out[-1] != months - 1:
            out.append(months - 1)
        return out
    if cadence == "final":
        return [months - 1]
    raise ValueError(f"record cadence must be one of {CADENCES}, got {cadence!r}")


def month_label(start: str, month: int) -> str:
    """``'2016-03'`` plus ``month`` months, as ``YYYY-MM``."""
    y, m = (int(x) for x in start.split("-"))
    total = y * 12 + (m - 1) + month
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class Recorder:
    """Preallocated records of an ensemble.

    Args:
        world: The World being recorded.
        months: Months the model will run.
        cadence: ``monthly``, ``yearly`` or ``final``.
    """

    def __init__(self, world: World, months: int, *, cadence: str = "monthly") -> None:
        self.world = world
        self.cadence = cadence
        self.months = recorded_months(months, cadence)
        self._slot = {m: i for i, m in enumerate(self.months)}
        T, R, P, N, B, K = len(self.months), world.R, world.P, world.N, world.B, len(INSTRUMENTS)
        # np.empty: only the first n_recorded slots are ever read
        self.influence = np.empty((T, R, P, N))
        self.stocks = np.empty((T, R, P, N, K))
        self.flow = np.empty((T, R, P, N, K))
        self.threat = np.empty((T, R, N))
        self.member = np.zeros((T, R, N, B), dtype=bool)
        self.extra: dict[str, np.ndarray] = {}
        #: (T, R) per-run series (e.g. the landscape energy), filled by hooks; see runs_frame()
        self.run_extra: dict[str, np.ndarray] = {}
        self.n_recorded = 0
        self.last_month = -1
        # summary figures tracked every month
        self.first_overtake = np.full((R, N), -1, dtype=int)

    def slot(self, month: int) -> int | None:
        """The time index at which ``month`` is recorded, or None if the cadence skips it."""
        return self._slot.get(month)

    def record(self, month: int) -> None:
        """Record the World as it stands at the end of ``month``."""
        w = self.world
        self.last_month = month
        if w.rivalry is not None:
            c, i = w.patron(w.rivalry[0]), w.patron(w.rivalry[1])
            ahead = w.influence[:, c, :] > w.influence[:, i, :]
            new = ahead & (self.first_overtake < 0)
            self.first_overtake[new] = month
        slot = self._slot.get(month)
        if slot is None:
            return
        self.influence[slot] = w.influence
        self.stocks[slot] = w.stocks
        self.flow[slot] = w.flow
        self.threat[slot] = w.threat
        self.member[slot] = w.member
        self.n_recorded = slot + 1

    # ------------------------------------------------------------------ frames
    def _done(self) -> int:
        return self.n_recorded

    def influence_frame(self) -> pd.DataFrame:
        """Tidy influence: run, month, date, patron, target, influence, stocks, flows, threat."""
        w = self.world
        T = self._done()
        R, P, N = w.R, w.P, w.N
        tt, rr, pp, nn = np.meshgrid(
            np.arange(T), np.arange(R), np.arange(P), np.arange(N), indexing="ij"
        )
        months = np.asarray(self.months[:T])
        start = w.scenarios[0].start
        labels = np.array([month_label(start, int(m)) for m in months])
        df = pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": labels[tt.ravel()],
                "patron": pd.Categorical.from_codes(pp.ravel(), categories=w.patrons),
                "target": pd.Categorical.from_codes(nn.ravel(), categories=w.actors),
                "influence": self.influence[:T].ravel(),
            }
        )
        for k, name in enumerate(INSTRUMENTS):
            df[f"stock_{name}"] = self.stocks[:T, ..., k].ravel()
        for k, name in enumerate(INSTRUMENTS):
            df[f"flow_{name}"] = self.flow[:T, ..., k].ravel()
        df["threat"] = self.threat[:T][:, :, None, :].repeat(P, axis=2).ravel()
        return df

    def states_frame(self) -> pd.DataFrame:
        """Tidy per state: run, month, date, state, threat, autonomy share, dominant patron."""
        w = self.world
        T = self._done()
        R, N = w.R, w.N
        tt, rr, nn = np.meshgrid(np.arange(T), np.arange(R), np.arange(N), indexing="ij")
        months = np.asarray(self.months[:T])
        labels = np.array([month_label(w.scenarios[0].start, int(m)) for m in months])
        inf = self.influence[:T]  # (T, R, P, N)
        dom_idx = inf.argmax(axis=2)
        held = inf.max(axis=2) > 0
        dom = np.asarray(w.patrons, dtype=object)[dom_idx]
        dom[~held] = None
        df = pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": labels[tt.ravel()],
                "state": pd.Categorical.from_codes(nn.ravel(), categories=w.actors),
                "threat": self.threat[:T].ravel(),
                "autonomy_share": np.clip(1.0 - inf.sum(axis=2), 0.0, 1.0).ravel(),
                "dominant": dom.ravel(),
            }
        )
        for name, arr in self.extra.items():  # (T, R, N) per-state series, e.g. landscape camp
            df[name] = arr[:T].ravel()
        return df

    def runs_frame(self) -> pd.DataFrame:
        """Tidy per run: run, month, date, and one column per ``run_extra`` series."""
        w = self.world
        T = self._done()
        tt, rr = np.meshgrid(np.arange(T), np.arange(w.R), indexing="ij")
        months = np.asarray(self.months[:T])
        labels = np.array([month_label(w.scenarios[0].start, int(m)) for m in months])
        df = pd.DataFrame(
            {"run": rr.ravel(), "month": months[tt.ravel()], "date": labels[tt.ravel()]}
        )
        for name, arr in self.run_extra.items():  # (T, R), e.g. the landscape energy
            df[name] = arr[:T].ravel()
        return df

    def membership_frame(self) -> pd.DataFrame:
        """Tidy memberships: run, month, date, state, bloc, member (bool)."""
        w = self.world
        T = self._done()
        R, N, B = w.R, w.N, w.B
        tt, rr, nn, bb = np.meshgrid(
            np.arange(T), np.arange(R), np.arange(N), np.arange(B), indexing="ij"
        )
        months = np.asarray(self.months[:T])
        labels = np.array([month_label(w.scenarios[0].start, int(m)) for m in months])
        return pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": labels[tt.ravel()],
                "state": pd.Categorical.from_codes(nn.ravel(), categories=w.actors),
                "bloc": pd.Categorical.from_codes(bb.ravel(), categories=w.blocs),
                "member": self.member[:T].ravel(),
            }
        )

    # ------------------------------------------------------------------ summaries
    def summary(self, run: int = 0) -> dict[str, Any]:
        """Key figures of one run at its last month (see :func:`summaries`)."""
        return self.summaries([run])[0]

    def summaries(self, runs: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Key figures per run.

        Returns, for each run: ``dominant`` (state -> patron holding most of it,
        or None), ``overtake_month`` (state -> first month the challenger's
        influence exceeded the incumbent's, or None), ``bloc_sizes``,
        ``regional_index`` (patron -> GDP- and population-weighted mean influence
        over the region), ``final_influence`` (patron -> state -> share), and, when
        the landscape is recorded (``extra["camp"]``), ``predicted_camps`` (the
        challenger's and the incumbent's names -> the states in their camp at the last
        recorded month, see :mod:`sim.alignment`).
        """
        w = self.world
        runs = list(range(w.R)) if runs is None else list(runs)
        inf = w.influence
        region = [w.actor(a) for a in w.region]
        out = []
        for r in runs:
            dominant: dict[str, str | None] = {}
            for n, a in enumerate(w.actors):
                col = inf[r, :, n]
                dominant[a] = w.patrons[int(col.argmax())] if col.max() > 0 else None
            overtake = {
                a: (int(self.first_overtake[r, n]) if self.first_overtake[r, n] >= 0 else None)
                for n, a in enumerate(w.actors)
            }
            gdp = w.gdp[r, region]
            pop = w.population[r, region]
            regional = {
                p: {
                    "gdp_weighted": float(np.average(inf[r, i, region], weights=gdp))
                    if region
                    else 0.0,
                    "population_weighted": float(np.average(inf[r, i, region], weights=pop))
                    if region
                    else 0.0,
                }
                for i, p in enumerate(w.patrons)
            }
            out.append(
                {
                    "month": self.last_month,
                    "date": month_label(w.scenarios[0].start, max(self.last_month, 0)),
                    "dominant": dominant,
                    "rivalry": list(w.rivalry) if w.rivalry else None,
                    "region": list(w.region),
                    "overtake_month": overtake,
                    "bloc_sizes": {b: int(w.member[r, :, j].sum()) for j, b in enumerate(w.blocs)},
                    "bloc_members": {
                        b: [a for n, a in enumerate(w.actors) if w.member[r, n, j]]
                        for j, b in enumerate(w.blocs)
                    },
                    "regional_index": regional,
                    "final_influence": {
                        p: {a: float(inf[r, i, n]) for n, a in enumerate(w.actors)}
                        for i, p in enumerate(w.patrons)
                    },
                }
            )
            camp = self.extra.get("camp")
            if camp is not None and self.n_recorded and w.rivalry is not None:
                last = camp[self.n_recorded - 1, r]
                out[-1]["predicted_camps"] = {
                    side: [a for n, a in enumerate(w.actors) if last[n] == label]
                    for side, label in ((w.rivalry[0], 1), (w.rivalry[1], 0))
                }
        return out


def write_frames(frames: dict[str, pd.DataFrame], out: Path, *, csv: bool = True) -> list[Path]:
    """Write tidy frames as Parquet (and CSV) atomically: temp file, then rename.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, df in frames.items():
        target = out / f"{name}.parquet"
        tmp = target.with_suffix(".parquet.tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(target)
        written.append(target)
        if csv:
            target_csv = out / f"{name}.csv"
            tmp_csv = target_csv.with_suffix(".csv.tmp")
            df.to_csv(tmp_csv, index=False)
            tmp_csv.replace(target_csv)
            written.append(target_csv)
    return written


__all__ = [
    "CADENCES",
    "FloatArray",
    "Recorder",
    "month_label",
    "recorded_months",
    "write_frames",
]
