"""Sweep designs: parameter specs, grid/LHS/Sobol/Morris samples, run keys and seeds.

A sweep parameter is written ``key.path=SPEC`` where the key path is any
scalar of the scenario (the same paths as ``greatgame run --set``) and SPEC is
one of:

* ``v1,v2,...`` -- a list of values, each read as YAML (``0.5``, ``balancing``,
  ``"300 m CNY"``, ``true``);
* ``range(a,b[,step])`` -- like Python's ``range`` (``b`` excluded) but
  accepting decimals: ``range(0.5,1.01,0.25)`` gives 0.5, 0.75, 1.0;
* ``linspace(a,b,n)`` -- ``n`` evenly spaced values from ``a`` to ``b`` inclusive;
* ``uniform(lo,hi)`` -- bounds of a continuous parameter, for the ``lhs``,
  ``sobol`` and ``morris`` designs.

Designs (``--design``): ``grid`` (every combination of the listed values),
``lhs`` (Latin hypercube of ``--samples`` points; listed values are drawn in
equal strata), ``sobol`` (Saltelli's extension of Sobol' sequences, for
first-order and total indices: ``samples * (D + 2)`` points) and ``morris``
(``samples`` trajectories of ``D + 1`` points on ``levels`` levels). The
samplers are SALib's, seeded from the sweep's root seed, so a design is
reproducible.

Every design point is run ``replicates`` times. A run is identified by its
*run key*: a 63-bit integer hashed from the point's parameter values and the
replicate index -- not from its position in the design -- so re-running a
sweep with a wider design (more values, more replicates, a longer Sobol
sequence) recognises the runs already done and runs only the new ones. The
run's random stream is ``SeedSequence(entropy=root_seed, spawn_key=(key,))``:
the same run gets the same numbers whatever executor, chunk size or order.

With *common random numbers* (``crn=True``, ``--crn``) the stream depends on the
replicate index only, ``SeedSequence(entropy=root_seed, spawn_key=(replicate,))``:
replicate r of every point sees the same random draws, so differences between
points are due to the parameters, not to luck (a classic variance reduction for
comparisons and sensitivity analysis of stochastic models).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import yaml

from sim.errors import InputError, shorten
from sim.scenario import apply_overrides, parse_value

DesignKind = Literal["grid", "lhs", "sobol", "morris"]
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")
#: The largest design the planner accepts (runs = points x replicates). The design is held in
#: memory while the sweep runs (about 0.5 KB and 16 us per run to build, measured), so one
#: million runs take about 0.5 GB and 15 s before the first run; split larger studies into
#: several sweeps (or widen one design in steps: finished runs are kept).
MAX_RUNS = 1_000_000
#: The longest number a sweep value or a range bound may be written with, in characters.
MAX_NUMBER_CHARS = 64
#: The largest integer a float64 holds exactly (the runs table stores numbers as float64).
MAX_EXACT_INT = 2**53

Value = bool | int | float | str
_FUNC_RE = re.compile(r"^\s*(range|linspace|uniform)\s*\((.*)\)\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- parameter specs


@dataclass(frozen=True)
class Param:
    """One swept parameter.

    Attributes:
        key: The key path in the scenario (``patrons.China.budget``).
        spec: The text the user wrote after ``=`` (for messages and the manifest).
        values: The discrete values (``v1,v2``, ``range``, ``linspace``), else ``None``.
        bounds: ``(lo, hi)`` of ``uniform(lo,hi)``, else ``None``.
    """

    key: str
    spec: str
    values: tuple[Value, ...] | None = None
    bounds: tuple[float, float] | None = None

    @property
    def continuous(self) -> bool:
        """True for ``uniform(lo,hi)``."""
        return self.bounds is not None

    @property
    def kind(self) -> str:
        """``number``, ``bool`` or ``string``: how the runs table stores the values."""
        if self.bounds is not None:
            return "number"
        vals = self.values or ()
        if all(isinstance(v, bool) for v in vals):
            return "bool"
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            return "number"
        return "string"

    def example(self) -> Value:
        """A value of this parameter (to check its key path against the scenario)."""
        if self.values:
            return self.values[0]
        assert self.bounds is not None
        return self.bounds[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "spec": self.spec,
            "kind": self.kind,
            "values": list(self.values) if self.values is not None else None,
            "bounds": list(self.bounds) if self.bounds is not None else None,
        }


def _number(text: str, where: str) -> Decimal:
    t = text.strip().replace("_", "")
    if len(t) > MAX_NUMBER_CHARS:
        raise InputError(
            f"{where}: a number of {len(t)} characters ({shorten(t, 24)}); expected a number of "
            f"at most {MAX_NUMBER_CHARS} characters"
        )
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise InputError(
            f"{where}: {shorten(text.strip())!r} is not a number; expected e.g. 0.5"
        ) from None
    if not d.is_finite() or not math.isfinite(float(d)):
        raise InputError(
            f"{where}: {shorten(text.strip())!r} is not a finite number; expected a number "
            "within the range of a float (about 1.8e308)"
        )
    return d


def _as_value(d: Decimal, *, integers: bool) -> int | float:
    return int(d) if integers else float(d)


def _yaml_value(text: str, where: str) -> Value:
    t = text.strip()
    if not t:
        raise InputError(f"{where}: an empty value; expected values separated by commas")
    return check_value(parse_value(t, where), where, text=t)


def check_value(v: Any, where: str, *, text: str | None = None) -> Value:
    """A sweep value as the runs table can store it: text, true/false or a float64 number.

    Raises:
        InputError: an infinite or NaN number, an integer beyond 2^53 (not exact in a float),
            or something else than a scalar.
    """
    shown = shorten(text if text is not None else repr(v), 24)
    if isinstance(v, bool | str):
        return v
    if isinstance(v, int):
        if abs(v) > MAX_EXACT_INT:
            raise InputError(
                f"{where}: the value {shown} is beyond {MAX_EXACT_INT} (2^53); expected "
                "a smaller number (sweep values are stored as 64-bit floats)"
            )
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InputError(f"{where}: the value {shown} is not a finite number")
        return v
    raise InputError(
        f"{where}: the value {shown} is a {type(v).__name__}; expected a number, true/false or text"
    )


def parse_param(text: str) -> Param:
    """Parse one ``key=SPEC`` argument (see the module docstring).

    Raises:
        InputError: malformed argument, empty range, bad numbers.
    """
    if "=" not in text:
        raise InputError(
            f"sweep parameter {shorten(text)!r}: expected key.path=SPEC, e.g. "
            "patrons.China.budget=150,200 or parameters.decisiveness=uniform(0.5,2)"
        )
    key, _, spec = text.partition("=")
    key = key.strip()
    where = f"sweep parameter {shorten(key) or repr(shorten(text))}"
    if not key or any(p == "" for p in key.split(".")):
        raise InputError(f"{where}: the key path {shorten(key)!r} is empty or has an empty part")
    m = _FUNC_RE.match(spec)
    if m is None:
        if spec.strip().startswith(("range", "linspace", "uniform")) or "(" in spec:
            raise InputError(
                f"{where}: cannot read {shorten(spec.strip())!r}; expected range(a,b,step), "
                "linspace(a,b,n), uniform(lo,hi) or values separated by commas"
            )
        values = tuple(_yaml_value(v, where) for v in spec.split(","))
        if len(set(map(_canon, values))) != len(values):
            raise InputError(
                f"{where}: the values {shorten(spec.strip())!r} repeat; list each value once"
            )
        return Param(key=key, spec=spec.strip(), values=values)
    fn = m.group(1).lower()
    args = [a for a in m.group(2).split(",")]
    if fn == "uniform":
        if len(args) != 2:
            raise InputError(f"{where}: uniform(lo,hi) takes 2 numbers, got {len(args)}")
        lo, hi = (_number(a, where) for a in args)
        if not lo < hi:
            raise InputError(f"{where}: uniform({lo},{hi}) is empty; expected lo < hi")
        return Param(key=key, spec=spec.strip(), bounds=(float(lo), float(hi)))
    if fn == "linspace":
        if len(args) != 3:
            raise InputError(f"{where}: linspace(a,b,n) takes 3 arguments, got {len(args)}")
        a, b = _number(args[0], where), _number(args[1], where)
        n = _number(args[2], where)
        if n != n.to_integral_value() or n < 1:
            raise InputError(
                f"{where}: linspace needs a whole number n >= 1, got {shorten(args[2])!r}"
            )
        k = int(n)
        if k > MAX_RUNS:  # checked before a single value is made
            raise InputError(
                f"{where}: linspace gives {k} values; expected at most {MAX_RUNS:,} (the "
                "largest sweep)"
            )
        if k == 1:
            vals: list[Value] = [float(a)]
        else:
            vals = [_round(float(a + (b - a) * i / (k - 1))) for i in range(k)]
        if len(set(vals)) != len(vals):
            raise InputError(f"{where}: linspace({a},{b},{k}) repeats values; expected a != b")
        return Param(key=key, spec=spec.strip(), values=tuple(vals))
    # range
    if len(args) not in (2, 3):
        raise InputError(f"{where}: range(a,b[,step]) takes 2 or 3 numbers, got {len(args)}")
    a, b = _number(args[0], where), _number(args[1], where)
    step = _number(args[2], where) if len(args) == 3 else Decimal(1)
    if step == 0:
        raise InputError(f"{where}: range step is 0; expected a non-zero step")
    integers = all(d == d.to_integral_value() and "." not in str(d) for d in (a, b, step))
    count = math.ceil((b - a) / step)
    if count <= 0:
        raise InputError(
            f"{where}: range({args[0].strip()},{args[1].strip()},{step}) is empty; "
            f"expected {'a < b' if step > 0 else 'a > b'} (b is excluded, as in Python)"
        )
    if count > MAX_RUNS:
        raise InputError(
            f"{where}: range gives {count} values; expected at most {MAX_RUNS:,} (the largest "
            "sweep)"
        )
    vals = [_as_value(a + step * i, integers=integers) for i in range(count)]
    return Param(key=key, spec=spec.strip(), values=tuple(vals))


def _round(x: float) -> float:
    """Round away float noise (0.30000000000000004 -> 0.3) so run keys are stable."""
    return float(f"{x:.12g}")


# --------------------------------------------------------------------------- keys and seeds


def _canon(v: Any) -> Any:
    if isinstance(v, bool | str) or v is None:
        return v
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return repr(float(v))
    raise TypeError(f"not a sweep value: {v!r}")


def run_key(params: Mapping[str, Value], replicate: int) -> int:
    """The run's stable identity: a 63-bit hash of its parameter values and replicate index.

    Equal parameter values (and type: ``1`` differs from ``1.0``) and replicate give
    the same key in any design, so a wider design finds the runs already done.
    """
    blob = json.dumps(
        {"params": sorted((k, _canon(v)) for k, v in params.items()), "replicate": int(replicate)},
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(blob.encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def run_seed(root_seed: int, key: int) -> np.random.SeedSequence:
    """The run's seed: ``SeedSequence(entropy=root_seed, spawn_key=(key,))``.

    ``key`` is the run key, or with common random numbers the replicate index.
    """
    return np.random.SeedSequence(entropy=int(root_seed), spawn_key=(int(key),))


def yaml_scalar(v: Value) -> str:
    """Write a value as YAML that ``yaml.safe_load`` reads back as the same value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        f = float(v)
        if math.isnan(f):
            return ".nan"
        if math.isinf(f):
            return ".inf" if f > 0 else "-.inf"
        text = repr(f)
        if "e" in text:
            mant, _, exp = text.partition("e")
            if "." not in mant:
                mant += ".0"
            text = f"{mant}e{'+' if not exp.startswith('-') else ''}{exp.lstrip('+')}"
        return text
    text = yaml.safe_dump(str(v), default_style='"', width=float("inf"), allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...")


def overrides_for(params: Mapping[str, Value]) -> list[str]:
    """``key=value`` strings for :func:`sim.scenario.apply_overrides`."""
    return [f"{k}={yaml_scalar(v)}" for k, v in params.items()]


# --------------------------------------------------------------------------- runs and designs


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes:
        key: The run key (see :func:`run_key`).
        point: Index of its design point in the current design.
        replicate: Replicate index (0-based).
        params: Parameter values of the point.
    """

    key: int
    point: int
    replicate: int
    params: dict[str, Value]

    @property
    def overrides(self) -> list[str]:
        return overrides_for(self.params)

    def seed_key(self, crn: bool) -> int:
        """The ``spawn_key`` of its seed: the run key (the replicate with common random numbers)."""
        return self.replicate if crn else self.key


@dataclass
class Design:
    """A sweep design: its parameters, points and replicates.

    Attributes:
        kind: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        params: The swept parameters, in the order given.
        points: One dict of parameter values per design point, in sample order.
        replicates: Runs per point.
        samples: ``--samples`` (lhs: points; sobol: base samples N; morris: trajectories).
        levels: Morris grid levels.
        root_seed: The sweep's root seed.
    """

    kind: str
    params: list[Param]
    points: list[dict[str, Value]]
    replicates: int
    samples: int | None
    levels: int
    root_seed: int
    keys: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.keys:
            self.keys = [[run_key(p, r) for r in range(self.replicates)] for p in self.points]

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replicates

    def runs(self) -> Iterable[RunSpec]:
        """Every run, point by point, replicates together; duplicates (same key) once."""
        seen: set[int] = set()
        for i, (p, keys) in enumerate(zip(self.points, self.keys, strict=True)):
            for r, k in enumerate(keys):
                if k in seen:
                    continue
                seen.add(k)
                yield RunSpec(key=k, point=i, replicate=r, params=p)

    def unique_keys(self) -> set[int]:
        return {k for keys in self.keys for k in keys}

    def matrix(self) -> np.ndarray:
        """``(points, D)`` float matrix of numeric parameters (for SALib)."""
        return np.array(
            [[float(p[par.key]) for par in self.params] for p in self.points], dtype=float
        )

    def salib_problem(self) -> dict[str, Any]:
        """The SALib problem dict (names and bounds)."""
        return salib_problem(self.params)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "params": [p.to_json() for p in self.params],
            "replicates": self.replicates,
            "samples": self.samples,
            "levels": self.levels,
            "n_points": self.n_points,
            "n_runs": self.n_runs,
        }


def salib_problem(params: Sequence[Param]) -> dict[str, Any]:
    """SALib's problem dict: ``num_vars``, ``names``, ``bounds``."""
    return {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [list(p.bounds) if p.bounds else [0.0, 1.0] for p in params],
    }


def build_design(
    params: Sequence[Param],
    *,
    kind: str = "grid",
    samples: int | None = None,
    replicates: int = 1,
    levels: int = 4,
    root_seed: int = 0,
) -> Design:
    """Build a design of points from parsed parameters.

    Args:
        params: Parsed parameters (:func:`parse_param`); may be empty (replicates only).
        kind: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        samples: Points for ``lhs``; base samples (a power of 2) for ``sobol``;
            trajectories for ``morris``. Ignored by ``grid``.
        replicates: Runs per point (>= 1).
        levels: Morris levels (an even number >= 2).
        root_seed: Seeds the samplers (and, per run, the model).

    Raises:
        InputError: an impossible combination (sobol without bounds, bad sample counts, ...).
    """
    if kind not in DESIGNS:
        raise InputError(f"--design must be one of {', '.join(DESIGNS)}, got {shorten(kind)!r}")
    if replicates < 1:
        raise InputError(f"--replicates must be >= 1, got {replicates}")
    if not 0 <= root_seed < 2**63:
        raise InputError(
            f"--seed must be from 0 to 2^63 - 1, got {shorten(str(root_seed), 24)} (the runs "
            "table stores it as a 64-bit integer)"
        )
    keys = [p.key for p in params]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise InputError(f"sweep parameter {dup[0]} is given twice; give each key once")
    params = list(params)
    sampler_seed = int(root_seed) % (2**32)
    points: list[dict[str, Value]]
    if kind == "grid":
        cont = [p for p in params if p.continuous]
        if cont:
            raise InputError(
                f"sweep parameter {cont[0].key}={cont[0].spec} gives bounds, not values; a grid "
                "needs values (key=v1,v2, range(a,b,step) or linspace(a,b,n)); for bounds use "
                "--design lhs, sobol or morris"
            )
        combos = math.prod(len(p.values or ()) for p in params)
        _check_size(combos, replicates)
        points = [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(p.values or () for p in params))
        ]
    else:
        if not params:
            raise InputError(f"--design {kind} needs at least one parameter to sample")
        if samples is None or samples < 1:
            raise InputError(
                f"--design {kind} needs --samples N (N >= 1), got {samples}; "
                + {
                    "lhs": "N is the number of points",
                    "sobol": "N is the base sample count, a power of 2 such as 64",
                    "morris": "N is the number of trajectories, e.g. 10",
                }[kind]
            )
        planned = samples * {"lhs": 1, "sobol": len(params) + 2, "morris": len(params) + 1}[kind]
        _check_size(planned, replicates, f"--design {kind} --samples {samples}")
        if kind == "lhs":
            points = _lhs(params, samples, sampler_seed)
        else:
            discrete = [p for p in params if not p.continuous]
            if discrete:
                raise InputError(
                    f"--design {kind} needs bounds for every parameter: write "
                    f"{discrete[0].key}=uniform(lo,hi) (got {discrete[0].key}={discrete[0].spec})"
                )
            if kind == "sobol":
                points = _sobol(params, samples, sampler_seed)
            else:
                points = _morris(params, samples, levels, sampler_seed)
        _check_size(len(points), replicates)
    return Design(
        kind=kind,
        params=params,
        points=points,
        replicates=replicates,
        samples=samples if kind != "grid" else None,
        levels=levels,
        root_seed=int(root_seed),
    )


def _check_size(points: int, replicates: int, what: str = "the design") -> None:
    """Refuse a design larger than :data:`MAX_RUNS`, from its planned size (nothing built)."""
    if points * replicates > MAX_RUNS:
        raise InputError(
            f"{what} gives {points:,} points x {replicates:,} replicates = "
            f"{points * replicates:,} runs; expected at most {MAX_RUNS:,} runs in one sweep "
            "(split the study, or widen a sweep in steps: finished runs are kept)"
        )


def _lhs(params: Sequence[Param], n: int, seed: int) -> list[dict[str, Value]]:
    from SALib.sample import latin

    problem = salib_problem(params)
    unit = {**problem, "bounds": [[0.0, 1.0]] * len(params)}
    u = latin.sample(unit, n, seed=seed)
    points = []
    for row in u:
        point: dict[str, Value] = {}
        for p, x in zip(params, row, strict=True):
            if p.bounds is not None:
                lo, hi = p.bounds
                point[p.key] = float(lo + (hi - lo) * x)
            else:
                vals = p.values or ()
                point[p.key] = vals[min(int(x * len(vals)), len(vals) - 1)]
        points.append(point)
    return points


def _sobol(params: Sequence[Param], n: int, seed: int) -> list[dict[str, Value]]:
    from SALib.sample import sobol

    if n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise InputError(
            f"--samples {n}: a Sobol' design needs a power of 2 (its balance properties "
            f"depend on it); expected e.g. {lower} or {lower * 2}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = sobol.sample(salib_problem(params), n, calc_second_order=False, seed=seed)
    keys = [p.key for p in params]
    return [dict(zip(keys, map(float, row), strict=True)) for row in x]


def _morris(params: Sequence[Param], n: int, levels: int, seed: int) -> list[dict[str, Value]]:
    from SALib.sample import morris

    if levels < 2 or levels % 2:
        raise InputError(f"--levels {levels}: Morris needs an even number of levels >= 2, e.g. 4")
    x = morris.sample(salib_problem(params), n, num_levels=levels, seed=seed)
    keys = [p.key for p in params]
    return [dict(zip(keys, map(float, row), strict=True)) for row in x]


# --------------------------------------------------------------------------- checks


def check_keys(raw: Mapping[str, Any], params: Sequence[Param]) -> None:
    """Check every key path against the scenario exactly as ``--set`` does.

    Applies one value of each parameter with :func:`sim.scenario.apply_overrides`
    (unknown keys, paths through scalars, bad list indices are refused) and
    refuses paths that end at a mapping or a list: a sweep sets scalars.

    Raises:
        InputError: the first bad key path.
    """
    for p in params:
        try:
            apply_overrides(dict(raw), [f"{p.key}={yaml_scalar(p.example())}"])
        except InputError as e:
            raise InputError(str(e).replace("--set ", "sweep parameter ", 1)) from None
        node: Any = raw
        for part in p.key.split("."):
            if isinstance(node, list) and part.lstrip("-").isdigit():
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                node = None
                break
        if isinstance(node, dict | list):
            raise InputError(
                f"sweep parameter {p.key}: this key holds a "
                f"{'mapping' if isinstance(node, dict) else 'list'}, not a single value; "
                "expected a key path that ends at a number, a word or true/false"
            )


def set_paths(data: Mapping[str, Any], params: Mapping[str, Value]) -> dict[str, Any]:
    """:func:`sim.scenario.apply_overrides` for key paths already checked, without its deep copy.

    Sets each typed value at its key path, copying only the mappings and lists on the
    path (everything else is shared with ``data``, which is not modified). For key
    paths that :func:`check_keys` accepted and values that :func:`yaml_scalar` writes,
    the result equals ``apply_overrides(data, overrides_for(params))``; it is what makes
    building a run's scenario cheap next to validating it.
    """
    out: dict[str, Any] = dict(data)
    for key, value in params.items():
        parts = key.split(".")
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = int(part)
                if last:
                    node[idx] = value
                else:
                    node[idx] = _copy(node[idx], key)
                    node = node[idx]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node[part] = {} if part not in node else _copy(node[part], key)
                    node = node[part]
            else:  # check_keys refuses such paths; never silently set something else
                raise InputError(f"sweep parameter {key}: {part!r} is below a single value")
    return out


def _copy(x: Any, key: str) -> Any:
    if isinstance(x, dict):
        return dict(x)
    if isinstance(x, list):
        return list(x)
    raise InputError(f"sweep parameter {key}: the path runs through a single value ({x!r})")


def point_id(params: Mapping[str, Value]) -> str:
    """A canonical text of a point's values (equal points, equal ids)."""
    return json.dumps(sorted((k, _canon(v)) for k, v in params.items()), separators=(",", ":"))


__all__ = [
    "DESIGNS",
    "Design",
    "Param",
    "RunSpec",
    "build_design",
    "check_keys",
    "check_value",
    "overrides_for",
    "parse_param",
    "run_key",
    "run_seed",
    "salib_problem",
    "yaml_scalar",
]
