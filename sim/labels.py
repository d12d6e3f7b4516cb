"""Readable labels for key paths, summary metrics and columns: for figure axes and titles.

A figure should say "China's budget, US$ m/month", not ``patrons.China.budget``. The
built-in table below covers every scalar key path of a scenario (the ones ``--set`` and
sweeps address), every summary metric of sweeps and ``summary.json`` and the columns of the
tidy frames. A scenario may name its own with a top-level ``labels:`` mapping, which takes
precedence::

    labels:
      patrons.China.budget: Beijing's monthly budget for the region, US$ m
      regional_index.China.gdp_weighted: China's weight in the region

Anything else is shown as written, with underscores as spaces.

Example:
    >>> label("patrons.Russia.attention")
    "Russia's attention"
    >>> label("patrons.China.budget", currency="CNY")
    "China's budget, CNY m/month"
    >>> label("patrons.China.budget", {"patrons.China.budget": "Beijing's purse"})
    "Beijing's purse"
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

#: How each scenario currency is written in a unit.
CURRENCY_TEXT = {"USD": "US$", "CNY": "CNY", "RUB": "RUB"}

_N = r"([^.]+)"  # a name: actor, patron, bloc, event, instrument

#: Built-in labels: a full-match pattern of the key path and a template; ``{1}``, ``{2}``
#: are the pattern's groups, ``{cur}`` the scenario currency. First match wins.
BUILTIN: tuple[tuple[str, str], ...] = (
    # patrons
    (rf"patrons\.{_N}\.budget", "{1}'s budget, {cur} m/month"),
    (rf"patrons\.{_N}\.attention", "{1}'s attention"),
    (rf"patrons\.{_N}\.strategy", "{1}'s strategy"),
    (rf"patrons\.{_N}\.adapt_rate", "{1}'s adaptation rate, share of budget/month"),
    (rf"patrons\.{_N}\.horizon", "{1}'s planning horizon, months"),
    (rf"patrons\.{_N}\.mix\.{_N}\.0", "{1}'s lowest {2} share of budget"),
    (rf"patrons\.{_N}\.mix\.{_N}\.1", "{1}'s highest {2} share of budget"),
    (rf"patrons\.{_N}\.allocation\.{_N}\.{_N}", "{1}'s {3} share for {2}"),
    (rf"patrons\.{_N}\.value\.{_N}", "{1}'s strategic value of {2}"),
    (rf"patrons\.{_N}\.stocks\.{_N}\.{_N}", "{1}'s initial {3} stock in {2}, {cur} m"),
    # actors
    (rf"actors\.{_N}\.gdp", "{1}'s GDP, {cur} m"),
    (rf"actors\.{_N}\.population", "{1}'s population, million"),
    (rf"actors\.{_N}\.military_spending", "{1}'s military spending, {cur} m"),
    (rf"actors\.{_N}\.threat", "threat to {1} at the start"),
    (rf"actors\.{_N}\.threat_baseline", "{1}'s baseline threat"),
    (rf"actors\.{_N}\.autonomy", "{1}'s autonomy (share nobody captures)"),
    (rf"actors\.{_N}\.alignment_rule", "{1}'s alignment rule"),
    (rf"actors\.{_N}\.shock_rate", "{1}'s threat shocks, per month"),
    (rf"actors\.{_N}\.shock_size", "{1}'s threat shock size"),
    (rf"actors\.{_N}\.membership_cost\.{_N}", "{1}'s own cost of {2} blocs"),
    (rf"actors\.{_N}\.membership_cost", "{1}'s own cost of blocs"),
    (rf"actors\.{_N}\.foreign_security_cap", "{1}'s cap on foreign security, share of GDP"),
    (rf"actors\.{_N}\.weights\.{_N}", "weight of {2} in {1}"),
    (rf"actors\.{_N}\.dependencies\.{_N}\.share_of_gdp", "{1}'s dependence on {2}, share of GDP"),
    (rf"actors\.{_N}\.dependencies\.{_N}\.weight", "weight of {1}'s dependence on {2}"),
    # blocs
    (rf"blocs\.{_N}\.boost\.{_N}", "{1}'s {2} boost"),
    (rf"blocs\.{_N}\.guarantee", "{1}'s security guarantee"),
    (rf"blocs\.{_N}\.economic_benefit", "{1}'s economic benefit"),
    (rf"blocs\.{_N}\.cost", "cost of {1} membership"),
    (rf"blocs\.{_N}\.admission", "{1}'s admission"),
    (rf"blocs\.{_N}\.third_party_security_cap", "{1}'s cap on outsiders' security, share of GDP"),
    # events
    (rf"events\.{_N}\.amount", "{1}: amount, {cur} m"),
    (rf"events\.{_N}\.from", "{1}: first month"),
    (rf"events\.{_N}\.to", "{1}: last month"),
    (rf"events\.{_N}\.value", "{1}: value"),
    (rf"events\.{_N}\.month", "{1}: month"),
    # parameters
    (r"parameters\.decisiveness", "decisiveness of the contest (r)"),
    (rf"parameters\.half_life\.{_N}", "half-life of {1} stocks, months"),
    (r"parameters\.threat_reversion", "threat reversion, per month"),
    (r"parameters\.spillover", "threat spill-over across borders, per month"),
    (r"parameters\.security_relief", "threat relief from security stocks"),
    (r"parameters\.threat_sensitivity", "weight of threat in valuing security"),
    (r"parameters\.choice_temperature", "noise of bloc choice (temperature)"),
    (r"parameters\.hysteresis", "hysteresis of bloc choice"),
    (r"parameters\.switch_rate", "bloc reconsiderations, per month"),
    (r"parameters\.rule_weight", "weight of the alignment rule"),
    (r"parameters\.partner_share", "standing of a partner in a bloc"),
    (rf"parameters\.absorption\.{_N}", "absorptive capacity for {1}, share of GDP"),
    (r"parameters\.stochastic", "random choices and shocks"),
    (r"parameters\.alignment_rule", "alignment rule of every state"),
    (r"parameters\.landscape\.every", "months between landscape predictions"),
    (r"parameters\.landscape\.blocs", "landscape propensity per shared bloc"),
    (r"parameters\.landscape\.influence", "landscape propensity per shared patron"),
    (r"parameters\.landscape\.rivalry", "landscape repulsion of the rivals"),
    (r"months", "months simulated"),
    (r"seed", "seed"),
    # summary metrics (sweeps' summary table, summary.json)
    (rf"regional_index\.{_N}\.gdp_weighted", "{1}'s regional influence (GDP-weighted)"),
    (
        rf"regional_index\.{_N}\.population_weighted",
        "{1}'s regional influence (population-weighted)",
    ),
    (rf"final_influence\.{_N}\.{_N}", "{1}'s influence over {2} at the end"),
    (rf"final_threat\.{_N}", "threat to {1} at the end"),
    (rf"overtake_month\.{_N}", "first month the challenger leads in {1}"),
    (rf"bloc_sizes?\.{_N}", "members of {1} at the end"),
    (rf"dominant\.{_N}", "dominant patron in {1}"),
    # columns of the tidy frames
    (r"influence", "influence share"),
    (rf"stock_{_N}", "{1} stock, {cur} m"),
    (rf"flow_{_N}", "{1} flow, {cur} m/month"),
    (r"refused_security", "security money refused by the host, {cur} m/month"),
    (rf"effort_{_N}", "effort from {1}, share of GDP"),
    (r"utility", "worth of membership (utility)"),
    (r"p_switch", "probability of switching"),
    (r"gdp_weighted", "regional influence (GDP-weighted)"),
    (r"population_weighted", "regional influence (population-weighted)"),
    (r"threat", "threat"),
    (r"autonomy_share", "share nobody captures"),
    (r"landscape_energy", "landscape energy"),
    (r"camp", "predicted camp"),
    (r"month", "month"),
    (r"date", "date"),
)
_COMPILED = tuple((re.compile(p), t) for p, t in BUILTIN)


def label(key: str, labels: Mapping[str, str] | None = None, *, currency: str = "USD") -> str:
    """A readable label for a key path, summary metric or column.

    Args:
        key: ``patrons.China.budget``, ``regional_index.China.gdp_weighted``, ``influence``...
        labels: The scenario's own ``labels:`` (key path -> label); they win.
        currency: The scenario's currency, for units of money.
    """
    if labels and key in labels:
        return labels[key]
    cur = CURRENCY_TEXT.get(currency, currency)
    for pattern, template in _COMPILED:
        m = pattern.fullmatch(key)
        if m:
            names = (g.replace("_", " ") for g in m.groups())
            return template.format(None, *names, cur=cur)
    return key.replace("_", " ")


def builtin_names(key: str) -> tuple[str, ...] | None:
    """The names a built-in pattern reads from ``key`` (None: no built-in label for it)."""
    for pattern, _ in _COMPILED:
        m = pattern.fullmatch(key)
        if m:
            return m.groups()
    return None


def wrap(text: str, width: int = 60) -> str:
    """``text`` broken into lines of at most ``width`` characters (titles that fit)."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


__all__ = ["BUILTIN", "CURRENCY_TEXT", "builtin_names", "label", "wrap"]
