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
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from sim.dynamics import FloatArray
from sim.safeio import written_atomically
from sim.scenario import INSTRUMENTS
from sim.world import World

if TYPE_CHECKING:
    import xarray as xr

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


def month_dates(start: str, months: Sequence[int] | np.ndarray) -> np.ndarray:
    """The first day of each month, as ``datetime64[ns]``: the ``date`` column of every frame.

    Month 0 is ``start`` (``'2016-03'`` gives 2016-03-01); a recorded month stands for the
    whole calendar month, its state at the month's end.
    """
    offsets = np.asarray(months, dtype="timedelta64[M]")
    return (np.datetime64(start, "M") + offsets).astype("datetime64[ns]")


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
        self.effort = np.empty((T, R, P, N, K + 1))  # instruments, then dependencies
        self.refused = np.empty((T, R, P, N))
        self.threat = np.empty((T, R, N))
        self.member = np.zeros((T, R, N, B), dtype=bool)
        self.utility = np.zeros((T, R, N, B))
        self.p_switch = np.zeros((T, R, N, B))
        self.regional = np.zeros((T, R, P, 2))  # GDP- and population-weighted
        self.extra: dict[str, np.ndarray] = {}
        #: returns this month's bloc utilities and switch probabilities, (R, N, B) each
        self.choice_source: Any = None
        region = [world.actor(a) for a in world.region]
        self._region = np.array(region, dtype=int)
        #: (T, R) per-run series (e.g. the landscape energy), filled by hooks; see runs_frame()
        self.run_extra: dict[str, np.ndarray] = {}
        self.n_recorded = 0
        self.last_month = -1
        # summary figures tracked every month
        self.first_overtake = np.full((R, N), -1, dtype=int)
        #: (R, N, 2, K + 1): at the first overtake, the challenger's and the incumbent's effort
        #: by instrument (and dependencies), whatever the cadence
        self.overtake_effort = np.full((R, N, 2, K + 1), np.nan)

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
            if new.any():
                self.first_overtake[new] = month
                parts = self._effort_parts()  # (R, P, N, K + 1)
                pair = np.stack([parts[:, c], parts[:, i]], axis=-2)  # (R, N, 2, K + 1)
                self.overtake_effort[new] = pair[new]
        slot = self._slot.get(month)
        if slot is None:
            return
        self.influence[slot] = w.influence
        self.stocks[slot] = w.stocks
        self.flow[slot] = w.flow
        self.effort[slot] = self._effort_parts()
        self.refused[slot] = w.refused
        self.threat[slot] = w.threat
        self.member[slot] = w.member
        if self.choice_source is not None:
            self.utility[slot], self.p_switch[slot] = self.choice_source()
        self.regional[slot] = self._regional_index()
        self.n_recorded = slot + 1

    def _regional_index(self) -> FloatArray:
        """``(R, P, 2)``: each patron's GDP- and population-weighted share of the region."""
        w = self.world
        out = np.zeros((w.R, w.P, 2))
        if self._region.size:
            inf = w.influence[:, :, self._region]  # (R, P, n)
            for j, size in enumerate((w.gdp, w.population)):
                weight = size[:, self._region]
                out[:, :, j] = (inf * weight[:, None, :]).sum(-1) / weight.sum(-1)[:, None]
        return out

    def _effort_parts(self) -> FloatArray:
        """``(R, P, N, K + 1)``: each instrument's part of the effort, then the dependencies."""
        w = self.world
        return np.concatenate([w.effort_parts, w.dependency[..., None]], axis=-1)

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
        dates = month_dates(w.scenarios[0].start, months)
        df = pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": dates[tt.ravel()],
                "patron": pd.Categorical.from_codes(pp.ravel(), categories=w.patrons),
                "target": pd.Categorical.from_codes(nn.ravel(), categories=w.actors),
                "influence": self.influence[:T].ravel(),
            }
        )
        for k, name in enumerate(INSTRUMENTS):
            df[f"stock_{name}"] = self.stocks[:T, ..., k].ravel()
        for k, name in enumerate(INSTRUMENTS):
            df[f"flow_{name}"] = self.flow[:T, ..., k].ravel()
        df["refused_security"] = self.refused[:T].ravel()
        for k, name in enumerate((*INSTRUMENTS, "dependency")):
            df[f"effort_{name}"] = self.effort[:T, ..., k].ravel()
        df["threat"] = self.threat[:T][:, :, None, :].repeat(P, axis=2).ravel()
        return df

    def states_frame(self) -> pd.DataFrame:
        """Tidy per state: run, month, date, state, threat, autonomy share, dominant patron."""
        w = self.world
        T = self._done()
        R, N = w.R, w.N
        tt, rr, nn = np.meshgrid(np.arange(T), np.arange(R), np.arange(N), indexing="ij")
        months = np.asarray(self.months[:T])
        dates = month_dates(w.scenarios[0].start, months)
        inf = self.influence[:T]  # (T, R, P, N)
        dom_idx = inf.argmax(axis=2)
        held = inf.max(axis=2) > 0
        dom = np.asarray(w.patrons, dtype=object)[dom_idx]
        dom[~held] = None
        df = pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": dates[tt.ravel()],
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
        dates = month_dates(w.scenarios[0].start, months)
        df = pd.DataFrame(
            {"run": rr.ravel(), "month": months[tt.ravel()], "date": dates[tt.ravel()]}
        )
        for name, arr in self.run_extra.items():  # (T, R), e.g. the landscape energy
            df[name] = arr[:T].ravel()
        return df

    def membership_frame(self) -> pd.DataFrame:
        """Tidy memberships: run, month, date, state, bloc, member (bool), utility.

        ``utility`` is what belonging to the bloc was worth to the state that month, against
        staying out (security and economic benefit, costs, and its alignment rule's reading
        of the powers' hold on it): the reason behind each choice; ``p_switch`` the
        probability that the state switched (joined or left) that month (0 where it may
        not; 0 or 1 with noise off). Both 0 for states that do not choose (bloc leaders).
        """
        w = self.world
        T = self._done()
        R, N, B = w.R, w.N, w.B
        tt, rr, nn, bb = np.meshgrid(
            np.arange(T), np.arange(R), np.arange(N), np.arange(B), indexing="ij"
        )
        months = np.asarray(self.months[:T])
        dates = month_dates(w.scenarios[0].start, months)
        return pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": dates[tt.ravel()],
                "state": pd.Categorical.from_codes(nn.ravel(), categories=w.actors),
                "bloc": pd.Categorical.from_codes(bb.ravel(), categories=w.blocs),
                "member": self.member[:T].ravel(),
                "utility": self.utility[:T].ravel(),
                "p_switch": self.p_switch[:T].ravel(),
            }
        )

    def regional_frame(self) -> pd.DataFrame:
        """Tidy per patron: run, month, date, patron, gdp_weighted, population_weighted.

        Each patron's mean share of the contested region (the states that lead no bloc),
        weighted by GDP and by population: the regional influence index, every month.
        """
        w = self.world
        T = self._done()
        tt, rr, pp = np.meshgrid(np.arange(T), np.arange(w.R), np.arange(w.P), indexing="ij")
        months = np.asarray(self.months[:T])
        labels = np.array([month_label(w.scenarios[0].start, int(m)) for m in months])
        return pd.DataFrame(
            {
                "run": rr.ravel(),
                "month": months[tt.ravel()],
                "date": labels[tt.ravel()],
                "patron": pd.Categorical.from_codes(pp.ravel(), categories=w.patrons),
                "gdp_weighted": self.regional[:T, ..., 0].ravel(),
                "population_weighted": self.regional[:T, ..., 1].ravel(),
            }
        )

    def to_xarray(self, *, seeds: Sequence[Any] | None = None) -> xr.Dataset:
        """The records as an :class:`xarray.Dataset` with dimensions run, month, patron,
        state, instrument (and bloc, for memberships).

        Variables: ``influence`` (run, month, patron, state); ``stock`` and ``flow`` (run,
        month, patron, state, instrument); ``threat``, ``autonomy_share`` (run, month,
        state); ``member`` (run, month, state, bloc); and, when the landscape is recorded,
        ``camp`` (run, month, state) and ``landscape_energy`` (run, month). Coordinates:
        the names, the recorded months with their ``date`` (first day of the month) and,
        when given, each run's ``seed``. The values are the frames' values, reshaped.

        Args:
            seeds: The seed of each run, as a ``seed`` coordinate along ``run``.
        """
        import xarray as xr

        w = self.world
        T = self._done()
        months = np.asarray(self.months[:T])
        inf = self.influence[:T]

        def runs_first(a: np.ndarray) -> np.ndarray:
            return np.moveaxis(a[:T], 1, 0)  # (T, R, ...) -> (R, T, ...)

        data: dict[str, Any] = {
            "influence": (("run", "month", "patron", "state"), runs_first(inf)),
            "stock": (("run", "month", "patron", "state", "instrument"), runs_first(self.stocks)),
            "flow": (("run", "month", "patron", "state", "instrument"), runs_first(self.flow)),
            "threat": (("run", "month", "state"), runs_first(self.threat)),
            "autonomy_share": (
                ("run", "month", "state"),
                runs_first(np.clip(1.0 - inf.sum(axis=2), 0.0, 1.0)),
            ),
            "member": (("run", "month", "state", "bloc"), runs_first(self.member)),
        }
        for name, arr in self.extra.items():  # (T, R, N), e.g. the landscape camp
            data[name] = (("run", "month", "state"), runs_first(arr))
        for name, arr in self.run_extra.items():  # (T, R), e.g. the landscape energy
            data[name] = (("run", "month"), runs_first(arr))
        coords: dict[str, Any] = {
            "run": np.arange(w.R),
            "month": months,
            "date": ("month", month_dates(w.scenarios[0].start, months)),
            "patron": list(w.patrons),
            "state": list(w.actors),
            "instrument": list(INSTRUMENTS),
            "bloc": list(w.blocs),
        }
        if seeds is not None:
            coords["seed"] = ("run", np.asarray(list(seeds)))
        ds = xr.Dataset(data, coords=coords)
        ds["influence"].attrs = {"long_name": "influence share", "units": "1"}
        ds["stock"].attrs = {"long_name": "stock", "units": "US$ million"}
        ds["flow"].attrs = {"long_name": "flow", "units": "US$ million per month"}
        ds.attrs = {"start": w.scenarios[0].start, "record": self.cadence}
        return ds

    # ------------------------------------------------------------------ summaries
    def _overtake_effort(self, run: int) -> dict[str, dict[str, Any]]:
        """Per state the challenger overtook: both sides' effort by instrument at that month."""
        w = self.world
        assert w.rivalry is not None
        out: dict[str, dict[str, Any]] = {}
        for n, a in enumerate(w.actors):
            month = int(self.first_overtake[run, n])
            if month < 0:
                continue
            pair = self.overtake_effort[run, n]
            out[a] = {
                "month": month,
                "challenger": effort_shares(pair[0]),
                "incumbent": effort_shares(pair[1]),
                "challenger_effort": float(pair[0].sum()),
                "incumbent_effort": float(pair[1].sum()),
            }
        return out

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
            if w.rivalry is not None:
                out[-1]["overtake_effort"] = self._overtake_effort(r)
            camp = self.extra.get("camp")
            if camp is not None and self.n_recorded and w.rivalry is not None:
                last = camp[self.n_recorded - 1, r]
                out[-1]["predicted_camps"] = {
                    side: [a for n, a in enumerate(w.actors) if last[n] == label]
                    for side, label in ((w.rivalry[0], 1), (w.rivalry[1], 0))
                }
        return out


EFFORT_PARTS: tuple[str, ...] = (*INSTRUMENTS, "dependency")
"""The parts of an effort: the three instruments' stocks, then structural dependencies."""


def effort_shares(parts: np.ndarray) -> dict[str, float]:
    """Each part's share of an effort (``parts``: one value per :data:`EFFORT_PARTS`)."""
    total = float(np.sum(parts))
    return {
        k: (float(v) / total if total > 0 else 0.0)
        for k, v in zip(EFFORT_PARTS, parts, strict=True)
    }


def write_frames(frames: dict[str, pd.DataFrame], out: Path, *, csv: bool = True) -> list[Path]:
    """Write tidy frames as Parquet (and CSV) atomically: temp file, then rename.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, df in frames.items():
        target = out / f"{name}.parquet"
        with written_atomically(target) as tmp:  # a failed write leaves no temp file
            df.to_parquet(tmp, index=False)
        written.append(target)
        if csv:
            target_csv = out / f"{name}.csv"
            with written_atomically(target_csv) as tmp_csv:
                df.to_csv(tmp_csv, index=False)
            written.append(target_csv)
    return written


__all__ = [
    "CADENCES",
    "EFFORT_PARTS",
    "FloatArray",
    "Recorder",
    "effort_shares",
    "month_dates",
    "month_label",
    "recorded_months",
    "write_frames",
]
