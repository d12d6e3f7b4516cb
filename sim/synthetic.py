"""Synthetic regions of any size, for scaling benchmarks and teaching.

A synthetic region has ``n_states`` states scattered on a plane (borders
join each state to its nearest neighbours), ``n_patrons`` of which are
patrons with budgets, one security bloc led by each patron, and a forum led
by the first two. Everything is drawn from one seed, so the same arguments
give the same scenario.

Example:
    >>> from sim.synthetic import synthetic_scenario
    >>> sc = synthetic_scenario(100, 2, seed=1)
    >>> len(sc.actors), len(sc.patrons)
    (100, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.errors import InputError
from sim.scenario import Scenario, validate_data


def synthetic_data(
    n_states: int, n_patrons: int, *, seed: int = 0, neighbours: int = 3, months: int = 120
) -> dict[str, Any]:
    """The raw scenario data of a synthetic region (see :func:`synthetic_scenario`)."""
    if n_patrons < 1 or n_states < n_patrons + 1:
        raise InputError(
            f"a synthetic region needs >= 1 patron and more states than patrons, got "
            f"{n_states} states and {n_patrons} patrons"
        )
    rng = np.random.default_rng(seed)
    names = [f"S{i:04d}" for i in range(n_states)]
    patrons = names[:n_patrons]
    lat = rng.uniform(30, 55, n_states)
    lon = rng.uniform(50, 90, n_states)
    gdp = np.exp(rng.normal(3.0, 1.2, n_states))  # US$ bn
    gdp[:n_patrons] = np.exp(rng.normal(7.0, 0.5, n_patrons))
    actors: dict[str, Any] = {}
    for i, n in enumerate(names):
        actors[n] = {
            "gdp": f"{gdp[i]:.3f} bn USD",
            "population": float(np.round(rng.uniform(1, 50), 2)),
            "location": [float(lat[i]), float(lon[i])],
            "threat": float(np.round(rng.uniform(0.05, 0.6), 3)),
            "autonomy": float(np.round(rng.uniform(0.01, 0.1), 4)),
            "alignment_rule": ["hedging", "bandwagoning", "balancing"][i % 3],
            "shock_rate": 0.02,
            "shock_size": 0.05,
        }
    # borders: each state to its k nearest neighbours
    pts = np.c_[lat, lon]
    borders: set[tuple[str, str]] = set()
    k = min(neighbours, n_states - 1)
    for i in range(n_states):
        d = ((pts - pts[i]) ** 2).sum(axis=1)
        d[i] = np.inf
        for j in np.argsort(d)[:k]:
            a, b = sorted((names[i], names[int(j)]))
            borders.add((a, b))
    targets = names[n_patrons:]
    pat: dict[str, Any] = {}
    for p in patrons:
        chosen = rng.choice(len(targets), size=min(len(targets), 12), replace=False)
        alloc = {
            targets[int(t)]: {
                "investment": float(np.round(rng.uniform(0.1, 1), 3)),
                "security": float(np.round(rng.uniform(0, 1), 3)),
                "leverage": float(np.round(rng.uniform(0, 1), 3)),
            }
            for t in chosen
        }
        pat[p] = {
            "budget": f"{rng.uniform(50, 200):.1f} m USD",
            "strategy": "adaptive" if p == patrons[0] else "fixed",
            "allocation": alloc,
        }
    blocs: dict[str, Any] = {}
    for i, p in enumerate(patrons):
        members = [targets[int(t)] for t in rng.choice(len(targets), size=len(targets) // 4)]
        blocs[f"SEC{i}"] = {
            "kind": "security",
            "leaders": [p],
            "members": sorted(set(members)),
            "boost": {"security": 0.5},
            "guarantee": 0.3,
            "cost": 0.02,
        }
    if n_patrons >= 2:
        blocs["FORUM"] = {
            "kind": "forum",
            "leaders": patrons[:2],
            "members": [],
            "boost": {"leverage": 0.2},
            "economic_benefit": 0.02,
        }
    return {
        "name": f"synthetic_{n_states}x{n_patrons}",
        "months": months,
        "seed": seed,
        "actors": actors,
        "borders": [list(b) for b in sorted(borders)],
        "patrons": pat,
        "blocs": blocs,
        "events": {},
    }


def synthetic_scenario(
    n_states: int, n_patrons: int, *, seed: int = 0, neighbours: int = 3, months: int = 120
) -> Scenario:
    """A validated synthetic scenario with ``n_states`` states and ``n_patrons`` patrons.

    Args:
        n_states: Number of states (patrons included).
        n_patrons: Number of patrons (the first states), each leading a security bloc.
        seed: Seed of the region's geography and numbers (and the scenario's seed).
        neighbours: Borders per state (its nearest neighbours).
        months: The scenario's length.
    """
    return validate_data(
        synthetic_data(n_states, n_patrons, seed=seed, neighbours=neighbours, months=months)
    )
