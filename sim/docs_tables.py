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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
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

__all__ = [
    "DOC_PATH",
    "EVENT_TYPES",
    "FIELD_DOCS",
    "MODELS",
    "FieldDoc",
    "field_table",
    "generated_blocks",
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
        "tension_weight": FieldDoc(
            "cost of sitting in a bloc's rival blocs (times the rule's tension scale; 0 "
            "for hedgers)", "utility units per rival bloc", "0-0.2",
            f"{_CAL} as large as a bloc's cost"),
        "rule_weight": FieldDoc(
            "rho: weight of the alignment rule's influence term in bloc utility",
            "utility units per unit of influence share", "0-1",
            f"{_CAL} 0.1 in the article: a 10-point lead of a bloc's leader is worth 0.01, "
            "less than security and cost terms"),
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
        "membership_cost": FieldDoc("the state's own aversion to any bloc", "utility units",
                                    "0-0.5", "Turkmenistan's permanent neutrality (UN GA 1995); "
                                    "Uzbekistan left the CSTO (2012)"),
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
        "rivals": FieldDoc("rival blocs: tension, refusal, opposition in the landscape", "-",
                           "-", "the article: the Quartet is 'an alternative to the CSTO'"),
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

_COMMENT = re.compile(r"\s#\s?(.*)$")


def _split_comment(line: str) -> tuple[str, str | None, int]:
    """``(code, comment, column of '#')`` of a YAML line (no '#' inside quotes here)."""
    if line.lstrip().startswith("#"):
        col = line.index("#")
        return "", line[col + 1 :].strip(), col
    in_quote: str | None = None
    for i, ch in enumerate(line):
        if ch in "\"'" and (in_quote is None or in_quote == ch):
            in_quote = None if in_quote else ch
        elif ch == "#" and in_quote is None and i > 0 and line[i - 1] in " \t":
            return line[:i].rstrip(), line[i + 1 :].strip(), i
    return line.rstrip(), None, -1


def _key_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], int]]:
    """``(key path, 0-based line)`` of every mapping key, in file order (sequences skipped)."""
    out: list[tuple[tuple[str, ...], int]] = []
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            p = (*path, str(knode.value))
            out.append((p, knode.start_mark.line))
            if isinstance(vnode, yaml.MappingNode) and vnode.flow_style is not True:
                out += _key_lines(vnode, p)
    return out


def provenance_table(path: str | Path | None = None) -> str:
    """Markdown table: every key line of a scenario file, its value and its comments.

    A key's comments are the comment lines right above it (or, for the first key of a
    mapping, right below its parent's line, which are the parent's) and its inline
    comment with any continuation lines aligned under it.
    """
    file = Path(path) if path is not None else default_scenario_path()
    text = file.read_text(encoding="utf-8")
    lines = text.splitlines()
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    keys = _key_lines(root) if root is not None else []
    key_at = {line: p for p, line in keys}
    notes: dict[tuple[str, ...], list[str]] = {p: [] for p, _ in keys}
    # inline comments and their aligned continuation lines
    for p, line in keys:
        _, comment, col = _split_comment(lines[line])
        if comment is None:
            continue
        notes[p].append(comment)
        nxt = line + 1
        while nxt < len(lines) and nxt not in key_at:
            code, more, mcol = _split_comment(lines[nxt])
            if code or more is None or mcol != col:
                break
            notes[p].append(more)
            nxt += 1
    # block comments above a key belong to it; right below a parent's line, to the parent
    claimed = {ln for p, line in keys for ln in range(line, line + 1 + len(notes[p]))}
    for p, line in keys:
        above: list[str] = []
        k = line - 1
        while k >= 0 and k not in claimed and lines[k].lstrip().startswith("#"):
            above.insert(0, lines[k].strip().lstrip("#").strip())
            k -= 1
        if not above or k < 0:
            continue
        owner = key_at.get(k)
        if owner is not None and len(owner) == len(p) - 1 and p[:-1] == owner:
            notes[owner].extend(above)  # comments opening a mapping describe the mapping
        else:
            notes[p] = above + notes[p]
    header = (
        "| key | value | the article's sentence or the data source (YAML comment) |\n|---|---|---|"
    )
    rows = []
    for p, line in keys:
        if len(p) == 1 and p[0] in ("name", "description"):
            continue
        code, _, _ = _split_comment(lines[line])
        value = code.split(":", 1)[1].strip() if ":" in code else ""
        value = value if value not in (">", "|") else "(text)"
        note = " ".join(notes[p]) or "-"
        rows.append(f"| `{'.'.join(p)}` | {_cell(value) or ' '} | {_cell(note)} |")
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


def update(text: str, blocks: dict[str, str] | None = None) -> str:
    """``text`` with every generated block replaced by its current content.

    Raises:
        KeyError: the text has a block that is not generated, or lacks one that is.
    """
    blocks = generated_blocks() if blocks is None else blocks
    seen: set[str] = set()

    def fill(m: re.Match[str]) -> str:
        name = m["name"]
        seen.add(name)
        return f"{m.group(1)}{blocks[name]}\n{m.group(4)}"

    new = _BLOCK.sub(fill, text)
    missing = set(blocks) - seen
    if missing:
        raise KeyError(f"docs lack the generated blocks {sorted(missing)}")
    return new


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, verify) the generated tables of docs/model.md."""
    parser = argparse.ArgumentParser(prog="python -m sim.docs_tables", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DOC_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the tables are stale")
    args = parser.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    new = update(text)
    if args.check:
        if new != text:
            print(f"{args.path}: generated tables are out of date; run python -m sim.docs_tables")
            return 1
        return 0
    if new != text:
        tmp = args.path.with_name(args.path.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(args.path)
        print(f"updated {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
