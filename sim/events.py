"""Scheduled events, compiled to arrays with a run axis and applied to a World.

Event kinds (see :mod:`sim.scenario`): ``aid`` (spread evenly over a window),
``set`` (a parameter changed over a window, reverted after it), ``join`` and
``leave`` (forced memberships: counterfactuals), ``shock`` (threat).
Every number of an event (amount, months, value) may differ between the
runs of an ensemble; which events exist may not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.dynamics import FloatArray
from sim.scenario import INSTRUMENTS, AidEvent, MembershipEvent, SetEvent, ShockEvent
from sim.world import World

_BIG = np.iinfo(np.int64).max // 2


@dataclass(frozen=True)
class _Aid:
    patron: int
    target: int
    instrument: int
    start: np.ndarray  # (R,)
    end: np.ndarray  # (R,)
    monthly: FloatArray  # (R,) US$ million per month


@dataclass(frozen=True)
class _Set:
    table: str  # "budget" | "attention" | "autonomy" | "threat_baseline"
    index: int
    start: np.ndarray
    end: np.ndarray
    value: FloatArray


@dataclass(frozen=True)
class _Member:
    state: int
    bloc: int
    month: np.ndarray
    join: bool


@dataclass(frozen=True)
class _Shock:
    target: int
    month: np.ndarray
    size: FloatArray


class EventSchedule:
    """The events of an ensemble, applied month by month.

    Args:
        world: The World whose scenarios declare the events.
    """

    def __init__(self, world: World) -> None:
        self.aid: list[_Aid] = []
        self.sets: list[_Set] = []
        self.members: list[_Member] = []
        self.shocks: list[_Shock] = []
        self._active: list[np.ndarray] | None = None
        scs = world.scenarios
        for name, ev0 in scs[0].events.items():
            evs = [sc.events[name] for sc in scs]
            if isinstance(ev0, AidEvent):
                aid = [e for e in evs if isinstance(e, AidEvent)]
                start = np.array([e.start for e in aid])
                end = np.array([e.end if e.end is not None else e.start for e in aid])
                amount = np.array([sc.usd(e.amount) for sc, e in zip(scs, aid, strict=True)])
                self.aid.append(
                    _Aid(
                        world.patron(ev0.patron),
                        world.actor(ev0.target),
                        INSTRUMENTS.index(ev0.instrument),
                        start,
                        end,
                        amount / (end - start + 1),
                    )
                )
            elif isinstance(ev0, SetEvent):
                sets = [e for e in evs if isinstance(e, SetEvent)]
                kind, who, what = ev0.path.split(".")
                index = world.patron(who) if kind == "patrons" else world.actor(who)
                values = []
                for sc, e in zip(scs, sets, strict=True):
                    # a budget set by an event is in the scenario's own currency (millions)
                    values.append(e.value / sc.rate(sc.currency) if what == "budget" else e.value)
                self.sets.append(
                    _Set(
                        what,
                        index,
                        np.array([e.start for e in sets]),
                        np.array([_BIG if e.end is None else e.end for e in sets]),
                        np.array(values, dtype=float),
                    )
                )
            elif isinstance(ev0, MembershipEvent):
                mem = [e for e in evs if isinstance(e, MembershipEvent)]
                self.members.append(
                    _Member(
                        world.actor(ev0.state),
                        world.bloc(ev0.bloc),
                        np.array([e.month for e in mem]),
                        ev0.type == "join",
                    )
                )
            elif isinstance(ev0, ShockEvent):
                sh = [e for e in evs if isinstance(e, ShockEvent)]
                self.shocks.append(
                    _Shock(
                        world.actor(ev0.target),
                        np.array([e.month for e in sh]),
                        np.array([e.size for e in sh], dtype=float),
                    )
                )

    def apply_parameters(self, world: World, month: int) -> None:
        """Set this month's effective budgets, attention, autonomy and threat baselines."""
        active_now = [(s.start <= month) & (month <= s.end) for s in self.sets]
        if self._active is not None and all(
            np.array_equal(a, b) for a, b in zip(active_now, self._active, strict=True)
        ):
            return  # nothing started or ended this month
        self._active = active_now
        np.copyto(world.budget, world.budget_base)
        np.copyto(world.attention, world.attention_base)
        np.copyto(world.autonomy, world.autonomy_base)
        np.copyto(world.threat_baseline, world.threat_baseline_base)
        for s, active in zip(self.sets, active_now, strict=True):
            if not active.any():
                continue
            table = getattr(world, s.table)
            table[:, s.index] = np.where(active, s.value, table[:, s.index])

    def apply_memberships(self, world: World, month: int) -> np.ndarray | None:
        """Forced joins and leaves due this month: the (R,) mask of runs they touched, or None."""
        changed: np.ndarray | None = None
        for m in self.members:
            due = m.month == month
            if due.any():
                world.member[due, m.state, m.bloc] = m.join
                changed = due if changed is None else changed | due
        return changed

    def add_aid(self, world: World, month: int) -> None:
        """Add the aid due this month (US$ million) to the World's flows, on top of budgets."""
        for a in self.aid:
            active = (a.start <= month) & (month <= a.end)
            if active.any():
                world.flow[:, a.patron, a.target, a.instrument] += np.where(active, a.monthly, 0.0)

    def threat_shocks(self, world: World, month: int) -> FloatArray | float:
        """``(R, N)`` scheduled threat shocks this month (0.0 when the scenario has none)."""
        if not self.shocks:
            return 0.0
        out = np.zeros_like(world.threat)
        for s in self.shocks:
            due = s.month == month
            if due.any():
                out[:, s.target] += np.where(due, s.size, 0.0)
        return out
