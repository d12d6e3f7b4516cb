"""Generated tables of docs/model.md, kept in sync with the code and the article's scenario.

Two kinds of tables are generated between ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->`` markers in ``docs/model.md``:

* *field tables*, one per scenario model (:class:`~sim.scenario.Scenario`,
  :class:`~sim.scenario.Parameters`, :class:`~sim.scenario.LandscapeParameters`,
  :class:`~sim.scenario.Actor`, :class:`~sim.scenario.Dependence`,
  :class:`~sim.scenario.Patron`, :class:`~sim.scenario.Bloc` and the four event
  models): every field with its meaning, unit, default (read from the code), the
  article's value where there is one, the plausible range, and the source or reason
  (written here, in :data:`FIELD_DOCS`);
* the *provenance table* of ``scenarios/central_asia_2016.yaml``: every line that sets
  a key, with its value and the comment that says which sentence of the article or
  which data source it stands for (read from the YAML file itself).

``python -m sim.docs_tables`` rewrites the tables in ``docs/model.md``;
``python -m sim.docs_tables --check`` exits 1 if they are out of date (the test suite
runs the same check, and also checks that every field is documented).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.scenario import (
    Actor,
    AidEvent,
    Bloc,
    Dependence,
    Instruments,
    LandscapeParameters,
    MembershipEvent,
    Money,
    Parameters,
    Patron,
    Scenario,
    SetEvent,
    ShockEvent,
    default_scenario_path,
    load_scenario,
)
from sim.scenario_text import PROVENANCE, NumberLine, key_notes, number_lines

__all__ = [
    "DOC_PATH",
    "EVENT_TYPES",
    "FIELD_DOCS",
    "MODELS",
    "PROVENANCE",
    "FieldDoc",
    "NumberLine",
    "field_table",
    "generated_blocks",
    "number_lines",
    "provenance_table",
    "update",
    "variants_provenance",
]

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "model.md"


@dataclass(frozen=True)
class FieldDoc:
    """What a scenario field means and why it has its value.

    Attributes:
        meaning: What the field is, in the model's terms (with its symbol).
        unit: Its unit (``-`` for none).
        range: The plausible range (not only what validation accepts).
        reason: The source of the article's value, or the reason for the default.
    """

    meaning: str
    unit: str
    range: str
    reason: str


_CAL = "calibration (no data):"

FIELD_DOCS: dict[str, dict[str, FieldDoc]] = {
    "Scenario": {
        "name": FieldDoc("the scenario's name (output folder, report rows)", "-", "-", "-"),
        "description": FieldDoc("one paragraph on what the scenario changes", "-", "-", "-"),
        "start": FieldDoc("calendar month of month 0", "YYYY-MM", "-",
                          "the article's month, March 2016"),
        "months": FieldDoc("months simulated", "months", "12-240",
                           "ten years: long enough for the slowest stocks (half-life 60) to turn "
                           "over, short enough that a 2016 world is still the world"),
        "seed": FieldDoc("default seed of the run's random stream", "-", "any integer >= 0",
                         "the article's date, 2016-03-01"),
        "currency": FieldDoc("currency of bare amounts", "USD, CNY or RUB", "-",
                             "US$: the unit of the World Bank and SIPRI figures"),
        "rates": FieldDoc("units of each currency per US dollar, fixed for the run", "per US$",
                          "CNY 6.2-6.9, RUB 60-80 in 2016",
                          "PBoC central parity and CBR official rate, Feb-Mar 2016"),
        "parameters": FieldDoc("global parameters of the dynamics (table below)", "-", "-", "-"),
        "actors": FieldDoc("every state, patrons included", "-", ">= 2", "-"),
        "borders": FieldDoc("shared land borders (threat spills over them)", "pairs", "-",
                            "political maps (the Wakhan corridor joins China and Afghanistan)"),
        "patrons": FieldDoc("states with a regional budget", "-", ">= 1",
                            "the article's China and Russia; Pakistan 'controls the Pashtuns "
                            "and the Taliban'"),
        "blocs": FieldDoc("the blocs, with members and leaders", "-", "-",
                          "CSTO, SCO, EAEU and QCCM membership lists [high]"),
        "events": FieldDoc("scheduled events, keyed by name (event tables below)", "-", "-",
                           "-"),
        "rivalry": FieldDoc("the challenger and the incumbent: compared in summaries (the "
                            "month the challenger first leads) and repelled in the landscape",
                            "[patron, patron]",
                            "-", "default: the two largest economies among the patrons, the "
                            "larger as challenger; the article: 'China presses Russia'"),
        "labels": FieldDoc("readable labels of key paths and summary metrics in figures "
                           "(they replace the built-in ones of sim.labels)", "key path: text",
                           "-", "none: the built-in labels"),
    },
    "Parameters": {
        "decisiveness": FieldDoc(
            "contest exponent r: large r is winner-take-all", "-", "0.5-3",
            "r = 1, the lottery contest (Tullock 1980) with constant returns to effort; no "
            "data pins r, and r = 1 is the form most contest models start from"),
        "half_life": FieldDoc(
            "months for a stock to halve with no new flow, per instrument (delta_k = 1 - "
            "0.5^(1/h_k))", "months",
            "investment 36-120, security 12-36, leverage 12-60",
            f"{_CAL} plants, mines and roads outlast their announcement by years; equipment "
            "and training wear out faster; elite ties need tending"),
        "threat_reversion": FieldDoc(
            "kappa: share of the gap to the (relieved) baseline threat closed each month",
            "per month", "0.02-0.2",
            f"{_CAL} 0.05 makes a shock fade with a half-life of about 13.5 months"),
        "spillover": FieldDoc(
            "sigma: share of the mean gap to more threatened neighbours taken on each month",
            "per month", "0-0.2",
            f"{_CAL} as slow as reversion: instability crosses borders over seasons, not weeks"),
        "security_relief": FieldDoc(
            "lambda: the baseline threat is divided by 1 + lambda s, s = all patrons' "
            "security stocks / GDP", "per unit of GDP share", "1-20",
            f"{_CAL} the article's 10 means a security stock worth 10% of GDP halves the "
            "baseline"),
        "threat_sensitivity": FieldDoc(
            "theta: the security weight is base x (1 + theta x threat)", "-", "0-5",
            f"{_CAL} at threat 0.5 security counts twice as much as at threat 0"),
        "choice_temperature": FieldDoc(
            "tau: noise of the logit bloc choice", "utility units", "0.005-0.1",
            f"{_CAL} small against bloc utilities of 0.05-0.3, so choices follow gains"),
        "hysteresis": FieldDoc(
            "h: a switch must gain more than this", "utility units", "0-0.2",
            f"{_CAL} a band as large as a bloc's cost, so memberships do not flicker"),
        "switch_rate": FieldDoc(
            "most a state reconsiders a membership per month (the logit's ceiling)",
            "per month", "0.01-0.2",
            f"{_CAL} 0.05: at most one reconsideration in twenty months, the pace of "
            "summit-to-summit diplomacy"),
        "rule_weight": FieldDoc(
            "rho: weight of the alignment rule's influence term in bloc utility",
            "utility units per unit of influence share", "0-1",
            f"{_CAL} 0.1 in the article: a bloc leaning wholly to a power that holds 20 "
            "points more of the state than its rival is worth 0.01 to a bandwagoner, less "
            "than security and cost terms"),
        "absorption": FieldDoc(
            "alpha_k: absorptive capacity per instrument; a patron's stock X in a state "
            "counts X / (1 + X / (alpha_k GDP)), never more than alpha_k GDP",
            "fraction of GDP", "investment 0.5-2, security 0.1-0.5, leverage 0.1-0.5",
            f"{_CAL} returns to aid fall beyond 15-45% of GDP (Clemens & Radelet 2003); "
            "Afghanistan absorbed security aid of 20-25% of its GDP a year (SIGAR); inward FDI "
            "stocks of 50-100% of GDP occur (UNCTAD)"),
        "partner_share": FieldDoc(
            "standing of a patron that is a member but not a leader of a bloc (leaders: 1)",
            "-", "0-1", f"{_CAL} half a leader's bonus"),
        "stochastic": FieldDoc(
            "random choices and shocks on (false: deterministic switching, no random "
            "shocks)", "-", "true/false", "true: alignment decisions are not certain"),
        "alignment_rule": FieldDoc(
            "overrides every actor's alignment_rule", "rule name", "-",
            "none: each actor keeps its own rule"),
        "landscape": FieldDoc(
            "landscape prediction settings (table below); absent: no prediction", "-", "-",
            "the article asks which states end up in whose camp"),
    },
    "LandscapeParameters": {
        "every": FieldDoc(
            "months between predictions; the last prediction carries forward", "months",
            "1-12", "1: the camps are read every month, as MODEL.md asks"),
        "method": FieldDoc(
            "exhaustive (global minimum over 2^(n-1) splits, n <= 16) or dynamics "
            "(steepest single-actor descent from the last prediction)", "-", "-",
            "exhaustive for the article's 9 actors (256 splits); the two agree on it"),
        "size": FieldDoc(
            "capability behind each actor's size s_i, as a share of the total", "-",
            "gdp, military, equal",
            "GDP (WDI 2015): known for every actor and the measure the contest already uses; "
            "Axelrod & Bennett used COW capability (CINC), which puts China at roughly 5-6 "
            "times Russia in the mid-2010s against GDP's 8"),
        "blocs": FieldDoc(
            "propensity per shared bloc, minus per rivalry the two stand on opposite sides of",
            "propensity units", "0.25-2",
            f"{_CAL} one shared bloc ties as much as being wholly held by the same patron"),
        "influence": FieldDoc(
            "propensity per unit of influence-profile overlap sum_p v_ip v_jp",
            "propensity units", "0.5-2", "1: the unit of propensity"),
        "rivalry": FieldDoc(
            "repulsion between the challenger and the incumbent", "propensity units",
            "0.5-5",
            f"{_CAL} as strong as a full common patron; with GDP sizes any positive value "
            "splits the rivals unless blocs bind them (Russia in the Quartet)"),
    },
    "Actor": {
        "gdp": FieldDoc("GDP[t]: efforts are fractions of it; size in the landscape", "money",
                        "-", "World Bank WDI 2015 (facts file)"),
        "population": FieldDoc("population-weighted regional index", "million", "-",
                               "World Bank WDI 2016 (facts file)"),
        "military_spending": FieldDoc("landscape size when size: military", "money",
                                      "-", "SIPRI 2015 (facts file); none for Uzbekistan, "
                                      "Turkmenistan (SIPRI has no data)"),
        "location": FieldDoc("map position [latitude, longitude] (the network layout)",
                             "degrees", "-", "the capital; China at Urumqi, its Xinjiang seat"),
        "autonomy": FieldDoc("a[t]: the share nobody captures, in effort units", "fraction of GDP",
                             "0.01-1",
                             f"{_CAL} weak states low (Afghanistan 0.02), neutral Turkmenistan "
                             "high (0.2), great powers 1 (not for sale)"),
        "threat": FieldDoc("initial threat T[t]", "0-1", "0-1",
                           f"{_CAL} ordered by exposure to Afghanistan's insurgency"),
        "threat_baseline": FieldDoc("b[t]: the level threat reverts to, before security relief",
                                    "0-1", "0-1", "default: the initial threat"),
        "weights": FieldDoc("w[t, k]: what the state values per instrument (security grows "
                            "with threat)", "-", "0.5-2",
                            f"{_CAL} 1 each; more security for Afghanistan and Tajikistan, more "
                            "investment for Kazakhstan"),
        "alignment_rule": FieldDoc("how it weighs a bloc's leader against rivals",
                                   "balancing, bandwagoning, hedging", "-",
                                   "hedging (Kuik 2021): the default stance of small states"),
        "dependencies": FieldDoc("structural dependence on a patron: a fixed term added to the "
                                 "patron's effort (table Dependence)", "-", "-",
                                 "remittances, World Bank/KNOMAD"),
        "shock_rate": FieldDoc("monthly probability of a random threat shock", "per month",
                               "0-0.1", f"{_CAL} Afghanistan 0.05: a major attack or offensive "
                               "about every 20 months"),
        "shock_size": FieldDoc("size of a random threat shock", "threat units", "0-0.3",
                               f"{_CAL} Afghanistan 0.1, Tajikistan 0.05"),
        "membership_cost": FieldDoc("the state's own cost of belonging to a bloc, per kind "
                                    "(security, economic, forum; a number: every kind)",
                                    "utility units", "0-0.5",
                                    "legal commitments: Turkmenistan's permanent neutrality (UN "
                                    "GA res. 50/80, 1995) and Uzbekistan's 2012 Concept of "
                                    "Foreign Policy Activity bar military blocs; their size is "
                                    "a calibration"),
        "foreign_security_cap": FieldDoc("host consent: the largest security stock the state "
                                         "admits from any one foreign patron (new money beyond "
                                         "it is refused; stocks above it are kept)",
                                         "fraction of GDP", "0-0.05",
                                         "Uzbekistan's 2012 Concept and Turkmenistan's "
                                         "neutrality bar foreign bases; the size is a "
                                         "calibration"),
        "source": FieldDoc("free text: where the actor's figures come from", "-", "-", "-"),
    },
    "Dependence": {
        "share_of_gdp": FieldDoc("the dependence as a fraction of the state's GDP", "fraction",
                                 "0-0.5", "remittances 28.8% (Tajikistan), 25% (Kyrgyzstan), "
                                 "5% (Uzbekistan) of GDP, World Bank/KNOMAD 2015"),
        "weight": FieldDoc("how much of it counts as the patron's effort", "-", "0.05-0.3",
                           f"{_CAL} 0.1: MODEL.md warns that unweighted remittances swamp every "
                           "other channel"),
        "kind": FieldDoc("label (remittances, energy transit...)", "-", "-", "-"),
        "source": FieldDoc("free text: the data source", "-", "-", "-"),
    },
    "Patron": {
        "budget": FieldDoc("monthly regional budget (times attention)", "money per month", "-",
                           f"{_CAL} China US$200 m (about 2.4 bn a year, consistent with its FDI "
                           "stock doubling 2012-2022, MOFCOM); Russia US$90 m; Pakistan US$8 m"),
        "attention": FieldDoc("share of the budget not drawn elsewhere", "-", "0-2",
                              "1; Russia 0.6 while distracted (event)"),
        "strategy": FieldDoc("how the budget is split", "fixed, adaptive", "-",
                             "China adaptive (moves money to where it buys most); Russia and "
                             "Pakistan fixed ('plays the levers it has')"),
        "adapt_rate": FieldDoc("share of the budget an adaptive patron moves per month",
                               "per month", "0.01-0.2", f"{_CAL} China 0.02: slow bureaucratic "
                               "reallocation"),
        "horizon": FieldDoc("planning horizon of an adaptive patron: a dollar counts by the "
                            "stock-months it buys within it", "months", "12-120",
                            "China 60: the Five-Year Plan cycle (13th plan, 2016-2020)"),
        "mix": FieldDoc("bounds [lowest, highest] on each instrument's share of the budget "
                        "(an adaptive patron stays within them)", "shares", "-",
                        "China: mostly loans and investment; security at most 6% (it supplied "
                        "18% of Central Asia's arms imports 2015-19, Jardine & Lemon 2020)"),
        "allocation": FieldDoc("initial shares per target and instrument (normalised to sum 1)",
                               "-", "-", f"{_CAL} weighted toward the largest economies and "
                               "the article's targets"),
        "value": FieldDoc("strategic value of a target to the patron (adaptive weighting; "
                          "default 1)", "-", "0.5-3", "China: Xinjiang makes Afghanistan (2) "
                          "and Tajikistan (1.5) valuable"),
        "stocks": FieldDoc("stocks at month 0 per target and instrument", "money", "-",
                           "FDI (Chinese statistics), 201st base, calibration (provenance "
                           "table)"),
        "source": FieldDoc("free text: where the figures come from", "-", "-", "-"),
    },
    "Bloc": {
        "kind": FieldDoc("security, economic or forum (descriptive; the boost carries the "
                         "effect)", "-", "-", "the organisations' charters"),
        "leaders": FieldDoc("patrons leading it (standing 1 in the multiplier; they do not "
                            "choose)", "-", "-", "Russia (CSTO, EAEU), China (QCCM), both (SCO)"),
        "members": FieldDoc("members at month 0 (leaders are added)", "-", "-",
                            "membership lists 2016 [high]"),
        "boost": FieldDoc("beta[b, k]: extra weight of a leader's stocks in a member",
                          "-", "0-1", f"{_CAL} security 0.5 for security blocs; leverage 0.2 "
                          "(SCO); investment and leverage 0.3 (EAEU)"),
        "guarantee": FieldDoc("g[b]: security benefit per unit of the member's threat",
                              "utility units", "0-0.5", f"{_CAL} 0.3 for the CSTO and the QCCM"),
        "economic_benefit": FieldDoc("e[b]: economic benefit of membership", "utility units",
                                     "0-0.2", f"{_CAL} EAEU 0.05, SCO 0.02"),
        "cost": FieldDoc("c[b]: cost of membership", "utility units", "0-0.1",
                         f"{_CAL} 0.02-0.03"),
        "admission": FieldDoc("open (anyone), invited (the invited list), closed (no one "
                              "new)", "-", "-", "all four admit by invitation"),
        "invited": FieldDoc("states that may join when admission is invited", "-", "-",
                            "Uzbekistan (CSTO), Pakistan (SCO, joined 2017), Tajikistan and "
                            "Uzbekistan (EAEU)"),
        "rivals": FieldDoc("rival blocs: the leaders refuse states sitting in one; opposition "
                           "in the landscape", "-",
                           "-", "the article: the Quartet is 'an alternative to the CSTO'"),
        "third_party_security_cap": FieldDoc("host consent: the largest security stock a member "
                                             "admits from a patron outside the bloc",
                                             "fraction of GDP", "0-0.05",
                                             "CSTO protocol of 20 Dec 2011: third-country "
                                             "bases need every member's consent; the size is "
                                             "a calibration"),
        "source": FieldDoc("free text: the bloc's source", "-", "-", "-"),
    },
    "AidEvent": {
        "type": FieldDoc("aid", "-", "-", "-"),
        "patron": FieldDoc("who gives", "patron", "-", "-"),
        "target": FieldDoc("who receives", "actor", "-", "-"),
        "instrument": FieldDoc("investment, security or leverage", "-", "-", "-"),
        "amount": FieldDoc("total amount, spread evenly over the window, on top of the budget",
                           "money", "-", "the article's 300 million yuan"),
        "start": FieldDoc("first month (YAML key from)", "month", "-", "-"),
        "end": FieldDoc("last month (YAML key to; default: from, a one-off)", "month", "-",
                        "-"),
        "source": FieldDoc("free text", "-", "-", "-"),
    },
    "SetEvent": {
        "type": FieldDoc("set", "-", "-", "-"),
        "path": FieldDoc("patrons.<P>.attention, patrons.<P>.budget, actors.<A>.autonomy or "
                         "actors.<A>.threat_baseline", "-", "-", "-"),
        "value": FieldDoc("the value during the window (a budget in the scenario's currency, "
                          "millions)", "the field's", "-", "-"),
        "start": FieldDoc("first month (YAML key from)", "month", "-", "-"),
        "end": FieldDoc("last month (YAML key to); absent: permanent; after it the value "
                        "reverts", "month", "-", "-"),
        "source": FieldDoc("free text", "-", "-", "-"),
    },
    "MembershipEvent": {
        "type": FieldDoc("join or leave (forced, a counterfactual)", "-", "-", "-"),
        "state": FieldDoc("the state", "actor", "-", "-"),
        "bloc": FieldDoc("the bloc", "bloc", "-", "-"),
        "month": FieldDoc("when", "month", "-", "-"),
        "source": FieldDoc("free text", "-", "-", "-"),
    },
    "ShockEvent": {
        "type": FieldDoc("shock", "-", "-", "-"),
        "target": FieldDoc("the state", "actor", "-", "-"),
        "size": FieldDoc("added to its threat (then clipped to [0, 1])", "threat units",
                         "-1 to 1", "-"),
        "month": FieldDoc("when", "month", "-", "-"),
        "source": FieldDoc("free text", "-", "-", "-"),
    },
}  # fmt: skip

MODELS: dict[str, type[BaseModel]] = {
    "Scenario": Scenario,
    "Parameters": Parameters,
    "LandscapeParameters": LandscapeParameters,
    "Actor": Actor,
    "Dependence": Dependence,
    "Patron": Patron,
    "Bloc": Bloc,
    "AidEvent": AidEvent,
    "SetEvent": SetEvent,
    "MembershipEvent": MembershipEvent,
    "ShockEvent": ShockEvent,
}

EVENT_TYPES: dict[str, str] = {
    "aid": "AidEvent",
    "set": "SetEvent",
    "join": "MembershipEvent",
    "leave": "MembershipEvent",
    "shock": "ShockEvent",
}
"""Every event ``type`` and the model documenting its fields."""


# --------------------------------------------------------------------------- formatting


def _fmt(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Instruments):
        return ", ".join(f"{k} {v:g}" for k, v in value.model_dump().items())
    if isinstance(value, LandscapeParameters):
        return "block"
    if isinstance(value, BaseModel):
        return "block"
    if isinstance(value, bool):
        return str(value).lower()
    if value == "":
        return '""'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict) and value:
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    if isinstance(value, dict | list | tuple):
        return "{}" if isinstance(value, dict) and not value else (
            "[]" if not value else ", ".join(map(str, value))
        )  # fmt: skip
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _yaml_key(model: type[BaseModel], field: str) -> str:
    alias = model.model_fields[field].alias
    return alias or field


def field_table(name: str, article: Any = None) -> str:
    """Markdown table of one model's fields (``article``: an instance holding the article's values).

    Raises:
        KeyError: a field of the model has no entry in :data:`FIELD_DOCS`.
    """
    model = MODELS[name]
    docs = FIELD_DOCS[name]
    with_article = article is not None
    head = ["field", "meaning", "unit", "default"]
    head += ["article"] if with_article else []
    head += ["plausible range", "source / reason"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for field, info in model.model_fields.items():
        d = docs[field]
        row = [f"`{_yaml_key(model, field)}`", d.meaning, d.unit, _fmt(info.get_default())]
        if with_article:
            row.append(_fmt(getattr(article, field)))
        row += [d.range, d.reason]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- provenance


def provenance_table(path: str | Path | None = None) -> str:
    """Markdown table: every key line of a scenario file, its value and its comments.

    The comments are read by :func:`sim.scenario_text.key_notes`: a key's comment
    lines right above it (or, for the first key of a mapping, right below its parent's
    line, which are the parent's) and its inline comment with any continuation lines
    aligned under it.
    """
    file = Path(path) if path is not None else default_scenario_path()
    header = (
        "| key | value | the article's sentence or the data source (YAML comment) |\n|---|---|---|"
    )
    rows = []
    for note in key_notes(file):
        if len(note.key) == 1 and note.key[0] in ("name", "description"):
            continue
        value = note.value if note.value not in (">", "|") else "(text)"
        comment = " ".join(note.comments) or "-"
        rows.append(f"| `{note.path}` | {_cell(value) or ' '} | {_cell(comment)} |")
    return "\n".join([header, *rows])


def _header_comment(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            break
        out.append(line.strip().lstrip("#").strip())
    return out


def variants_provenance(base: str | Path | None = None) -> str:
    """For every variant beside the base scenario: its header comment and provenance table."""
    base_path = Path(base) if base is not None else default_scenario_path()
    parts = []
    for path in sorted(base_path.parent.glob("*.yaml")):
        if path.resolve() == base_path.resolve():
            continue
        header = " ".join(_header_comment(path.read_text(encoding="utf-8")))
        parts += [f"**`scenarios/{path.name}`**: {header}", "", provenance_table(path), ""]
    return "\n".join(parts).rstrip()


# --------------------------------------------------------------------------- the document


def generated_blocks() -> dict[str, str]:
    """Every generated block of docs/model.md, by name."""
    article = load_scenario(default_scenario_path())
    blocks = {
        "scenario-fields": field_table("Scenario"),
        "parameters": field_table("Parameters", article.parameters),
        "landscape-parameters": field_table("LandscapeParameters", article.parameters.landscape),
        "actor-fields": field_table("Actor"),
        "dependence-fields": field_table("Dependence"),
        "patron-fields": field_table("Patron"),
        "bloc-fields": field_table("Bloc"),
        "provenance": provenance_table(),
        "variants": variants_provenance(),
    }
    for kind in dict.fromkeys(EVENT_TYPES.values()):
        blocks[f"event-{kind}"] = field_table(kind)
    return blocks


_BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-zA-Z-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED: "
    r"(?P=name) -->)",
    re.S,
)


README_PATH = DOC_PATH.parent.parent / "README.md"

#: Blocks only the README holds; docs/model.md holds every other one.
README_BLOCKS: tuple[str, ...] = ("headline", "validation")


def required_blocks(path: Path, blocks: Iterable[str]) -> list[str]:
    """The generated blocks ``path`` must hold (README: the headline; model.md: the rest)."""
    if path.name == README_PATH.name:
        return [b for b in blocks if b in README_BLOCKS]
    return [b for b in blocks if b not in README_BLOCKS]


def findings_blocks() -> dict[str, str]:
    """The blocks quoting the report's findings (runs the report over :data:`DOC_SEEDS`)."""
    from sim.calibrate import doc_blocks as calibration_blocks
    from sim.report import DOC_SEEDS, doc_blocks, gather, run_variants

    results = run_variants(seeds=DOC_SEEDS)
    return doc_blocks(results, gather(results)) | calibration_blocks()


def update(
    text: str, blocks: dict[str, str] | None = None, *, required: Iterable[str] | None = None
) -> str:
    """``text`` with every generated block replaced by its current content.

    Args:
        text: The document.
        blocks: Block name -> content (default: :func:`generated_blocks`).
        required: Blocks the document must hold (default: all of ``blocks``).

    Raises:
        KeyError: the text has a block that is not generated, or lacks a required one.
    """
    blocks = generated_blocks() if blocks is None else blocks
    seen: set[str] = set()

    def fill(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in blocks:  # not being regenerated now (e.g. --tables-only)
            return m.group(0)
        seen.add(name)
        return f"{m.group(1)}{blocks[name]}\n{m.group(4)}"

    new = _BLOCK.sub(fill, text)
    missing = set(blocks if required is None else required) - seen
    if missing:
        raise KeyError(f"docs lack the generated blocks {sorted(missing)}")
    return new


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, verify) the generated blocks of docs/model.md and README."""
    parser = argparse.ArgumentParser(prog="python -m sim.docs_tables", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[DOC_PATH, README_PATH])
    parser.add_argument("--check", action="store_true", help="exit 1 if a block is stale")
    parser.add_argument(
        "--tables-only", action="store_true", help="skip the findings (no report run)"
    )
    args = parser.parse_args(argv)
    blocks = generated_blocks()
    if not args.tables_only:
        blocks |= findings_blocks()
    stale = 0
    for path in args.paths:
        text = path.read_text(encoding="utf-8")
        new = update(text, blocks, required=required_blocks(path, blocks))
        if args.check:
            if new != text:
                print(f"{path}: generated blocks are out of date; run python -m sim.docs_tables")
                stale += 1
            continue
        if new != text:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(new, encoding="utf-8")
            tmp.replace(path)
            print(f"updated {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
