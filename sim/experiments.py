"""Experiments on the run axis: how a membership answers a driver, and what noise alone does.

Both run as one ensemble (points x seeds), never one model per point:

* :func:`response_curve` sets one scenario value to each of several levels (any key path
  ``--set`` takes, e.g. ``blocs.QCCM.guarantee``, China's offer to the Quartet's members)
  and measures, over the seeds, the share of runs in which a state belongs to a bloc at the
  end, with its Wilson interval; with noise off it gives the deterministic answer. A
  documented driver that cannot move the membership over its plausible range is a
  finding.
* :func:`noise_switches` compares each seed's run with the noise-free run of the same
  scenario (``parameters.stochastic: false``): a run whose voluntary membership changes
  (who joined or left what, whenever) differ from the noise-free run's changed because of
  noise, the logit's tail or a random shock, not because of the reasons the model
  documents (MODEL.md pattern 5: memberships are sticky).

Example:
    >>> from sim.experiments import response_curve
    >>> curve = response_curve("quartet_expands", "blocs.QCCM.guarantee",
    ...                        [0.0, 0.5, 1.0], state="Uzbekistan", bloc="QCCM",
    ...                        seeds=range(20))               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scenario import Scenario, validate_data

__all__ = ["NoiseSwitches", "noise_switches", "response_curve"]


def _raw(scenario: Scenario | str | Path) -> tuple[dict[str, Any], str]:
    from sim.resources import find_scenario
    from sim.scenario import load_raw

    if isinstance(scenario, Scenario):
        return scenario.model_dump(by_alias=True, exclude_unset=True), scenario.name
    path = find_scenario(scenario)
    return load_raw(path), str(path)


def _strip_landscape(sc: Scenario) -> Scenario:
    """The landscape prediction only observes: experiments on memberships do not need it."""
    return sc.model_copy(
        update={"parameters": sc.parameters.model_copy(update={"landscape": None})}
    )


def response_curve(
    scenario: Scenario | str | Path,
    key: str,
    values: Iterable[float],
    *,
    state: str,
    bloc: str,
    seeds: Iterable[int] = range(50),
    stochastic: bool | None = None,
) -> pd.DataFrame:
    """The share of runs in which ``state`` belongs to ``bloc`` at the end, for each value.

    Args:
        scenario: A Scenario, a file or a shipped scenario's name.
        key: The key path to vary (as ``--set`` takes it).
        values: Its levels.
        state, bloc: The membership measured.
        seeds: Seeds, the same at every level (common random numbers).
        stochastic: Override ``parameters.stochastic`` (False: the noise-free answer).

    Returns:
        One row per value: ``value``, ``runs``, ``member`` (share of runs in the bloc at
        the end), ``low``/``high`` (its 95% Wilson interval), ``first_month`` (median
        month of joining among the runs that were out at the start and joined; NaN if
        none), ``utility`` (median over runs of the state's utility of the bloc at the
        last month).

    Raises:
        InputError: a bad key, value, state or bloc (one sentence).
    """
    from sim.model import InfluenceModel
    from sim.stats import wilson_interval
    from sim.sweep.design import check_keys, parse_param, set_paths

    raw, source = _raw(scenario)
    levels = [float(v) for v in values]
    seed_list = [int(s) for s in seeds]
    if not levels or not seed_list:
        raise InputError("response_curve needs at least one value and one seed")
    check_keys(raw, [parse_param(f"{key}={levels[0]!r}")])
    scenarios = []
    for v in levels:
        data = set_paths(raw, {key: v})
        if stochastic is not None:
            data = set_paths(data, {"parameters.stochastic": stochastic})
        scenarios.append(_strip_landscape(validate_data(data, source=source)))
    sc0 = scenarios[0]
    if state not in sc0.actors:
        raise InputError(
            f"response_curve: unknown state {state!r}; expected one of {list(sc0.actors)}"
        )
    if bloc not in sc0.blocs:
        raise InputError(
            f"response_curve: unknown bloc {bloc!r}; expected one of {list(sc0.blocs)}"
        )
    R = len(seed_list)
    model = InfluenceModel(
        [sc for sc in scenarios for _ in range(R)],
        seeds=seed_list * len(levels),
        collect=False,
    )
    model.run()
    w, rec = model.world, model.records
    n, b = w.actor(state), w.bloc(bloc)
    member = rec.member[: rec.n_recorded, :, n, b]  # (T, runs)
    utility = rec.utility[rec.n_recorded - 1, :, n, b]
    rows = []
    for i, v in enumerate(levels):
        block = slice(i * R, (i + 1) * R)
        end = member[-1, block]
        joined_months = [
            int(np.argmax(member[:, r]))
            for r in range(block.start, block.stop)
            if not member[0, r] and member[:, r].any()
        ]
        low, high = wilson_interval(int(end.sum()), R)
        rows.append(
            {
                "value": v,
                "runs": R,
                "member": float(end.mean()),
                "low": low,
                "high": high,
                "first_month": float(np.median(joined_months)) if joined_months else np.nan,
                "utility": float(np.median(utility[block])),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class NoiseSwitches:
    """What noise alone does to memberships (see :func:`noise_switches`).

    Attributes:
        share: Share of seeds whose voluntary membership changes differ from the
            noise-free run's.
        runs: Number of seeds.
        low, high: Its 95% Wilson interval.
        reasons: The noise-free run's changes: (state, bloc, 'joins' | 'leaves', month).
        changes: One row per change that differs from the noise-free run (extra or
            missing): ``seed``, ``state``, ``bloc``, ``change``, ``kind`` (``extra``: noise
            made it; ``missing``: noise prevented it).
    """

    share: float
    runs: int
    low: float
    high: float
    reasons: list[tuple[str, str, str, int]]
    changes: pd.DataFrame


def _changes(member: np.ndarray, start: np.ndarray) -> list[set[tuple[int, int, bool]]]:
    """Per run, the set of (state, bloc, joined) transitions over the months."""
    full = np.concatenate([start[None], member], axis=0)  # (T + 1, R, N, B)
    diff = full[1:] != full[:-1]
    out: list[set[tuple[int, int, bool]]] = [set() for _ in range(member.shape[1])]
    for t, r, n, b in zip(*np.nonzero(diff), strict=True):
        out[int(r)].add((int(n), int(b), bool(full[t + 1, r, n, b])))
    return out


def noise_switches(
    scenario: Scenario | str | Path, seeds: Iterable[int] = range(50)
) -> NoiseSwitches:
    """Compare each seed's memberships with the noise-free run's (timing aside).

    Forced joins and leaves (events) happen in both runs and cancel out; what remains is
    what noise changed: a switch the noise-free run does not make, or one it makes that a
    noisy run misses.
    """
    from sim.model import InfluenceModel
    from sim.stats import wilson_interval

    raw, source = _raw(scenario)
    sc = _strip_landscape(validate_data(raw, source=source))
    quiet = sc.model_copy(
        update={"parameters": sc.parameters.model_copy(update={"stochastic": False})}
    )
    seed_list = [int(s) for s in seeds]
    free = InfluenceModel(quiet, seeds=seed_list[0], collect=False)
    start = free.world.member.copy()
    free.run()
    noisy = InfluenceModel(sc, seeds=seed_list, collect=False)
    start_noisy = noisy.world.member.copy()
    noisy.run()
    w = noisy.world
    base = _changes(free.records.member[: free.records.n_recorded], start)[0]
    runs = _changes(noisy.records.member[: noisy.records.n_recorded], start_noisy)
    rows = []
    differ = 0
    for r, got in enumerate(runs):
        if got != base:
            differ += 1
        for kind, cells in (("extra", got - base), ("missing", base - got)):
            for n, b, joined in sorted(cells):
                rows.append(
                    {
                        "seed": seed_list[r],
                        "state": w.actors[n],
                        "bloc": w.blocs[b],
                        "change": "joins" if joined else "leaves",
                        "kind": kind,
                    }
                )
    fm = free.records.member[: free.records.n_recorded, 0]
    prev = np.concatenate([start[0][None], fm[:-1]], axis=0)
    reasons = [
        (w.actors[n], w.blocs[b], "joins" if fm[t, n, b] else "leaves", int(t))
        for t, n, b in zip(*np.nonzero(fm != prev), strict=True)
    ]
    low, high = wilson_interval(differ, len(runs))
    return NoiseSwitches(
        share=differ / len(runs),
        runs=len(runs),
        low=low,
        high=high,
        reasons=reasons,
        changes=pd.DataFrame(rows, columns=["seed", "state", "bloc", "change", "kind"]),
    )
