"""What validation says about keys that have no effect in a scenario.

Every value a scenario accepts must change something, or validation says why not
(``greatgame validate`` prints these notes; :mod:`sim.screen` checks them against a
one-at-a-time screen of every numeric leaf). Two kinds of note:

* **structural**: the key cannot matter given the rest of the scenario, e.g. a fixed
  strategy never reads its patron's ``value``; an exchange rate of a currency no amount
  uses; a bloc leader's ``alignment_rule`` (leaders do not choose blocs);
* **slack constraints**: a limit that never binds in this scenario's own runs (its
  ``seed``, ``seed + 1``, ...), e.g. a host's cap on foreign security stocks that no
  patron comes near, or an adaptive patron's instrument bound its best allocation never
  reaches. These depend on the dynamics, so they are measured, and say by how much
  the limit was missed.

Example:
    >>> import sim
    >>> from sim.validation import notes
    >>> for n in notes(sim.load()):        # doctest: +SKIP
    ...     print(n.key, "-", n.reason)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.rules import allocation_score
from sim.scenario import (
    INSTRUMENTS,
    AidEvent,
    MembershipEvent,
    Money,
    Scenario,
)

__all__ = ["Note", "notes", "slack_notes", "structural_notes"]


@dataclass(frozen=True)
class Note:
    """A key (``*`` for any one part) with no effect in a scenario, and why.

    Attributes:
        key: The key path, as ``--set`` takes it; notes on a mapping cover its keys.
        reason: One sentence: why changing it changes nothing here.
        kind: ``structural`` or ``slack``.
    """

    key: str
    reason: str
    kind: str = "structural"


def notes(sc: Scenario, *, runs: int = 4, explicit_only: bool = True) -> list[Note]:
    """Structural notes and slack-constraint notes (measured on ``runs`` of the scenario).

    Args:
        sc: The scenario.
        runs: Runs (the scenario's seed and the next ones) the slack constraints are
            measured on.
        explicit_only: Only notes on keys the scenario sets (not on defaults it leaves).
    """
    found = structural_notes(sc) + slack_notes(sc, runs=runs)
    if not explicit_only:
        return found
    keys = set(_explicit_keys(sc.model_dump(exclude_unset=True, by_alias=True)))
    return [n for n in found if any(_covers(n.key, k) for k in keys)]


def _explicit_keys(data: Any, prefix: str = "") -> list[str]:
    """Every key path the scenario sets, mappings and list items included."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{prefix}{k}"
            out.append(path)
            out.extend(_explicit_keys(v, path + "."))
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            path = f"{prefix}{i}"
            out.append(path)
            out.extend(_explicit_keys(v, path + "."))
    return out


def _covers(note_key: str, key: str) -> bool:
    """Whether a note's key (``*`` for any one part) names ``key`` or a key above it."""
    pattern, parts = note_key.split("."), key.split(".")
    return len(pattern) <= len(parts) and all(
        q == "*" or q == k for q, k in zip(pattern, parts, strict=False)
    )


def _targeted(sc: Scenario) -> set[str]:
    """States some patron spends on, holds stocks in, values, aids or has a dependency in."""
    out: set[str] = set()
    for pat in sc.patrons.values():
        out |= set(pat.allocation) | set(pat.value)
        out |= {t for t, st in pat.stocks.items() if any(m.amount > 0 for m in _money(st))}
    for a, actor in sc.actors.items():
        if actor.dependencies:
            out.add(a)
    for ev in sc.events.values():
        if isinstance(ev, AidEvent):
            out.add(ev.target)
    return out


def _money(model: Any) -> list[Money]:
    return [getattr(model, k) for k in INSTRUMENTS]


def _currencies_used(sc: Scenario) -> set[str]:
    used: set[str] = set()

    def visit(x: Any) -> None:
        if isinstance(x, Money):
            used.add(x.currency or sc.currency)
        elif isinstance(x, dict):
            for v in x.values():
                visit(v)
        elif isinstance(x, list | tuple):
            for v in x:
                visit(v)
        elif isinstance(x, BaseModel):
            for name in type(x).model_fields:
                visit(getattr(x, name))

    visit(sc.actors)
    visit(sc.patrons)
    visit(sc.events)
    if any(ev.path.endswith(".budget") for ev in sc.events.values() if hasattr(ev, "path")):
        used.add(sc.currency)  # a budget set by an event is in the scenario's currency
    return used


def structural_notes(sc: Scenario) -> list[Note]:
    """Keys that cannot matter given the rest of the scenario (no run needed)."""
    from sim.world import region_of

    out: list[Note] = []
    used = _currencies_used(sc)
    for cur in sc.rates:
        if cur not in used:
            out.append(Note(f"rates.{cur}", f"no amount in the scenario is in {cur}"))
    out.append(
        Note(
            "actors.*.location",
            "a location places the state on the map; it does not enter the dynamics",
        )
    )
    region = region_of(sc)
    leaders = {lead for b in sc.blocs.values() for lead in b.leaders}
    for a in sc.actors:
        if a not in region:
            out.append(
                Note(
                    f"actors.{a}.population",
                    f"population weighs the regional index over the contested region, and "
                    f"{a} leads a bloc, so it is outside it",
                )
            )
    ls = sc.parameters.landscape
    if ls is None or ls.size != "military":
        why = (
            "the scenario has no landscape prediction"
            if ls is None
            else f"parameters.landscape.size is {ls.size!r}, not 'military'"
        )
        out.append(
            Note("actors.*.military_spending", f"military spending sizes actors only when {why}")
        )
    targeted = _targeted(sc)
    for a in sc.actors:
        if a in targeted:
            continue
        if ls is None or ls.size != "gdp":
            out.append(
                Note(
                    f"actors.{a}.gdp",
                    f"nobody contests {a}, and its GDP would size it only in a landscape "
                    "prediction by GDP, which this scenario does not make",
                )
            )
        for key in ("autonomy", "weights", "foreign_security_cap"):
            out.append(
                Note(
                    f"actors.{a}.{key}",
                    f"no patron spends on, holds stocks in, aids or has a dependency in {a}, "
                    "so nothing is contested there",
                )
            )
    for a in sorted(leaders):
        if a in sc.actors:
            for key in ("alignment_rule", "membership_cost"):
                out.append(
                    Note(
                        f"actors.{a}.{key}",
                        f"{a} leads a bloc, and bloc leaders do not choose blocs "
                        "(their memberships change only by events)",
                    )
                )
    for p, pat in sc.patrons.items():
        if pat.strategy == "fixed":
            for key in ("value", "adapt_rate", "horizon", "mix"):
                out.append(
                    Note(
                        f"patrons.{p}.{key}",
                        f"{p}'s strategy is fixed, and only an adaptive strategy reads {key}",
                    )
                )
    if not sc.parameters.stochastic:
        for key in ("choice_temperature", "switch_rate"):
            out.append(
                Note(
                    f"parameters.{key}",
                    "noise is off (parameters.stochastic: false): states switch exactly when "
                    "the gain clears the hysteresis",
                )
            )
        out.append(
            Note(
                "actors.*.shock_rate",
                "noise is off (parameters.stochastic: false): no random shocks",
            )
        )
        out.append(
            Note(
                "actors.*.shock_size",
                "noise is off (parameters.stochastic: false): no random shocks",
            )
        )
    else:
        for a, actor in sc.actors.items():
            if actor.shock_rate == 0 and "shock_size" in actor.model_fields_set:
                out.append(Note(f"actors.{a}.shock_size", f"{a}'s shock_rate is 0: no shocks"))
            if actor.shock_size == 0 and "shock_rate" in actor.model_fields_set:
                out.append(Note(f"actors.{a}.shock_rate", f"{a}'s shock_size is 0: no shocks"))
    for name, ev in sc.events.items():
        start = getattr(ev, "start", getattr(ev, "month", 0))
        if start >= sc.months:
            out.append(
                Note(
                    f"events.{name}",
                    f"the event never happens: it starts in month {start}, after the last month "
                    f"{sc.months - 1}",
                )
            )
    patron_members = any(
        m in sc.patrons and m not in b.leaders for b in sc.blocs.values() for m in b.members
    ) or any(
        isinstance(ev, MembershipEvent)
        and ev.type == "join"
        and ev.state in sc.patrons
        and ev.state not in sc.blocs[ev.bloc].leaders
        for ev in sc.events.values()
    )
    if not patron_members:
        out.append(
            Note(
                "parameters.partner_share",
                "no patron is (or joins) a bloc it does not lead, so no partner's standing counts",
            )
        )
    return out


def slack_notes(sc: Scenario, *, runs: int = 4) -> list[Note]:
    """Limits that never bind in the scenario's own runs (seeds ``seed .. seed + runs - 1``).

    Host-consent caps (``actors.<A>.foreign_security_cap``, ``blocs.<B>.third_party_security_cap``)
    bind when a patron's security stock in the host reaches the cap; an adaptive patron's
    ``mix`` bound binds when its best allocation would pass it (an upper bound below 1 on
    the instrument of its best cell, a lower bound above 0 on another instrument); the
    landscape's settings change nothing when it puts every actor in one camp throughout.
    """
    from sim.model import InfluenceModel

    watch = _Watch(sc)
    model = InfluenceModel(
        sc, seeds=[sc.seed + i for i in range(runs)], hooks=[watch.month], collect=False
    )
    model.run()
    out = watch.notes()
    camp = model.records.extra.get("camp")
    if camp is not None and camp.size and (camp == camp[..., :1]).all():
        why = (
            "the landscape puts every actor in one camp in every month of this scenario's "
            "runs, so its weights and sizes change no camp (and the energy stays 0)"
        )
        for key in ("every", "blocs", "influence", "rivalry", "size"):
            out.append(Note(f"parameters.landscape.{key}", why, "slack"))
        for a in sc.actors:
            if a not in _targeted(sc):
                out.append(Note(f"actors.{a}.gdp", f"nobody contests {a}, and {why}", "slack"))
    return out


class _Watch:
    """A month hook that records which limits ever bind, and how close the others come."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.foreign_bound: dict[str, bool] = {}
        self.foreign_peak: dict[str, float] = {}
        self.bloc_bound: dict[str, bool] = {}
        self.bloc_peak: dict[str, float] = {}
        self.mix_bound: dict[tuple[str, str, int], bool] = {}

    def month(self, model: Any, month: int) -> None:
        w = model.world
        sec = w.stocks[..., 1] / w.gdp[:, None, :]  # (R, P, N) security stock / GDP
        near = 1.0 - 1e-9
        for n, a in enumerate(w.actors):
            cap = self.sc.actors[a].foreign_security_cap
            if cap is None:
                continue
            peak = float(sec[:, :, n].max())
            self.foreign_peak[a] = max(self.foreign_peak.get(a, 0.0), peak)
            binds = bool(
                ((sec[:, :, n] >= cap * near) & (cap > 0)).any() or (cap == 0 and peak > 0)
            )
            binds |= bool(
                (w.refused[:, :, n] > 0).any() and model._security_cap[:, :, n].min() == cap
            )
            self.foreign_bound[a] = self.foreign_bound.get(a, False) or binds
        for j, b in enumerate(w.blocs):
            cap = self.sc.blocs[b].third_party_security_cap
            if cap is None:
                continue
            host = w.member[:, :, j]  # (R, N)
            outsider = ~w.member[:, w.patron_index, j]  # (R, P)
            mask = host[:, None, :] & outsider[:, :, None]
            vals = np.where(mask, sec, 0.0)
            peak = float(vals.max()) if vals.size else 0.0
            self.bloc_peak[b] = max(self.bloc_peak.get(b, 0.0), peak)
            self.bloc_bound[b] = self.bloc_bound.get(b, False) or bool(
                (mask & (sec >= cap * near)).any() or (mask & (w.refused > 0)).any()
            )
        for s in model.patron_agents:
            if s.strategy is None or s.strategy.name == "fixed" or s.patron_row is None:
                continue
            p = s.patron_row
            score = allocation_score(model.allocation_view(p))  # (R, N, K)
            best_k = score.reshape(w.R, -1).argmax(axis=1) % len(INSTRUMENTS)
            for k, name in enumerate(INSTRUMENTS):
                lo, hi = w.mix_low[:, p, k], w.mix_high[:, p, k]
                hi_binds = bool(((best_k == k) & (hi < 1.0)).any())
                lo_binds = bool(((best_k != k) & (lo > 0.0)).any())
                self.mix_bound[(s.name, name, 1)] = (
                    self.mix_bound.get((s.name, name, 1), False) or hi_binds
                )
                self.mix_bound[(s.name, name, 0)] = (
                    self.mix_bound.get((s.name, name, 0), False) or lo_binds
                )

    def notes(self) -> list[Note]:
        out: list[Note] = []
        for a, bound in self.foreign_bound.items():
            if not bound:
                cap = self.sc.actors[a].foreign_security_cap
                out.append(
                    Note(
                        f"actors.{a}.foreign_security_cap",
                        f"the cap never binds in this scenario's runs: no patron's security stock "
                        f"in {a} reaches {cap:.3g} of its GDP (the largest reaches "
                        f"{self.foreign_peak.get(a, 0.0):.3g})",
                        "slack",
                    )
                )
        for b, bound in self.bloc_bound.items():
            if not bound:
                cap = self.sc.blocs[b].third_party_security_cap
                out.append(
                    Note(
                        f"blocs.{b}.third_party_security_cap",
                        f"the cap never binds in this scenario's runs: no outsider's security "
                        f"stock in a member of {b} reaches {cap:.3g} of its GDP (the largest "
                        f"reaches {self.bloc_peak.get(b, 0.0):.3g})",
                        "slack",
                    )
                )
        for (who, name, side), bound in self.mix_bound.items():
            if not bound:
                lo, hi = getattr(self.sc.patrons[who].mix, name)
                which = "upper" if side else "lower"
                value = hi if side else lo
                why = (
                    f"{who}'s best allocation never asks for more {name}"
                    if side
                    else f"{who}'s best allocation never asks for less {name}"
                )
                out.append(
                    Note(
                        f"patrons.{who}.mix.{name}.{side}",
                        f"the {which} bound {value:g} on {name} never binds in this scenario's "
                        f"runs: {why}",
                        "slack",
                    )
                )
        return out
