"""Which scenario values matter: a one-at-a-time screen of every numeric leaf.

Every number a scenario holds (money, fractions, months, coordinates, the items of
lists) is a *leaf*. The screen changes one leaf at a time, builds the changed
scenarios with the sweep package's own path setter (:func:`sim.sweep.design.set_paths`),
runs them all as one ensemble beside the unchanged scenario, on the same seeds (common
random numbers), and compares every recorded output: influence, stocks, flows, effort,
refused security money, threat, memberships, bloc utilities, predicted camps and the
landscape energy, every month. A leaf whose change moves none of them has *no effect*
in that scenario; :func:`sim.validation.notes` must then say why
(``greatgame validate`` prints it), or the model has an inert parameter.

Each leaf is changed upward first (a number x to 1.5 x, or to a small positive value from
0; a month or count by one), and downward when the upward value is invalid. ``months``
is screened by running one month less; leaves that no valid change exists for are
reported as such.

Example:
    >>> from sim.screen import screen
    >>> table = screen("scenarios/central_asia_2016.yaml", seeds=4)   # doctest: +SKIP
    >>> table[~table.effect]                                          # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.scenario import Scenario, _parse_money, load_raw, validate_data

__all__ = ["Leaf", "numeric_leaves", "screen"]

#: Relative size of a change below which two runs count as equal (float noise).
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Leaf:
    """A number in a scenario: its key path (as ``--set`` takes it) and its value."""

    key: str
    value: Any


def numeric_leaves(raw: Any, prefix: str = "") -> Iterator[Leaf]:
    """Every number of raw scenario data, money included, with its dotted key path.

    Strings that are amounts of money (``"300 m CNY"``) count; booleans and other
    strings (names, dates, sources) do not.
    """
    if isinstance(raw, dict):
        for k, v in raw.items():
            yield from numeric_leaves(v, f"{prefix}{k}." if prefix or k else f"{k}.")
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            yield from numeric_leaves(v, f"{prefix}{i}.")
    elif isinstance(raw, bool):
        return
    elif isinstance(raw, int | float):
        yield Leaf(prefix.rstrip("."), raw)
    elif isinstance(raw, str) and _is_money(raw):
        yield Leaf(prefix.rstrip("."), raw)


_MONEYISH = re.compile(r"^\s*[-+]?[0-9][0-9_,]*(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*[A-Za-z ]*$")


def _is_money(text: str) -> bool:
    if not _MONEYISH.match(text) or not any(c.isalpha() for c in text):
        return False
    try:
        _parse_money(text)
    except ValueError:
        return False
    return True


def _changes(value: Any, key: str) -> list[Any]:
    """Candidate changed values, the preferred first."""
    if isinstance(value, str):  # money
        m = _parse_money(value)
        unit = f" m {m.currency}" if m.currency else ""
        up = m.amount * 1.5 if m.amount > 0 else 10.0
        return [f"{up!r}{unit}", f"{m.amount * 0.5!r}{unit}"]
    if isinstance(value, int) and _integral(key):
        return [value + 1, value - 1]  # months, seeds, counts
    x = float(value)
    if x == 0:
        return [0.1, 0.01, 1.0]
    return [v for v in (x * 1.5, x * 0.5, x * 0.9, min(x * 1.1, 1.0), x + 1.0) if v != x]


def _integral(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last in {"from", "to", "month", "months", "seed", "every", "horizon"}


def _perturbed(raw: dict[str, Any], leaf: Leaf, source: str) -> tuple[Any, Scenario] | None:
    from sim.sweep.design import set_paths

    for candidate in _changes(leaf.value, leaf.key):
        try:
            sc = validate_data(set_paths(raw, {leaf.key: candidate}), source=source)
        except InputError:
            continue
        return candidate, sc
    return None


def _outputs(model: Any) -> dict[str, np.ndarray]:
    """The recorded arrays, run axis second (``(T, R, ...)``)."""
    rec = model.records
    T = rec.n_recorded
    out = {
        "influence": rec.influence[:T],
        "stocks": rec.stocks[:T],
        "flows": rec.flow[:T],
        "effort": rec.effort[:T],
        "refused": rec.refused[:T],
        "threat": rec.threat[:T],
        "memberships": rec.member[:T].astype(float),
        "utility": rec.utility[:T],
        "switch probabilities": rec.p_switch[:T],
        "regional index": rec.regional[:T],
    }
    for name, arr in rec.extra.items():
        out[name] = arr[:T].astype(float)
    for name, arr in rec.run_extra.items():
        out[name] = arr[:T].astype(float)
    return out


def _differs(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative difference between two recorded arrays (NaN-aware)."""
    if a.shape != b.shape:
        return math.inf
    scale = max(float(np.nanmax(np.abs(a))) if a.size else 0.0, 1e-300)
    d = np.abs(a - b)
    d = np.where(np.isnan(a) & np.isnan(b), 0.0, d)
    return float(np.nanmax(d)) / scale if d.size else 0.0


def screen(
    scenario: str | Path,
    *,
    seeds: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Screen every numeric leaf of a scenario file (``extends`` resolved).

    Args:
        scenario: The scenario file.
        seeds: Replicates per leaf (seeds ``seed .. seed + seeds - 1`` of the scenario's own
            ``seed``, the same for every leaf).
        progress: Called with (leaves done, leaves in all).

    Returns:
        One row per leaf: ``key``, ``value``, ``changed_to``, ``effect`` (bool),
        ``size`` (the largest relative change of any output), ``outputs`` (the outputs it
        moved, by name), and ``note`` (what validation says of the key, if anything).
    """
    from sim.model import InfluenceModel
    from sim.validation import notes

    path = Path(scenario)
    raw = load_raw(path)
    base = validate_data(raw, source=str(path))
    said = {n.key: n.reason for n in notes(base)}
    leaves = list(numeric_leaves(raw))
    rows: list[dict[str, Any]] = []
    built: list[tuple[Leaf, Any, Scenario]] = []
    for leaf in leaves:
        got = _perturbed(raw, leaf, str(path))
        if got is None:
            rows.append(_row(leaf, None, None, said))
        else:
            built.append((leaf, got[0], got[1]))

    def seeds_of(sc: Scenario) -> list[int]:
        return [sc.seed + i for i in range(seeds)]

    # one ensemble per group of changed scenarios that may share a run axis with the base
    groups: dict[tuple[Any, ...], list[tuple[Leaf, Any, Scenario]]] = {}
    for item in built:
        groups.setdefault(_ensemble_key(item[2]), []).append(item)
    done = 0
    for members in groups.values():
        scenarios = [base] + [sc for _, _, sc in members]
        if _ensemble_key(base) != _ensemble_key(members[0][2]):
            # another length or landscape cadence: its own ensemble, compared with a base
            # run of the same settings where that is possible (months: only the length)
            pass
        model = (
            InfluenceModel(
                [x for x in scenarios for _ in range(seeds)],
                seeds=[v for x in scenarios for v in seeds_of(x)],
                collect=False,
            )
            if _ensemble_key(base) == _ensemble_key(members[0][2])
            else None
        )
        if model is None:
            for leaf, changed, sc in members:
                rows.append(_row(leaf, changed, _alone(base, sc, seeds_of), said))
                done += 1
            continue
        model.run()
        outs = _outputs(model)
        for i, (leaf, changed, _) in enumerate(members, start=1):
            moved = {
                name: _differs(arr[:, :seeds], arr[:, i * seeds : (i + 1) * seeds])
                for name, arr in outs.items()
            }
            rows.append(_row(leaf, changed, moved, said))
            done += 1
            if progress is not None:
                progress(done, len(leaves))
    order = {leaf.key: j for j, leaf in enumerate(leaves)}
    frame = pd.DataFrame(rows)
    return frame.sort_values("key", key=lambda s: s.map(order)).reset_index(drop=True)


def _ensemble_key(sc: Scenario) -> tuple[Any, ...]:
    """Scenarios with equal keys can share one ensemble (the run axis)."""
    ls = sc.parameters.landscape
    return (sc.months, None if ls is None else (ls.every, ls.method, ls.size))


def _alone(
    base: Scenario, sc: Scenario, seeds_of: Callable[[Scenario], list[int]]
) -> dict[str, float]:
    """Compare a changed scenario that cannot share the base's ensemble, run by run."""
    from sim.model import InfluenceModel

    a = InfluenceModel(base, seeds=seeds_of(base), collect=False)
    b = InfluenceModel(sc, seeds=seeds_of(sc), collect=False)
    a.run()
    b.run()
    oa, ob = _outputs(a), _outputs(b)
    return {name: _differs(oa[name], ob[name]) if name in ob else math.inf for name in oa}


def _row(
    leaf: Leaf,
    changed: Any,
    moved: dict[str, float] | None,
    said: dict[str, str],
) -> dict[str, Any]:
    if moved is None:
        return {
            "key": leaf.key,
            "value": leaf.value,
            "changed_to": None,
            "effect": None,
            "size": np.nan,
            "outputs": "",
            "note": note_for(leaf.key, said) or "no valid change of this value exists",
        }
    hit = {k: v for k, v in moved.items() if v > TOLERANCE}
    return {
        "key": leaf.key,
        "value": leaf.value,
        "changed_to": changed,
        "effect": bool(hit),
        "size": max(hit.values()) if hit else 0.0,
        "outputs": ", ".join(sorted(hit)),
        "note": note_for(leaf.key, said),
    }


def note_for(key: str, said: dict[str, str]) -> str:
    """What validation says of a key: a note on the key, on a key above it, or by wildcard.

    A note's key may end above the leaf (``patrons.Russia.value`` covers
    ``patrons.Russia.value.Tajikistan``) and may hold ``*`` for any one part
    (``actors.*.location``).
    """
    from sim.validation import _covers

    for note_key, reason in said.items():
        if _covers(note_key, key):
            return reason
    return ""
