"""Documented patterns a calibration fits and a validation checks (pattern-oriented modelling).

Pattern-oriented modelling (Grimm et al., Science 310, 2005) constrains a model with
several weak, independent patterns observed at different levels, rather than one strong
one. A *patterns file* (YAML; the shipped one is ``greatgame patterns``'s
``central_asia``) states each pattern with the output and the dates it is judged on, a
tolerance and its source, and splits them by date: patterns judged before
``calibration_until`` calibrate, later ones only validate. It also names the
parameters to calibrate, with their priors (the plausible ranges of docs/model.md).

Pattern kinds (``kind:``), each judged per run:

* ``membership``: the listed states are in (``member: true``) or out of a bloc in every
  month of the window. Misfit: the share of (state, month) cells off, beyond the
  tolerance (a share of cells allowed off).
* ``larger_stock``: one patron's stock of an instrument exceeds another's in each listed
  state in every month of the window (who is the larger security or economic partner).
  Misfit: the share of (state, month) cells where it does not, beyond the tolerance.
* ``stock_level``: a patron's stock of an instrument, summed over the listed states, at a
  month (``at``), is within a factor (``tolerance``) of a documented amount (``value``):
  an order of magnitude. Misfit: ``max(0, |ln(x / value)| / ln(tolerance) - 1)``.

A run *hits* a pattern when its misfit is 0. Statistics are accumulated month by month by
a model hook, so a calibration keeps per-run numbers, never time series.

Example:
    >>> from sim.patterns import load_patterns
    >>> spec = load_patterns("central_asia")                 # doctest: +SKIP
    >>> [p.name for p in spec.calibration]                   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import InputError
from sim.scenario import (
    INSTRUMENTS,
    MoneyField,
    Scenario,
    _describe,
    _found,
    _Located,
    _path_str,
    _read_yaml,
    load_scenario,
)

__all__ = [
    "PATTERN_KINDS",
    "Pattern",
    "PatternHook",
    "PatternSpec",
    "Prior",
    "load_patterns",
    "misfits",
]

PATTERN_KINDS: tuple[str, ...] = ("membership", "larger_stock", "stock_level")
_DATE = r"^\d{4}-(0[1-9]|1[0-2])$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Window(_Strict):
    start: Annotated[str, Field(alias="from", pattern=_DATE)]
    end: Annotated[str, Field(alias="to", pattern=_DATE)]


class PatternFields(_Strict):
    """One pattern as the file writes it (see the module docstring)."""

    statement: Annotated[str, Field(min_length=1)]
    kind: Literal["membership", "larger_stock", "stock_level"]
    source: Annotated[str, Field(min_length=1)]
    tolerance: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    window: _Window | None = None
    at: Annotated[str, Field(pattern=_DATE)] | None = None
    states: Annotated[list[str], Field(min_length=1)]
    bloc: str | None = None
    member: bool | None = None
    instrument: Literal["investment", "security", "leverage"] | None = None
    larger: str | None = None
    smaller: str | None = None
    patron: str | None = None
    value: MoneyField | None = None


class PriorFields(_Strict):
    """A parameter's prior: uniform over the plausible range docs/model.md gives."""

    uniform: tuple[float, float]
    source: Annotated[str, Field(min_length=1)]


class PatternsFile(_Strict):
    """A patterns file."""

    name: Annotated[str, Field(min_length=1)]
    scenario: Annotated[str, Field(min_length=1)]
    calibration_until: Annotated[str, Field(pattern=_DATE)]
    description: str = ""
    parameters: Annotated[dict[str, PriorFields], Field(min_length=1)]
    patterns: Annotated[dict[str, PatternFields], Field(min_length=1)]


@dataclass(frozen=True)
class Prior:
    """A calibrated parameter: its key path and uniform prior ``[low, high]``."""

    key: str
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Pattern:
    """A validated pattern, with its months resolved against the scenario (0-based).

    Attributes:
        name: Its key in the file.
        kind: One of :data:`PATTERN_KINDS`.
        first, last: The months it is judged on (inclusive); one month for ``stock_level``.
        window: ``calibration`` or ``validation``.
        fields: The file's fields.
    """

    name: str
    kind: str
    first: int
    last: int
    window: str
    fields: PatternFields

    @property
    def statement(self) -> str:
        return self.fields.statement


@dataclass
class PatternSpec:
    """A patterns file, validated against its scenario.

    Attributes:
        path: The file.
        name: Its name.
        scenario: The scenario it was validated against.
        scenario_ref: The scenario as the file names it.
        split: The last month (0-based) of the calibration window.
        priors: The parameters to calibrate.
        patterns: Every pattern, in file order.
    """

    path: Path
    name: str
    scenario: Scenario
    scenario_ref: str
    split: int
    priors: list[Prior]
    patterns: list[Pattern] = field(default_factory=list)

    @property
    def calibration(self) -> list[Pattern]:
        return [p for p in self.patterns if p.window == "calibration"]

    @property
    def validation(self) -> list[Pattern]:
        return [p for p in self.patterns if p.window == "validation"]


def _month(start: str, date: str) -> int:
    y0, m0 = (int(x) for x in start.split("-"))
    y, m = (int(x) for x in date.split("-"))
    return (y - y0) * 12 + (m - m0)


def load_patterns(
    path: str | Path, *, scenario: Scenario | str | Path | None = None
) -> PatternSpec:
    """Read and check a patterns file against its scenario, before any run.

    Args:
        path: The patterns file, or a shipped one's name (``central_asia``).
        scenario: The scenario the patterns are judged on (default: the one the file names).

    Raises:
        InputError: one sentence naming the file, line and key: an unknown kind, state,
            bloc, patron or instrument, a date outside the run, a window across the split,
            a missing source or tolerance, a parameter the scenario does not hold.
    """
    from sim.resources import find_patterns, find_scenario

    file = find_patterns(path)
    located = _Located()
    data = _read_yaml(file, located)
    try:
        spec = PatternsFile.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        found: Any = data
        for part in loc:
            found = found.get(part) if isinstance(found, dict) else None
        what = _found(found) if loc else "the file"
        raise InputError(
            f"{located.where(loc)}: at {_path_str(loc)}, found {what}; {_describe(err)}"
        ) from None
    if scenario is None:
        sc = load_scenario(find_scenario(spec.scenario, relative_to=file.parent))
    elif isinstance(scenario, Scenario):
        sc = scenario
    else:
        sc = load_scenario(find_scenario(scenario))

    def fail(loc: tuple[Any, ...], msg: str) -> InputError:
        return InputError(f"{located.where(loc)}: at {_path_str(loc)}, {msg}")

    last_month = sc.months - 1
    end_date = _date(sc.start, last_month)
    split = _month(sc.start, spec.calibration_until)
    if not 0 <= split < last_month:
        raise fail(
            ("calibration_until",),
            f"found {spec.calibration_until!r}; expected a month from {sc.start} to "
            f"{_date(sc.start, last_month - 1)} (the run is {sc.start} to {end_date})",
        )
    priors = []
    from sim.sweep.design import check_keys, parse_param

    raw = sc.model_dump(by_alias=True)
    for key, prior in spec.parameters.items():
        lo, hi = prior.uniform
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise fail(
                ("parameters", key, "uniform"),
                f"found {[lo, hi]}; expected [low, high] with low < high",
            )
        try:
            check_keys(raw, [parse_param(f"{key}={lo!r}")])
        except InputError as e:
            raise fail(("parameters", key), f"{e}".split(": ", 1)[-1]) from None
        priors.append(Prior(key, float(lo), float(hi), prior.source))
    patterns = []
    for name, p in spec.patterns.items():
        loc = ("patterns", name)
        for i, s in enumerate(p.states):
            if s not in sc.actors:
                raise fail(
                    (*loc, "states", i),
                    f"found unknown state {s!r}; expected one of {list(sc.actors)}",
                )
        need: dict[str, tuple[str, ...]] = {
            "membership": ("window", "bloc", "member"),
            "larger_stock": ("window", "instrument", "larger", "smaller"),
            "stock_level": ("at", "instrument", "patron", "value"),
        }
        for key in need[p.kind]:
            if getattr(p, key) is None:
                raise fail((*loc, key), f"found nothing; a {p.kind} pattern needs {key!r}")
        if p.bloc is not None and p.bloc not in sc.blocs:
            raise fail(
                (*loc, "bloc"), f"found unknown bloc {p.bloc!r}; expected one of {list(sc.blocs)}"
            )
        for key in ("larger", "smaller", "patron"):
            who = getattr(p, key)
            if who is not None and who not in sc.patrons:
                raise fail(
                    (*loc, key),
                    f"found {who!r}, which is not a patron; expected one of {list(sc.patrons)}",
                )
        if p.kind == "stock_level":
            assert p.at is not None and p.value is not None
            first = last = _month(sc.start, p.at)
            if p.tolerance <= 1:
                raise fail(
                    (*loc, "tolerance"),
                    f"found {p.tolerance:g}; expected a factor above 1 "
                    "(2: within half to twice the value)",
                )
            if p.value.amount <= 0:
                raise fail(
                    (*loc, "value"), "found a zero amount; expected a positive amount of money"
                )
            date_key: tuple[Any, ...] = (*loc, "at")
        else:
            assert p.window is not None
            first, last = _month(sc.start, p.window.start), _month(sc.start, p.window.end)
            if last < first:
                raise fail(
                    (*loc, "window"),
                    f"found {p.window.start} to {p.window.end}; expected 'to' on or after 'from'",
                )
            if p.tolerance >= 1:
                raise fail(
                    (*loc, "tolerance"),
                    f"found {p.tolerance:g}; expected a share of months below 1",
                )
            date_key = (*loc, "window")
        if first < 0 or last > last_month:
            raise fail(
                date_key,
                f"found a date outside the run ({sc.start} to {end_date}); "
                "expected dates within it",
            )
        if first <= split < last:
            raise fail(
                date_key,
                f"the window runs across calibration_until ({spec.calibration_until}); expected a "
                "pattern judged wholly before it (calibration) or wholly after (validation)",
            )
        patterns.append(
            Pattern(name, p.kind, first, last, "calibration" if last <= split else "validation", p)
        )
    if not any(p.window == "calibration" for p in patterns):
        raise fail(
            ("patterns",),
            f"no pattern is judged on or before {spec.calibration_until}; "
            "expected at least one to calibrate on",
        )
    return PatternSpec(
        path=file,
        name=spec.name,
        scenario=sc,
        scenario_ref=spec.scenario,
        split=split,
        priors=priors,
        patterns=patterns,
    )


def _date(start: str, month: int) -> str:
    from sim.records import month_label

    return month_label(start, month)


class PatternHook:
    """A month hook accumulating, per run, what each pattern needs (no time series kept).

    Register with ``InfluenceModel(..., hooks=[hook])``; :meth:`misfits` then gives the
    ``(R, patterns)`` misfits.
    """

    def __init__(self, spec: PatternSpec, patterns: Sequence[Pattern] | None = None) -> None:
        self.spec = spec
        self.patterns = list(spec.patterns if patterns is None else patterns)
        self._acc: list[np.ndarray | None] = [None] * len(self.patterns)
        self._cells = [0] * len(self.patterns)

    def __call__(self, model: Any, month: int) -> None:
        w = model.world
        for i, p in enumerate(self.patterns):
            if not p.first <= month <= p.last:
                continue
            f = p.fields
            idx = [w.actor(s) for s in f.states]
            if p.kind == "membership":
                assert f.bloc is not None
                off = w.member[:, idx, w.bloc(f.bloc)] != bool(f.member)
                value = off.sum(axis=1).astype(float)
                self._cells[i] += len(idx)
            elif p.kind == "larger_stock":
                k = INSTRUMENTS.index(str(f.instrument))
                big = w.stocks[:, w.patron(str(f.larger)), idx, k]
                small = w.stocks[:, w.patron(str(f.smaller)), idx, k]
                value = (big <= small).sum(axis=1).astype(float)
                self._cells[i] += len(idx)
            else:
                k = INSTRUMENTS.index(str(f.instrument))
                value = w.stocks[:, w.patron(str(f.patron)), idx, k].sum(axis=1)
            acc = self._acc[i]
            self._acc[i] = value if acc is None else acc + value

    def statistics(self) -> np.ndarray:
        """``(R, patterns)``: share of cells off (membership, larger_stock) or the stock."""
        cols = []
        for i, p in enumerate(self.patterns):
            acc = self._acc[i]
            if acc is None:
                raise InputError(
                    f"pattern {p.name}: the run ended before its months; run to the end"
                )
            cols.append(acc / self._cells[i] if p.kind != "stock_level" else acc)
        return np.stack(cols, axis=1)

    def misfits(self) -> np.ndarray:
        """``(R, patterns)`` misfits (0: the run hits the pattern)."""
        return misfits(self.spec, self.patterns, self.statistics())


def misfits(spec: PatternSpec, patterns: Sequence[Pattern], stats: np.ndarray) -> np.ndarray:
    """Per-run misfits from :meth:`PatternHook.statistics` (see the module docstring)."""
    out = np.empty_like(stats, dtype=float)
    for i, p in enumerate(patterns):
        x = stats[:, i]
        tol = p.fields.tolerance
        if p.kind == "stock_level":
            assert p.fields.value is not None
            target = spec.scenario.usd(p.fields.value)
            with np.errstate(divide="ignore"):
                dist = np.abs(np.log(np.maximum(x, 1e-12) / target)) / math.log(tol)
            out[:, i] = np.maximum(dist - 1.0, 0.0)
        else:
            out[:, i] = np.maximum(x - tol, 0.0)
    return out
