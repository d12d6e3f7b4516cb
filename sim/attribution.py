"""Which instrument drives an overtake: effort shares and knockout counterfactuals.

When the challenger (China in the article) overtakes the incumbent (Russia) in a
state, two measurements say which of its instruments carried it:

* **effort shares**: at the month of the overtake, each instrument's part of the
  challenger's effort over the state (stocks as absorbed, times the state's weights
  and the bloc multipliers, over its GDP; :attr:`sim.records.Recorder.overtake_effort`);
* **knockouts**: the same runs (same seeds, so the same random numbers) with one
  instrument removed from the challenger's toolkit *in that state only*: its stock of
  that instrument there starts at 0 and it cannot spend on it there, aid included
  (the money it had planned there is not spent; an adaptive challenger moves its
  budget away as usual). Everything else, its spending in other states included, is
  as in the base run. The overtake month without the instrument, against the month
  with it, says whether the instrument was necessary (no overtake without it), a
  matter of timing (a delay), or substitutable (no change).

The knockouts run as one ensemble on the run axis (runs x states x instruments), not
one model per counterfactual.

Example:
    >>> import sim
    >>> from sim.attribution import attribute
    >>> table = attribute(sim.load(), seeds=range(20))   # doctest: +SKIP
    >>> table[["state", "overtaken", "driver"]]          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sim.records import EFFORT_PARTS, effort_shares
from sim.scenario import INSTRUMENTS, Scenario
from sim.world import Knockout

__all__ = [
    "DELAY_MONTHS",
    "KnockoutResult",
    "attribute",
    "describe",
    "knockouts",
    "run_attribution",
]

DELAY_MONTHS = 12
"""A knockout that delays an overtake by at least this many months counts as a driver."""


class KnockoutResult:
    """First overtake months of an ensemble and of its knockouts (one per instrument).

    Attributes:
        actors: Names along the state axis.
        region: The contested states.
        rivalry: (challenger, incumbent).
        seeds: The seeds, run ``r`` has ``seeds[r]``.
        base: ``(R, N)`` first month the challenger leads (-1: never; 0: from the start).
        without: instrument -> ``(R, N)`` the same without that instrument.
        shares: ``(R, N, 4)`` the challenger's effort shares at its overtake (NaN: none).
        months: Months simulated.
    """

    def __init__(
        self,
        *,
        actors: list[str],
        region: list[str],
        rivalry: tuple[str, str],
        seeds: list[int],
        base: np.ndarray,
        without: dict[str, np.ndarray],
        shares: np.ndarray,
        months: int,
    ) -> None:
        self.actors = actors
        self.region = region
        self.rivalry = rivalry
        self.seeds = seeds
        self.base = base
        self.without = without
        self.shares = shares
        self.months = months


def knockouts(
    scenario: Scenario,
    seeds: Iterable[int],
    *,
    months: int | None = None,
    posterior: Any = None,
) -> KnockoutResult:
    """Run the scenario over ``seeds`` with its challenger whole and without each instrument.

    All ``(1 + K) x R`` runs advance together in one ensemble (records: final month
    only; the first overtake is tracked every month whatever the cadence). With a
    ``posterior`` (:class:`sim.posterior.Posterior`), run r and its knockouts share the
    parameter set seed r draws.

    Raises:
        sim.errors.InputError: the scenario has no rivalry (fewer than two patrons).
    """
    from sim.errors import InputError
    from sim.model import InfluenceModel
    from sim.world import rivalry_of

    seed_list = [int(s) for s in seeds]
    rivalry = rivalry_of(scenario)
    if rivalry is None:
        raise InputError(
            f"{scenario.name}: attribution needs a challenger and an incumbent; "
            "expected at least two patrons (or a rivalry)"
        )
    from sim.world import region_of

    challenger = rivalry[0]
    region = region_of(scenario)
    plans: list[tuple[Knockout, ...]] = [()] + [
        ((challenger, k, t),) for t in region for k in INSTRUMENTS
    ]
    R = len(seed_list)
    # the landscape prediction only observes (it never feeds back): not needed here
    per_seed = posterior.scenarios(scenario, seed_list) if posterior is not None else [scenario] * R
    bare = [
        sc.model_copy(update={"parameters": sc.parameters.model_copy(update={"landscape": None})})
        for sc in per_seed
    ]
    model = InfluenceModel(
        bare * len(plans),
        seeds=seed_list * len(plans),
        months=months,
        record="final",
        knockouts=[plan for plan in plans for _ in range(R)],
        collect=False,
    )
    model.run()
    rec = model.records
    actors = list(model.world.actors)
    first = rec.first_overtake.reshape(len(plans), R, len(actors))
    parts = rec.overtake_effort.reshape(len(plans), R, len(actors), 2, len(EFFORT_PARTS))
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = parts[0, :, :, 0, :] / parts[0, :, :, 0, :].sum(axis=-1, keepdims=True)
    # without[k][:, n]: the overtake month in state n when k is knocked out there
    without = {k: np.full((R, len(actors)), -1, dtype=int) for k in INSTRUMENTS}
    for i, (t, k) in enumerate((t, k) for t in region for k in INSTRUMENTS):
        n = actors.index(t)
        without[k][:, n] = first[1 + i, :, n]
    return KnockoutResult(
        actors=actors,
        region=list(model.world.region),
        rivalry=rivalry,
        seeds=seed_list,
        base=first[0],
        without=without,
        shares=shares,
        months=model.n_months,
    )


def attribute(
    scenario: Scenario, seeds: Iterable[int] = (0,), *, months: int | None = None
) -> pd.DataFrame:
    """One row per contested state: who overtakes, when, with what, and what drives it.

    See :func:`summarise` for the columns.
    """
    return summarise(knockouts(scenario, seeds, months=months))


def summarise(res: KnockoutResult) -> pd.DataFrame:
    """Aggregate a :class:`KnockoutResult` over its seeds, one row per contested state.

    Columns: ``state``; ``led_from_start`` (share of seeds where the challenger leads
    from month 0: no overtake to explain); ``overtaken`` (share of seeds with an
    overtake after month 0); ``month`` (median overtake month over those seeds);
    ``share_<instrument>`` (mean share of the challenger's effort at the overtake);
    per instrument ``prevented_<k>`` (share of overtaking seeds with no overtake
    without k) and ``delay_<k>`` (median delay in months where both overtake);
    ``driver`` (see :func:`driver_of`).
    """
    rows: list[dict[str, Any]] = []
    for state in res.region:
        n = res.actors.index(state)
        base = res.base[:, n]
        start = base == 0
        over = base > 0
        row: dict[str, Any] = {
            "state": state,
            "led_from_start": float(start.mean()),
            "overtaken": float(over.mean()),
            "month": float(np.median(base[over])) if over.any() else np.nan,
        }
        for j, part in enumerate(EFFORT_PARTS):
            vals = res.shares[over, n, j]
            row[f"share_{part}"] = float(np.nanmean(vals)) if over.any() else np.nan
        for k in INSTRUMENTS:
            wo = res.without[k][:, n]
            if over.any():
                prevented = over & (wo < 0)
                both = over & (wo >= 0)
                row[f"prevented_{k}"] = float(prevented.sum() / over.sum())
                row[f"delay_{k}"] = (
                    float(np.median(wo[both] - base[both])) if both.any() else np.nan
                )
            else:
                row[f"prevented_{k}"] = np.nan
                row[f"delay_{k}"] = np.nan
        row["driver"] = driver_of(row)
        rows.append(row)
    return pd.DataFrame(rows)


def driver_of(row: dict[str, Any]) -> str:
    """The instrument(s) an overtake rests on, from a :func:`summarise` row.

    An instrument *drives* an overtake when, without it, the overtake does not happen in
    most overtaking seeds, or comes at least :data:`DELAY_MONTHS` months later (median).
    ``"none: led from the start"`` when the challenger leads from month 0 in most seeds,
    ``"no overtake"`` when it rarely overtakes, and ``"no single instrument"`` when every
    instrument alone can be done without.
    """
    if row["led_from_start"] > 0.5:
        return "none: led from the start"
    if not row["overtaken"] or row["overtaken"] < 0.5:
        return "no overtake"
    drivers = [
        k
        for k in INSTRUMENTS
        if row[f"prevented_{k}"] > 0.5
        or (np.isfinite(row[f"delay_{k}"]) and row[f"delay_{k}"] >= DELAY_MONTHS)
    ]
    return " and ".join(drivers) if drivers else "no single instrument"


def describe(row: dict[str, Any] | pd.Series, *, challenger: str, incumbent: str) -> str:
    """One sentence per state, built from the numbers (the docs quote these sentences)."""
    state = row["state"]
    if row["driver"] == "none: led from the start":
        return f"{challenger} leads {incumbent} in {state} from the start."
    if row["driver"] == "no overtake":
        if not row["overtaken"]:
            return f"{challenger} does not overtake {incumbent} in {state} in any seed."
        return (
            f"{challenger} overtakes {incumbent} in {state} in {row['overtaken']:.0%} of "
            "seeds only."
        )
    shares = ", ".join(
        f"{row[f'share_{k}']:.0%} {k}" for k in EFFORT_PARTS if row.get(f"share_{k}", 0) >= 0.005
    )
    effects = []
    for k in INSTRUMENTS:
        prevented, delay = row[f"prevented_{k}"], row[f"delay_{k}"]
        if prevented > 0.5:
            effects.append(f"without {k} it does not overtake in {prevented:.0%} of seeds")
        elif np.isfinite(delay) and delay != 0:
            n = abs(float(delay))
            effects.append(
                f"without {k} {n:g} month{'' if n == 1 else 's'} "
                f"{'later' if delay > 0 else 'earlier'}"
            )
    tail = "; ".join(effects) if effects else "no knockout changes the month"
    return (
        f"{challenger} overtakes {incumbent} in {state} in {row['overtaken']:.0%} of seeds "
        f"(median month {row['month']:.0f}), its effort then {shares}; {tail}: "
        f"driven by {row['driver']}."
    )


def run_attribution(
    scenario: Scenario, seed: int, *, months: int | None = None
) -> dict[str, dict[str, Any]]:
    """The attribution of one run, for its summary: state -> month, shares, without, driver."""
    res = knockouts(scenario, [seed], months=months)
    out: dict[str, dict[str, Any]] = {}
    for state in res.region:
        n = res.actors.index(state)
        month = int(res.base[0, n])
        if month <= 0:
            continue
        without = {k: (int(v[0, n]) if v[0, n] >= 0 else None) for k, v in res.without.items()}
        row = summarise_single(res, n)
        out[state] = {
            "month": month,
            "effort_shares": effort_shares(np.nan_to_num(res.shares[0, n])),
            "month_without": without,
            "driver": driver_of(row),
        }
    return out


def summarise_single(res: KnockoutResult, n: int) -> dict[str, Any]:
    """The :func:`summarise` row of state index ``n`` for a one-seed result."""
    frame = summarise(res)
    return dict(frame[frame["state"] == res.actors[n]].iloc[0])
