"""Scenario files: YAML validated into typed objects.

A scenario is a YAML file (``yaml.safe_load`` only) validated by the pydantic
models below. Unknown keys are rejected. Every problem becomes one
:class:`~sim.errors.InputError` sentence that names the file, the line, the key
path, the value found and what was expected.

Features:

* ``extends: base.yaml`` derives a variant from a base file (mappings merge
  recursively; a key set to ``null`` in the variant removes it from the base;
  lists are replaced whole). Cycles are reported. The base must lie in the
  scenario's own directory tree or among the shipped scenarios, unless
  ``allow_extends`` (``--allow-extends DIR``, ``GREATGAME_ALLOW_EXTENDS``)
  allows more (see :func:`extends_roots`).
* Files are read with limits that bound time and memory whatever they hold:
  regular files only, :data:`MAX_FILE_BYTES`, :data:`MAX_NODES` values once
  aliases are expanded (alias bombs), no recursive aliases, :data:`MAX_DEPTH`
  levels, numbers of :data:`MAX_NUMBER_CHARS` characters. ``--set`` values
  are read with the same limits.
* Overrides ``key.path=value`` (the CLI's ``--set``) change any existing key;
  the value is read as YAML (``0.5``, ``"300 m CNY"``, ``[a, b]``).
* Money carries a currency: ``"300 m CNY"``, ``"19.9 bn USD"``, ``"46 USD"``
  (a bare unit means millions), or a bare number in the scenario's
  ``currency``. Amounts are converted to US$ million at the scenario's
  ``rates`` (units of the currency per US dollar).

Example:
    >>> from sim.scenario import load_scenario
    >>> sc = load_scenario("central_asia_2016", overrides=["months=24"])
    >>> sc.months
    24
"""

from __future__ import annotations

import copy
import errno
import functools
import hashlib
import json
import math
import os
import re
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from sim.errors import InputError, one_line, shorten
from sim.rules import ALIGNMENT_RULES, PATRON_STRATEGIES
from sim.safeio import read_text

INSTRUMENTS: tuple[str, ...] = ("investment", "security", "leverage")
CURRENCIES: tuple[str, ...] = ("USD", "CNY", "RUB")
_SCALE = {
    "": 1.0,
    "m": 1.0,
    "mn": 1.0,
    "million": 1.0,
    "k": 1e-3,
    "thousand": 1e-3,
    "bn": 1e3,
    "billion": 1e3,
}
_MONEY_RE = re.compile(
    r"^\s*(?P<num>[-+]?[0-9][0-9_,]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*"
    r"(?P<unit>k|thousand|m|mn|million|bn|billion)?\s*(?P<cur>[A-Za-z]{3})\s*$"
)

#: The largest number a scenario may hold (amounts in millions, weights, costs, values): far
#: beyond any real figure, and small enough that products of several stay finite in float64.
MAX_NUMBER = 1e12
#: The smallest positive number (rates, populations, temperatures, GDP in millions).
MIN_POSITIVE = 1e-9
#: The latest month an event may name (100,000 months: longer than any run may be).
MAX_MONTH = 100_000
#: The longest run a scenario (or ``--months``) may ask for: a century of months.
MAX_RUN_MONTHS = 1200

# --------------------------------------------------------------------------- money


class Money(NamedTuple):
    """An amount in millions of a currency (``currency=None``: the scenario's own)."""

    amount: float
    currency: str | None = None

    def __str__(self) -> str:
        return f"{self.amount:g} m {self.currency or ''}".strip()


def _parse_money(value: Any) -> Money:
    try:
        return _parse_money_raw(value)
    except OverflowError:  # an integer beyond any float, e.g. 400 digits
        raise ValueError(f"expected at most {MAX_NUMBER:g} million") from None


def _parse_money_raw(value: Any) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, bool):
        raise ValueError("expected an amount of money such as '73 m USD', not a boolean")
    if isinstance(value, int | float):
        return Money(float(value), None)
    if isinstance(value, Mapping) and set(value) == {"amount", "currency"}:
        amount, currency = value["amount"], value["currency"]
        if isinstance(amount, bool) or not isinstance(amount, int | float | str):
            raise ValueError("expected 'amount' to be a number, as in {amount: 73, currency: USD}")
        if not isinstance(currency, str):
            raise ValueError("expected 'currency' to be USD, CNY or RUB")
        try:
            return Money(float(amount), currency.upper())
        except ValueError:
            raise ValueError(
                "expected 'amount' to be a number, as in {amount: 73, currency: USD}"
            ) from None
    if isinstance(value, str):
        m = _MONEY_RE.match(value)
        if m is None:
            raise ValueError(
                "expected an amount of money such as '73 m USD', '300 m CNY' or '19.9 bn USD'"
            )
        num = float(m["num"].replace(",", "").replace("_", ""))
        return Money(num * _SCALE[(m["unit"] or "").lower()], m["cur"].upper())
    raise ValueError("expected an amount of money such as '73 m USD'")


def _check_finite_nonneg(m: Money) -> Money:
    if not math.isfinite(m.amount):
        raise ValueError("expected a finite amount of money")
    if m.amount < 0:
        raise ValueError("expected a non-negative amount of money")
    if m.amount > MAX_NUMBER:
        raise ValueError(f"expected at most {MAX_NUMBER:g} million")
    return m


#: What editors see for money (``greatgame schema``): the forms the loader accepts.
MONEY_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": MAX_NUMBER},
        {
            "type": "string",
            "pattern": r"^\s*[+]?[0-9][0-9_,]*(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*"
            r"(k|thousand|m|mn|million|bn|billion)?\s*[A-Za-z]{3}\s*$",
        },
        {
            "type": "object",
            "properties": {
                "amount": {"type": "number", "minimum": 0, "maximum": MAX_NUMBER},
                "currency": {"enum": list(CURRENCIES)},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
        },
    ],
    "description": "money in millions: '300 m CNY', '19.9 bn USD', '46 USD', or a bare number "
    "in the scenario's currency",
    "examples": ["73 m USD", "300 m CNY", "19.9 bn USD"],
}


def _dump_money(m: Money) -> str | float:
    """Money as scenario files write it, so a dumped scenario validates again."""
    return m.amount if m.currency is None else f"{m.amount!r} m {m.currency}"


_MONEY_OUT = PlainSerializer(_dump_money)
MoneyField = Annotated[
    Money, BeforeValidator(_parse_money), WithJsonSchema(MONEY_JSON_SCHEMA), _MONEY_OUT
]
NonNegMoney = Annotated[
    Money,
    BeforeValidator(lambda v: _check_finite_nonneg(_parse_money(v))),
    WithJsonSchema(MONEY_JSON_SCHEMA),
    _MONEY_OUT,
]

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0.0, le=MAX_NUMBER, allow_inf_nan=False)]
Positive = Annotated[float, Field(ge=MIN_POSITIVE, le=MAX_NUMBER, allow_inf_nan=False)]
Month = Annotated[int, Field(ge=0, le=MAX_MONTH)]
Name = Annotated[str, Field(min_length=1, max_length=80)]
InstrumentName = Literal["investment", "security", "leverage"]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=False, populate_by_name=True, validate_assignment=False
    )


# --------------------------------------------------------------------------- parts


class Instruments(_Strict):
    """A non-negative number per instrument (weights, shares, half-lives...)."""

    investment: NonNeg = 0.0
    security: NonNeg = 0.0
    leverage: NonNeg = 0.0

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.investment, self.security, self.leverage)


BLOC_KINDS: tuple[str, ...] = ("security", "economic", "forum")


class KindCosts(_Strict):
    """A state's own cost of membership per kind of bloc (utility units)."""

    security: NonNeg = 0.0
    economic: NonNeg = 0.0
    forum: NonNeg = 0.0

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.security, self.economic, self.forum)


def _kind_costs(value: Any) -> Any:
    """A bare number applies to every kind of bloc."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {k: value for k in BLOC_KINDS}
    return value


Bound = Annotated[tuple[Fraction, Fraction], Field(description="[lowest, highest] share")]


class InstrumentBounds(_Strict):
    """Bounds on each instrument's share of a patron's budget: ``[lowest, highest]``."""

    investment: Bound = (0.0, 1.0)
    security: Bound = (0.0, 1.0)
    leverage: Bound = (0.0, 1.0)

    def as_array(self) -> list[tuple[float, float]]:
        return [self.investment, self.security, self.leverage]

    @field_validator("investment", "security", "leverage")
    @classmethod
    def _ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[0] > v[1]:
            raise ValueError(f"expected [lowest, highest] with lowest <= highest, got {list(v)}")
        return v


class InstrumentMoney(_Strict):
    """An amount of money per instrument (initial stocks)."""

    investment: NonNegMoney = Money(0.0)
    security: NonNegMoney = Money(0.0)
    leverage: NonNegMoney = Money(0.0)


class Dependence(_Strict):
    """A structural dependence of a state on a patron (remittances, energy transit).

    It adds a fixed term to the patron's leverage effort over the state:
    ``weight * share_of_gdp`` (a fraction of the state's GDP, like every effort).
    """

    share_of_gdp: Fraction
    weight: NonNeg = 0.1
    kind: str = "remittances"
    source: str = ""


class Actor(_Strict):
    """A state: its size, exposure and how it decides.

    Money is in millions (see the module docstring); ``population`` in millions.
    """

    gdp: NonNegMoney
    population: Positive
    military_spending: NonNegMoney | None = None
    location: tuple[float, float] = Field(
        description="map position [latitude, longitude]: the capital, or a regional seat"
    )
    autonomy: NonNeg = Field(
        0.01, description="share of the state nobody captures, in units of its GDP"
    )
    threat: Fraction = 0.1
    threat_baseline: Fraction | None = None
    weights: Instruments = Instruments(investment=1.0, security=1.0, leverage=1.0)
    alignment_rule: str = "hedging"
    dependencies: dict[Name, Dependence] = {}
    shock_rate: Fraction = 0.0
    shock_size: Fraction = 0.0
    membership_cost: Annotated[KindCosts, BeforeValidator(_kind_costs)] = Field(
        KindCosts(),
        description="the state's own cost of belonging to a bloc, per kind of bloc "
        "(security, economic, forum), utility units; a number applies to every kind",
    )
    foreign_security_cap: (
        Annotated[float, Field(ge=0.0, le=MAX_NUMBER, allow_inf_nan=False)] | None
    ) = Field(
        None,
        description="host consent: the largest security stock the state admits from any one "
        "foreign patron, as a fraction of its GDP (none: no limit)",
    )
    source: str = ""

    @field_validator("gdp")
    @classmethod
    def _gdp_positive(cls, v: Money) -> Money:
        if v.amount < MIN_POSITIVE:
            raise ValueError("expected a positive GDP such as '19.9 bn USD'")
        return v

    @field_validator("alignment_rule")
    @classmethod
    def _known_rule(cls, v: str) -> str:
        if v not in ALIGNMENT_RULES:
            raise ValueError(f"expected one of the alignment rules {sorted(ALIGNMENT_RULES)}")
        return v

    @field_validator("location")
    @classmethod
    def _latlon(cls, v: tuple[float, float]) -> tuple[float, float]:
        lat, lon = v
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError("expected [latitude, longitude] within [-90, 90] and [-180, 180]")
        return v


class Patron(_Strict):
    """A state with a regional budget it allocates across targets and instruments."""

    budget: NonNegMoney = Field(description="monthly regional budget, money")
    attention: Annotated[float, Field(ge=0.0, le=2.0, allow_inf_nan=False)] = 1.0
    strategy: str = "fixed"
    adapt_rate: Fraction = 0.1
    horizon: Annotated[int, Field(ge=1, le=MAX_RUN_MONTHS)] = Field(
        60, description="planning horizon of an adaptive patron, months"
    )
    mix: InstrumentBounds = Field(
        InstrumentBounds(),
        description="bounds on each instrument's share of the budget, [lowest, highest]",
    )
    allocation: dict[Name, Instruments] = {}
    value: dict[Name, NonNeg] = {}
    stocks: dict[Name, InstrumentMoney] = {}
    source: str = ""

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, v: str) -> str:
        if v not in PATRON_STRATEGIES:
            raise ValueError(f"expected one of the patron strategies {sorted(PATRON_STRATEGIES)}")
        return v


class Bloc(_Strict):
    """A bloc: members, leaders, what membership gives and costs."""

    kind: Literal["security", "economic", "forum"]
    leaders: Annotated[list[Name], Field(min_length=1)]
    members: list[Name] = []
    boost: Instruments = Instruments()
    guarantee: Fraction = 0.0
    economic_benefit: NonNeg = 0.0
    cost: NonNeg = 0.0
    admission: Literal["open", "invited", "closed"] = "open"
    invited: list[Name] = []
    rivals: list[Name] = []
    third_party_security_cap: (
        Annotated[float, Field(ge=0.0, le=MAX_NUMBER, allow_inf_nan=False)] | None
    ) = Field(
        None,
        description="host consent: the largest security stock a member admits from a patron "
        "outside the bloc, as a fraction of its GDP (none: no limit)",
    )
    source: str = ""


class LandscapeParameters(_Strict):
    """The landscape prediction inside the model (Axelrod & Bennett 1993; see sim.alignment).

    Each prediction month the model derives sizes and propensities from its own state
    and records the two camps that minimise the landscape energy. Every field's
    reason is in docs/model.md.
    """

    every: Annotated[int, Field(ge=1, le=1200)] = Field(
        1, description="months between predictions (camps carry forward in between)"
    )
    method: Literal["exhaustive", "dynamics"] = Field(
        "exhaustive",
        description="global minimum over all splits (n <= 16), or steepest descent "
        "from the last prediction's camps (any n)",
    )
    size: Literal["gdp", "military", "equal"] = Field(
        "gdp", description="capability measure behind each actor's size (shares of the total)"
    )
    blocs: NonNeg = Field(
        1.0, description="propensity per shared bloc, minus per pair of rival blocs"
    )
    influence: NonNeg = Field(
        1.0, description="propensity per unit of influence-profile overlap (shared patrons)"
    )
    rivalry: NonNeg = Field(1.0, description="repulsion between the challenger and the incumbent")


class Parameters(_Strict):
    """Global parameters of the dynamics (see docs/model.md for each one's reason)."""

    decisiveness: Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)] = 1.0
    half_life: Instruments = Instruments(investment=60.0, security=24.0, leverage=36.0)
    threat_reversion: Fraction = 0.05
    spillover: Fraction = 0.05
    security_relief: NonNeg = 0.5
    threat_sensitivity: NonNeg = 2.0
    choice_temperature: Positive = 0.05
    hysteresis: NonNeg = 0.05
    switch_rate: Fraction = 0.1
    rule_weight: NonNeg = 0.5
    absorption: Instruments = Field(
        default=Instruments(investment=1.0, security=0.2, leverage=0.2),
        description="absorptive capacity per instrument: a patron's stock in a state counts "
        "X / (1 + X / (alpha GDP)), so never more than alpha times the state's GDP",
    )
    partner_share: Fraction = 0.5
    stochastic: bool = True
    alignment_rule: str | None = None
    landscape: LandscapeParameters | None = None

    @field_validator("absorption")
    @classmethod
    def _positive_absorption(cls, v: Instruments) -> Instruments:
        for k in INSTRUMENTS:
            if getattr(v, k) < MIN_POSITIVE:
                raise ValueError(f"expected a positive absorptive capacity for {k}")
        return v

    @field_validator("half_life")
    @classmethod
    def _positive_half_lives(cls, v: Instruments) -> Instruments:
        for k in INSTRUMENTS:
            if getattr(v, k) <= 0:
                raise ValueError(f"expected a positive half-life in months for {k}")
        return v

    @field_validator("alignment_rule")
    @classmethod
    def _known_rule(cls, v: str | None) -> str | None:
        if v is not None and v not in ALIGNMENT_RULES:
            raise ValueError(f"expected one of the alignment rules {sorted(ALIGNMENT_RULES)}")
        return v


class _Window(_Strict):
    start: Annotated[Month, Field(alias="from")] = 0
    end: Annotated[Month | None, Field(alias="to")] = None

    @field_validator("end")
    @classmethod
    def _ordered(cls, v: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")
        if v is not None and start is not None and v < start:
            raise ValueError(f"expected 'to' >= 'from' ({start}): a window runs forward")
        return v


class AidEvent(_Window):
    """Aid from a patron to a target, spread evenly over months ``from``..``to``."""

    type: Literal["aid"]
    patron: Name
    target: Name
    instrument: InstrumentName
    amount: NonNegMoney
    source: str = ""


class SetEvent(_Window):
    """A parameter changed over a window (reverted after ``to``; permanent without it).

    ``path`` is one of ``patrons.<P>.attention``, ``patrons.<P>.budget``,
    ``actors.<A>.autonomy``, ``actors.<A>.threat_baseline``.
    """

    type: Literal["set"]
    path: str
    value: Annotated[float, Field(allow_inf_nan=False)]
    source: str = ""


class MembershipEvent(_Strict):
    """A forced join or leave (a counterfactual), at a month."""

    type: Literal["join", "leave"]
    state: Name
    bloc: Name
    month: Month = 0
    source: str = ""


class ShockEvent(_Strict):
    """A threat shock to a state at a month (threat is clipped to [0, 1])."""

    type: Literal["shock"]
    target: Name
    size: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]
    month: Month = 0
    source: str = ""


Event = Annotated[AidEvent | SetEvent | MembershipEvent | ShockEvent, Field(discriminator="type")]
SET_PATHS = {
    "patrons": ("attention", "budget"),
    "actors": ("autonomy", "threat_baseline"),
}


class Scenario(_Strict):
    """A whole scenario: actors, patrons, blocs, borders, events and parameters."""

    name: Name
    description: str = ""
    start: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = "2016-03"
    months: Annotated[int, Field(ge=1, le=MAX_RUN_MONTHS)] = 120
    seed: Annotated[int, Field(ge=0)] = 0
    currency: Literal["USD", "CNY", "RUB"] = "USD"
    rates: dict[Literal["USD", "CNY", "RUB"], Positive] = {"USD": 1.0}
    parameters: Parameters = Parameters()
    actors: Annotated[dict[Name, Actor], Field(min_length=2)]
    borders: list[tuple[Name, Name]] = []
    patrons: Annotated[dict[Name, Patron], Field(min_length=1)]
    blocs: dict[Name, Bloc] = {}
    events: dict[Name, Event] = {}
    rivalry: tuple[Name, Name] | None = Field(
        None,
        description="[challenger, incumbent]: the pair compared in summaries (who overtakes "
        "whom) and repelled in the landscape; default: the two patrons with the largest GDP, "
        "the larger one as challenger",
    )
    labels: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        {},
        description="readable labels for figures: key path or summary metric -> label "
        "(e.g. patrons.China.budget: Beijing's budget); they replace the built-in ones",
    )

    # --- money -------------------------------------------------------------
    def usd(self, money: Money) -> float:
        """Convert an amount to US$ million at the scenario's rates."""
        cur = money.currency or self.currency
        return money.amount / self.rate(cur)

    def rate(self, currency: str) -> float:
        """Units of ``currency`` per US dollar."""
        if currency == "USD":
            return self.rates.get("USD", 1.0)
        return self.rates[currency]  # type: ignore[index]

    @property
    def actor_names(self) -> list[str]:
        return list(self.actors)

    @property
    def patron_names(self) -> list[str]:
        return list(self.patrons)

    @property
    def bloc_names(self) -> list[str]:
        return list(self.blocs)

    def content_hash(self) -> str:
        """A stable hash of the validated content (names, numbers, events)."""
        # labels only name things in figures: relabelling changes no result
        dumped = self.model_dump(mode="json", by_alias=True, exclude={"labels"})
        blob = json.dumps(dumped, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- loading


def _path_str(path: Sequence[Any]) -> str:
    out = ""
    for p in path:
        part = shorten(str(p), 40)
        out += f"[{p}]" if isinstance(p, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _choices(names: Iterable[Any], limit: int = 12) -> str:
    """``[a, b, ...]`` for "expected one of": at most ``limit`` names, each shortened."""
    items = sorted(names, key=str)
    shown = ", ".join(repr(shorten(str(n), 40)) for n in items[:limit])
    more = f", ... ({len(items)} in all)" if len(items) > limit else ""
    return f"[{shown}{more}]"


class _Located:
    """Line numbers of every key path in the files a scenario was read from."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], tuple[str, int]] = {}

    def record(self, fname: str, node: yaml.Node, path: tuple[Any, ...] = ()) -> None:
        self.lines[path] = (fname, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for knode, vnode in node.value:
                key = knode.value
                if key in seen:
                    raise InputError(
                        f"{fname}, line {knode.start_mark.line + 1}: key "
                        f"{_path_str((*path, key))!s} appears twice (first on line {seen[key]}); "
                        "expected each key once"
                    )
                seen[key] = knode.start_mark.line + 1
                self.lines[(*path, key)] = (fname, knode.start_mark.line + 1)
                self.record(fname, vnode, (*path, key))
                self.lines[(*path, key)] = (fname, knode.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, vnode in enumerate(node.value):
                self.record(fname, vnode, (*path, i))

    def where(self, path: Sequence[Any]) -> str:
        p = tuple(path)
        while p not in self.lines and p:
            p = p[:-1]
        if p in self.lines:
            fname, line = self.lines[p]
            return f"{fname}, line {line}"
        if () in self.lines:
            return self.lines[()][0]
        return "scenario"


#: libyaml's safe loader when PyYAML was built with it (the same safe subset, ten times faster).
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The largest scenario file read, in bytes (the article's is 15 KB).
MAX_FILE_BYTES = 4 * 2**20
#: The most values (YAML nodes) a file or an override may expand to, an alias counted at each
#: use (the article has 766): a few hundred bytes of nested aliases (an "alias bomb") would
#: otherwise expand to billions of values. Checked on the composed YAML, before anything is
#: built from it.
MAX_NODES = 250_000
#: The deepest nesting of mappings and lists (the article's is 6).
MAX_DEPTH = 64
#: The longest number a file or an override may write, in characters (a 400-digit integer
#: overflows every float; nothing in a scenario needs more than 20).
MAX_NUMBER_CHARS = 64
#: The longest chain of ``extends``.
MAX_EXTENDS = 16
#: Environment variable: more directory trees ``extends`` may read (``os.pathsep``-separated),
#: for commands without ``--allow-extends`` (``greatgame app``, ``greatgame report``).
ALLOW_EXTENDS_ENV = "GREATGAME_ALLOW_EXTENDS"

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_graph(root: yaml.Node, where: str) -> None:
    """Refuse recursive aliases, alias bombs, deep nesting and endless numbers in a node graph.

    Aliases make the composed graph a DAG (or a cyclic graph): each node is visited once
    (iteratively, so no recursion limit applies) and its expanded size and depth are
    computed from its children's, so the check costs time linear in the file's length
    whatever the file expands to.

    Raises:
        InputError: naming ``where``, the line and the limit.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose children are being visited: their ancestors' path
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        nid = id(node)
        line = node.start_mark.line + 1
        if finished:
            kids = _children(node)
            n = 1 + sum(size[id(k)] for k in kids)
            d = 1 + max((depth[id(k)] for k in kids), default=0)
            open_.discard(nid)
            if n > MAX_NODES:
                raise InputError(
                    f"{where}, line {line}: this value expands to more than {MAX_NODES:,} "
                    "values (aliases count each time they are used: an alias bomb?); "
                    f"expected at most {MAX_NODES:,}"
                )
            if d > MAX_DEPTH:
                raise InputError(
                    f"{where}, line {line}: mappings and lists nest deeper than {MAX_DEPTH} "
                    f"levels here; expected at most {MAX_DEPTH}"
                )
            size[nid], depth[nid] = n, d
            continue
        if nid in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
                raise InputError(
                    f"{where}, line {line}: a number of {len(node.value)} characters "
                    f"({shorten(node.value, 24)}); expected a number of at most "
                    f"{MAX_NUMBER_CHARS} characters"
                )
            size[nid], depth[nid] = 1, 1
            continue
        open_.add(nid)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in open_:
                raise InputError(
                    f"{where}, line {kid.start_mark.line + 1}: an alias inside this value "
                    "refers to the value itself (a recursive alias such as `b: &b [*b]`); "
                    "expected aliases to complete values only"
                )
            if id(kid) not in size:
                stack.append((kid, False))


def _load_yaml(text: str, where: str) -> tuple[Any, yaml.Node | None]:
    """Compose ``text``, check the node graph (:func:`_check_graph`), then build the data.

    Returns:
        ``(data, root node)``; ``(None, None)`` for an empty document.

    Raises:
        InputError: invalid YAML, a refused tag, a control character, a recursive alias, an
            alias bomb, too deep a nesting, too long a number; one sentence naming ``where``.
    """
    loader = _SAFE_LOADER(text)
    try:  # parse once: the node tree gives line numbers, the document the data
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_graph(node, where)
        return loader.construct_document(node), node
    except InputError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = one_line(e.problem or e.context or "invalid YAML")
        if "constructor for the tag" in problem:
            problem = f"{problem} (only plain YAML is read; tags such as !!python are refused)"
        lines = text.splitlines()
        bad_line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
        if "\t" in bad_line or "tab" in problem:
            problem = f"{problem} (indent with spaces, not tabs)"
        raise InputError(f"{where}{line}: {problem}; expected valid plain YAML") from None
    except yaml.YAMLError as e:
        position = getattr(e, "position", None)
        character = getattr(e, "character", None)
        if isinstance(position, int) and character is not None:  # a reader error
            lineno = text.count("\n", 0, position) + 1
            code = ord(character) if isinstance(character, str) else int(character)
            char = f"U+{code:04X}" + (" (NUL)" if code == 0 else "")
            raise InputError(
                f"{where}, line {lineno}: the character {char} is not allowed in YAML (control "
                "characters are refused); expected plain text"
            ) from None
        raise InputError(f"{where}: {one_line(str(e))}; expected valid plain YAML") from None
    except (ValueError, OverflowError, RecursionError) as e:  # e.g. an int beyond Python's limit
        raise InputError(
            f"{where}: {shorten(one_line(str(e)), 120)}; expected valid plain YAML"
        ) from None
    finally:
        loader.dispose()


def _read_yaml(path: Path, located: _Located) -> dict[str, Any]:
    fname = shorten(str(path), 200)
    text = read_text(
        path,
        max_bytes=MAX_FILE_BYTES,
        what="scenario file",
        expected="a scenario .yaml file",
        missing="a path to a .yaml file or the name of a shipped scenario (greatgame "
        "scenarios lists them)",
    )
    data, node = _load_yaml(text, fname)
    if data is None:
        raise InputError(f"{fname} is empty; expected a scenario mapping (name, actors, ...)")
    if not isinstance(data, dict):
        raise InputError(
            f"{fname}, line 1: the top level is a {type(data).__name__}; "
            "expected a mapping of scenario keys (name, actors, patrons, ...)"
        )
    if node is not None:
        located.record(fname, node)
    return data


def _merge(base: Any, child: Any) -> Any:
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for k, v in child.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = _merge(out[k], v)
            else:
                out[k] = v
        return out
    return copy.deepcopy(child)


def _real(path: Path, where: str) -> Path:
    """``path`` with every symbolic link resolved (a loop of links is an input error)."""
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.12's symlink loop (3.13 raises OSError ELOOP)
        raise InputError(
            f"{where}: {shorten(str(path), 120)} is a loop of symbolic links; expected a "
            "scenario .yaml file"
        ) from None
    except OSError as e:
        what = "is a loop of symbolic links" if e.errno == errno.ELOOP else f"({e.strerror})"
        raise InputError(
            f"{where}: {shorten(str(path), 120)} {what}; expected a scenario .yaml file"
        ) from None
    except ValueError as e:  # e.g. an embedded NUL character
        raise InputError(
            f"{where}: {shorten(str(path), 120)!r} is not a usable path ({e}); expected a "
            "scenario .yaml file"
        ) from None


def extends_roots(
    path: str | Path, allow_extends: Iterable[str | Path] | None = None
) -> list[Path]:
    """The directory trees ``extends`` may read when loading ``path``.

    The scenario's own directory (and everything below it), the scenarios shipped with
    greatgame, the directories of ``allow_extends``, and those of the environment variable
    ``GREATGAME_ALLOW_EXTENDS`` (``os.pathsep``-separated).
    """
    p = Path(path)
    extra = [*(allow_extends or ()), *os.environ.get(ALLOW_EXTENDS_ENV, "").split(os.pathsep)]
    roots = [p.parent, default_scenario_path().parent, *(Path(e) for e in extra if str(e))]
    out: list[Path] = []
    for r in roots:
        real = _real(Path(r).expanduser(), "--allow-extends")
        if real not in out:
            out.append(real)
    return out


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def _resolve(
    path: Path,
    located: _Located,
    chain: tuple[Path, ...] = (),
    roots: Sequence[Path] | None = None,
) -> dict[str, Any]:
    real = _real(path, str(path))
    if roots is None:
        roots = extends_roots(path)
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise InputError(f"{path}: 'extends' forms a cycle ({cycle}); expected a chain that ends")
    if len(chain) >= MAX_EXTENDS:
        raise InputError(
            f"{path}: 'extends' chains more than {MAX_EXTENDS} files; expected a shorter chain"
        )
    data = _read_yaml(path, located)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(
            f"{located.where(('extends',))}: extends is {_found(parent)}; "
            "expected the path of a base scenario file"
        )
    where = located.where(("extends",))
    base_path = _real(path.parent / parent, where)
    try:
        found = _inside(base_path, roots) and base_path.is_file()
    except OSError as e:  # e.g. a file name too long
        raise InputError(
            f"{where}: extends {shorten(parent)!r}, which cannot be read ({e.strerror}); "
            f"expected the path of a base scenario, relative to {path.name}"
        ) from None
    if not found:
        from sim.resources import shipped_scenario

        # a bare name absent beside the file names a shipped scenario (e.g. the article's)
        shipped = shipped_scenario(parent) if len(Path(parent).parts) == 1 else None
        if shipped is not None:
            base_path = _real(shipped, where)
        elif not _inside(base_path, roots):
            raise InputError(
                f"{where}: extends {shorten(parent)!r}, which is "
                f"{shorten(str(base_path), 200)}, outside {path.parent.resolve()} (the "
                "scenario's directory) and the directories allowed; expected a base scenario "
                "in that directory tree, or allow its directory with --allow-extends DIR (or "
                f"{ALLOW_EXTENDS_ENV})"
            )
        else:
            raise InputError(
                f"{where}: extends {shorten(parent)!r}, but there is no file "
                f"{shorten(str(base_path), 200)} and no shipped scenario of that name; expected "
                f"the path of a base scenario, relative to {path.name}, or a name "
                "`greatgame scenarios` lists"
            )
    # the child's lines take precedence over the base's for shared paths
    child_lines = dict(located.lines)
    base = _resolve(base_path, located, (*chain, real), roots)
    located.lines.update(child_lines)
    return _merge(base, data)


def parse_value(text: str, where: str) -> Any:
    """An override's value (``--set``, a sweep value), read as YAML with the limits of a file.

    Raises:
        InputError: invalid YAML, or beyond a limit (alias bombs, long numbers, ...).
    """
    try:
        data, _ = _load_yaml(text, where)
    except InputError as e:
        if "expected valid plain YAML" in str(e):
            raise InputError(f"{where}: the value {shorten(text)!r} is not valid YAML") from None
        raise InputError(str(e).replace(f"{where}, line 1:", f"{where}:", 1)) from None
    return data


def apply_overrides(
    data: dict[str, Any], overrides: Iterable[str], *, located: _Located | None = None
) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to raw scenario data (a copy is returned).

    The key must exist already in the data or be a documented field of the
    schema at that place (so ``parameters.noise=0`` is refused: there is no
    such parameter). List items are addressed by index (``borders.0.1``).

    Raises:
        InputError: malformed override, unknown key, or invalid YAML value.
    """
    data = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise InputError(
                f"--set {shorten(item)!r}: expected key.path=value, "
                "e.g. --set patrons.China.attention=0.5"
            )
        key, _, raw = item.partition("=")
        key = key.strip()
        parts = [p for p in key.split(".")]
        if not key or any(p == "" for p in parts):
            raise InputError(
                f"--set {shorten(item)!r}: the key path {shorten(key)!r} is empty or has an "
                "empty part"
            )
        where = f"--set {shorten(key)}"
        value = parse_value(raw.strip(), where)
        node: Any = data
        model: Any = Scenario
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            here = ".".join(parts[: i + 1])
            if isinstance(node, list):
                index_ok = part.lstrip("-").isdigit() and len(part) < 19
                if not index_ok or not -len(node) <= int(part) < len(node):
                    raise InputError(
                        f"{where}: {shorten(here)} is not an item of a list of {len(node)}; "
                        f"expected an index from 0 to {len(node) - 1}"
                    )
                idx = int(part)
                if last:
                    node[idx] = value
                else:
                    node = node[idx]
                model = _sub_model(model, None)
                continue
            if not isinstance(node, dict):
                raise InputError(
                    f"{where}: {shorten('.'.join(parts[:i]))} holds a value, not a mapping; "
                    "expected a key path that ends at a scalar"
                )
            field_model = _sub_model(model, part)
            if part not in node and field_model is _MISSING:
                options = sorted(set(node) | set(_field_names(model)))
                raise InputError(
                    f"{where}: there is no key {shorten(here)!r} in the scenario; "
                    f"expected one of {_choices(options)}"
                )
            if last:
                node[part] = value
            else:
                if part not in node:
                    node[part] = {}
                node = node[part]
                model = field_model
    return data


_MISSING = object()


def _field_names(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _sub_model(model: Any, key: str | None) -> Any:
    """Follow one step of a key path through the schema; _MISSING if not a field."""
    import typing

    if model is None or model is _MISSING:
        return None
    if isinstance(model, type) and issubclass(model, BaseModel):
        if key is None:
            return None
        fields = model.model_fields
        name = key
        for fname, f in fields.items():
            if f.alias == key:
                name = fname
        if name not in fields:
            return _MISSING
        return _unwrap(fields[name].annotation)
    origin = typing.get_origin(model)
    if origin is dict:
        return _unwrap(typing.get_args(model)[1])
    if origin in (list, tuple):
        args = typing.get_args(model)
        return _unwrap(args[0]) if args else None
    return None


def _unwrap(tp: Any) -> Any:
    import types
    import typing

    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [_unwrap(a) for a in args]
        if len(models) == 1:
            return models[0]
        return None
    return tp


_EXPECT = {
    "missing": "this key is required",
    "extra_forbidden": "no such key here; check the spelling against `greatgame schema`",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "dict_type": "expected a mapping (key: value lines)",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "literal_error": None,
    "union_tag_invalid": "expected 'type' to be one of aid, set, join, leave, shock",
    "union_tag_not_found": "expected a 'type' key: one of aid, set, join, leave, shock",
}


def _describe(err: Mapping[str, Any]) -> str:
    typ = err.get("type", "")
    hint = _EXPECT.get(typ)
    msg: str = hint if hint else str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if not msg.startswith(("expected", "this key", "no such")):
        msg = "expected: " + msg[0].lower() + msg[1:]
    return msg


def _clean_loc(loc: Sequence[Any]) -> tuple[Any, ...]:
    tags = {
        "aid",
        "set",
        "join",
        "leave",
        "shock",
        "function-before[_parse_money(), lax-or-strict[lax=union[json-or-python[json=list[",
    }
    out: list[Any] = []
    for i, p in enumerate(loc):
        # drop discriminator tags after an events.<name> key and pydantic's internal markers
        if i >= 2 and loc[0] == "events" and p in tags and i == 2:
            continue
        if isinstance(p, str) and ("[" in p or "function-" in p):
            continue
        out.append(p)
    return tuple(out)


def _get(data: Any, path: Sequence[Any]) -> Any:
    for p in path:
        try:
            data = data[p]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def validate_data(
    data: dict[str, Any], *, located: _Located | None = None, source: str = "scenario"
) -> Scenario:
    """Validate raw scenario data (already merged and overridden) into a :class:`Scenario`.

    Raises:
        InputError: the first problem, as one sentence.
    """
    located = located or _Located()
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = _clean_loc(err["loc"])
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "type")  # point at the event's type, not the whole event
        where = located.where(loc) if located.lines else source
        found = _get(data, loc)
        found_s = _found(found)
        if err.get("type") == "extra_forbidden":
            found_s = repr(loc[-1]) if loc else found_s
            gone = REMOVED_KEYS.get(tuple(p for p in loc if not isinstance(p, int))[-2:])
            if gone is not None:
                raise InputError(
                    f"{where}: at {_path_str(loc)}, found {found_s}, a key greatgame no longer "
                    f"reads ({gone}); expected the key deleted"
                ) from None
        more = len(e.errors()) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} after this one)" if more else ""
        raise InputError(
            f"{where}: at {_path_str(loc)}, found {found_s}; {_describe(err)}{tail}"
        ) from None
    check_references(sc, located=located, source=source)
    return sc


_REPR = reprlib.Repr(maxlevel=3, maxstring=78, maxlong=60, maxother=78, maxlist=6, maxdict=6)

#: Keys earlier versions read, with why they went (the last two parts of the key path).
REMOVED_KEYS: dict[tuple[Any, ...], str] = {
    ("parameters", "tension_weight"): "removed in 0.2: it had no effect, because a bloc's "
    "leaders already refuse states sitting in a rival bloc",
}


def _found(value: Any) -> str:
    """The value found, short enough for one sentence (never the whole of a large value)."""
    if value is _MISSING:
        return "nothing"
    try:
        text = _REPR.repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return "an integer of thousands of digits"
    if len(text) <= 80:
        return text
    if isinstance(value, Mapping):
        keys = list(value)
        more = ", ..." if len(keys) > 6 else ""
        return f"a mapping with keys {', '.join(repr(shorten(str(k), 30)) for k in keys[:6])}{more}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return text[:77] + "..."


def _ref_error(located: _Located, source: str, path: tuple[Any, ...], msg: str) -> InputError:
    where = located.where(path) if located.lines else source
    return InputError(f"{where}: at {_path_str(path)}, {msg}")


def check_references(sc: Scenario, *, located: _Located | None = None, source: str = "") -> None:
    """Cross-references: every name used must be declared; currencies must have rates."""
    located = located or _Located()
    actors = set(sc.actors)
    blocs = set(sc.blocs)
    known = sorted(actors)

    def need_actor(name: str, path: tuple[Any, ...], role: str) -> None:
        if name not in actors:
            raise _ref_error(
                located,
                source,
                path,
                f"found unknown {role} {shorten(name)!r}; expected one of {_choices(known)}",
            )

    def need_currency(m: Money | None, path: tuple[Any, ...]) -> None:
        if m is None:
            return
        cur = m.currency or sc.currency
        if cur not in CURRENCIES:
            raise _ref_error(
                located,
                source,
                path,
                f"found unknown currency {cur!r}; expected one of {list(CURRENCIES)}",
            )
        if cur != "USD" and cur not in sc.rates:
            raise _ref_error(
                located,
                source,
                path,
                f"the amount is in {cur} but the scenario states no rate for it; "
                f"expected rates.{cur} (units per US dollar)",
            )

    for a, actor in sc.actors.items():
        need_currency(actor.gdp, ("actors", a, "gdp"))
        need_currency(actor.military_spending, ("actors", a, "military_spending"))
        for p in actor.dependencies:
            if p not in sc.patrons:
                raise _ref_error(
                    located,
                    source,
                    ("actors", a, "dependencies", p),
                    f"found {p!r}, which is not a patron; expected one of {_choices(sc.patrons)}",
                )
    for i, (x, y) in enumerate(sc.borders):
        need_actor(x, ("borders", i, 0), "actor")
        need_actor(y, ("borders", i, 1), "actor")
        if x == y:
            raise _ref_error(
                located, source, ("borders", i), f"{x} borders itself; expected two actors"
            )
    for p, pat in sc.patrons.items():
        need_actor(p, ("patrons", p), "patron (every patron must be an actor)")
        need_currency(pat.budget, ("patrons", p, "budget"))
        for t in pat.allocation:
            need_actor(t, ("patrons", p, "allocation", t), "target")
        for t in pat.value:
            need_actor(t, ("patrons", p, "value", t), "target")
        for t, st in pat.stocks.items():
            need_actor(t, ("patrons", p, "stocks", t), "target")
            for k in INSTRUMENTS:
                need_currency(getattr(st, k), ("patrons", p, "stocks", t, k))
        if pat.budget.amount > 0 and not any(
            sum(v.as_tuple()) > 0 for v in pat.allocation.values()
        ):
            raise _ref_error(
                located,
                source,
                ("patrons", p, "allocation"),
                "the patron has a budget but no positive allocation share; "
                "expected at least one target with a share > 0",
            )
        lows = [lo for lo, _ in pat.mix.as_array()]
        highs = [hi for _, hi in pat.mix.as_array()]
        if sum(lows) > 1.0 + 1e-9 or sum(highs) < 1.0 - 1e-9:
            raise _ref_error(
                located,
                source,
                ("patrons", p, "mix"),
                f"the lowest shares add up to {sum(lows):g} and the highest to {sum(highs):g}; "
                "expected lowest shares adding up to at most 1 and highest to at least 1",
            )
        if pat.strategy != "fixed" and pat.budget.amount > 0:
            totals = [sum(getattr(v, k) for v in pat.allocation.values()) for k in INSTRUMENTS]
            whole = sum(totals)
            for k, total, (lo, hi) in zip(INSTRUMENTS, totals, pat.mix.as_array(), strict=True):
                share = total / whole if whole > 0 else 0.0
                if not lo - 1e-9 <= share <= hi + 1e-9:
                    raise _ref_error(
                        located,
                        source,
                        ("patrons", p, "allocation"),
                        f"the allocation puts {share:.3g} of the budget into {k}, outside "
                        f"mix.{k} = [{lo:g}, {hi:g}]; expected a starting allocation within "
                        "the patron's mix",
                    )
    for b, bloc in sc.blocs.items():
        for i, m in enumerate(bloc.leaders):
            need_actor(m, ("blocs", b, "leaders", i), "leader")
            if m not in sc.patrons:
                raise _ref_error(
                    located,
                    source,
                    ("blocs", b, "leaders", i),
                    f"leader {m!r} is not a patron; expected one of {_choices(sc.patrons)}",
                )
        for i, m in enumerate(bloc.members):
            need_actor(m, ("blocs", b, "members", i), "member")
        if len(set(bloc.members)) != len(bloc.members):
            raise _ref_error(located, source, ("blocs", b, "members"), "a member is listed twice")
        for i, m in enumerate(bloc.invited):
            need_actor(m, ("blocs", b, "invited", i), "invited state")
        for i, r in enumerate(bloc.rivals):
            if r not in blocs or r == b:
                raise _ref_error(
                    located,
                    source,
                    ("blocs", b, "rivals", i),
                    f"found {r!r}; expected another bloc, one of {_choices(blocs - {b})}",
                )
    if sc.rivalry is not None:
        for i, p in enumerate(sc.rivalry):
            if p not in sc.patrons:
                raise _ref_error(
                    located,
                    source,
                    ("rivalry", i),
                    f"found {p!r}, which is not a patron; expected one of {_choices(sc.patrons)}",
                )
        if sc.rivalry[0] == sc.rivalry[1]:
            raise _ref_error(
                located, source, ("rivalry",), "expected two different patrons, found one twice"
            )
    for name, ev in sc.events.items():
        path = ("events", name)
        if isinstance(ev, AidEvent):
            if ev.patron not in sc.patrons:
                raise _ref_error(
                    located,
                    source,
                    (*path, "patron"),
                    f"found {ev.patron!r}, which is not a patron; expected one of "
                    f"{_choices(sc.patrons)}",
                )
            need_actor(ev.target, (*path, "target"), "target")
            need_currency(ev.amount, (*path, "amount"))
        elif isinstance(ev, SetEvent):
            parts = ev.path.split(".")
            ok = (
                len(parts) == 3
                and parts[0] in SET_PATHS
                and parts[2] in SET_PATHS[parts[0]]
                and parts[1] in (sc.patrons if parts[0] == "patrons" else sc.actors)
            )
            if not ok:
                allowed = [f"{k}.<name>.{f}" for k, fs in SET_PATHS.items() for f in fs]
                raise _ref_error(
                    located,
                    source,
                    (*path, "path"),
                    f"found {shorten(ev.path)!r}; expected one of {allowed} with a declared name",
                )
            highest = {"attention": 2.0, "threat_baseline": 1.0}.get(parts[2], MAX_NUMBER)
            if not 0 <= ev.value <= highest:
                raise _ref_error(
                    located,
                    source,
                    (*path, "value"),
                    f"found {ev.value}; expected a {parts[2]} from 0 to {highest:g}",
                )
        elif isinstance(ev, MembershipEvent):
            need_actor(ev.state, (*path, "state"), "state")
            if ev.bloc not in blocs:
                raise _ref_error(
                    located,
                    source,
                    (*path, "bloc"),
                    f"found unknown bloc {ev.bloc!r}; expected one of {_choices(blocs)}",
                )
        elif isinstance(ev, ShockEvent):
            need_actor(ev.target, (*path, "target"), "target")
    for key in sc.labels:
        if not _labellable(sc, key):
            raise _ref_error(
                located,
                source,
                ("labels", key),
                f"found the key {key!r}, which is neither a key path of this scenario nor a "
                "summary metric or column; expected e.g. patrons.China.budget, "
                "regional_index.China.gdp_weighted or influence",
            )

    _check_landscape(sc, located, source)


def _check_landscape(sc: Scenario, located: _Located, source: str) -> None:
    """What building the model's landscape prediction needs, checked with the file's lines."""
    from sim.landscape import MAX_BATCH_N

    land = sc.parameters.landscape
    if land is None:
        return
    if land.method == "exhaustive" and len(sc.actors) > MAX_BATCH_N:
        raise _ref_error(
            located,
            source,
            ("parameters", "landscape", "method"),
            f"found 'exhaustive' with {len(sc.actors)} actors, but the exhaustive landscape "
            f"search takes 2 to {MAX_BATCH_N} actors; expected method: dynamics for more",
        )
    if land.size == "military":
        for a, actor in sc.actors.items():
            ms = actor.military_spending
            if ms is None or ms.amount <= 0:
                path: tuple[Any, ...] = ("actors", a, "military_spending")
                raise _ref_error(
                    located,
                    source,
                    path if ms is not None else ("actors", a),
                    f"found {'no military_spending' if ms is None else str(ms)}, but "
                    "parameters.landscape.size is 'military'; expected a positive "
                    "military_spending for every actor, or landscape size: gdp",
                )


def _labellable(sc: Scenario, key: str) -> bool:
    """Whether ``key`` is a key path of ``sc`` or a metric/column whose names ``sc`` declares."""
    from sim.labels import builtin_names

    node: Any = sc.model_dump(by_alias=True, exclude={"labels"})
    for part in key.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
    else:
        return True
    names = builtin_names(key)
    declared = set(sc.actors) | set(sc.patrons) | set(sc.blocs) | set(INSTRUMENTS)
    metric = not key.startswith(("patrons.", "actors.", "blocs.", "events.", "parameters."))
    return names is not None and metric and all(n in declared for n in names)


@functools.cache
def _leaf_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator for one field of a model (its annotation, constraints included)."""
    info = model.model_fields[name]
    return TypeAdapter(info.rebuild_annotation())


def with_values(sc: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``sc`` with scalar leaves changed by key path, validating only what changes.

    The fast path of calibration and posterior draws: each value is validated by its own
    field's validator (ranges, money), the objects on its path are copied (the rest is
    shared with ``sc``), and the scenario's cross-references are checked again. It gives
    the scenario ``validate_data(set_paths(raw, values))`` gives, for key paths that end at
    a scalar of the schema (a field of a model, or an item of a mapping of numbers).

    Raises:
        InputError: a key path that names no scalar, or a value its field refuses.
    """
    out: BaseModel = sc
    for key, value in values.items():
        out = _set_leaf(out, key.split("."), value, key)
    check_references(out)  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _field_name(model: type[BaseModel], part: str) -> str | None:
    for name, info in model.model_fields.items():
        if part in (name, info.alias):
            return name
    return None


def _set_leaf(node: Any, parts: list[str], value: Any, key: str) -> Any:
    part, rest = parts[0], parts[1:]
    if isinstance(node, BaseModel):
        name = _field_name(type(node), part)
        if name is None:
            raise InputError(
                f"{key}: there is no key {part!r} here; expected a key of the scenario"
            )
        if not rest:
            try:
                new = _leaf_adapter(type(node), name).validate_python(value)
            except ValidationError as e:
                raise InputError(f"{key}: found {value!r}; {_describe(e.errors()[0])}") from None
            return node.model_copy(update={name: new})
        return node.model_copy(update={name: _set_leaf(getattr(node, name), rest, value, key)})
    if isinstance(node, dict) and part in node:
        if not rest:
            raise InputError(f"{key}: ends at a mapping's item; expected a key path to a scalar")
        return {**node, part: _set_leaf(node[part], rest, value, key)}
    if isinstance(node, tuple | list) and part.isdigit() and int(part) < len(node):
        items = list(node)
        if not rest:
            raise InputError(f"{key}: ends at a list item; expected a key path to a scalar")
        items[int(part)] = _set_leaf(items[int(part)], rest, value, key)
        return type(node)(items)
    raise InputError(f"{key}: there is no key {part!r} here; expected a key of the scenario")


def load_scenario(
    path: str | Path,
    *,
    overrides: Iterable[str] = (),
    allow_extends: Iterable[str | Path] | None = None,
) -> Scenario:
    """Load, merge (``extends``), override and validate a scenario file.

    Args:
        path: The YAML file, or the name of a shipped scenario (``russia_joins_quartet``;
            ``greatgame scenarios`` lists them) when no file of that name is in the
            current directory.
        overrides: ``key.path=value`` strings, applied after ``extends``.
        allow_extends: More directory trees ``extends`` may read, besides the scenario's own
            directory tree and the scenarios shipped with greatgame (see :func:`extends_roots`).

    Returns:
        The validated :class:`Scenario`.

    Raises:
        InputError: one sentence naming file, line, key path, value found and what was expected.
    """
    from sim.resources import find_scenario

    file = find_scenario(path)
    located = _Located()
    data = _resolve(file, located, roots=extends_roots(file, allow_extends))
    data = apply_overrides(data, list(overrides), located=located)
    return validate_data(data, located=located, source=str(file))


def load_raw(
    path: str | Path, *, allow_extends: Iterable[str | Path] | None = None
) -> dict[str, Any]:
    """The merged raw data of a scenario file (``extends`` resolved), before validation."""
    from sim.resources import find_scenario

    file = find_scenario(path)
    return _resolve(file, _Located(), roots=extends_roots(file, allow_extends))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (``greatgame schema``)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "greatgame scenario"
    schema.setdefault("properties", {})["extends"] = {
        "type": "string",
        "description": "path of a base scenario this file derives from",
    }
    return schema


def default_scenario_path() -> Path:
    """The article's scenario, ``central_asia_2016.yaml``, as shipped with the package.

    Found through :mod:`importlib.resources` (see :mod:`sim.resources`), so it works from a
    checkout and from an installed wheel; its variants are the other ``.yaml`` files beside it.
    """
    from sim.resources import default_scenario

    return default_scenario()
