"""Mesa's own tools work on the model: batch_run, DataCollector, AgentSet decisions, the Network.

A Mesa user should find each decision as a method of its agent (a State choosing blocs, a
patron allocating), called by ``InfluenceModel.step`` through Mesa's AgentSet; get the same
numbers from ``mesa.batch_run`` as from ``sim.run``; and find threat spill-over on the
edges of the model's Mesa ``Network``.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim.agents import State
from sim.errors import InputError
from sim.model import InfluenceModel


def test_batch_run_gives_the_numbers_sim_run_gives() -> None:
    """``mesa.batch_run`` sweeps a scenario value (a dotted key path as a keyword) over seeds;
    its DataCollector's last row per agent equals ``sim.run`` with the same seed and override."""
    params: dict[str, Any] = {
        "scenario": "central_asia_2016",
        "patrons.China.budget": [150, 250],
        "months": 18,
    }
    rows = mesa.batch_run(
        InfluenceModel, params, rng=[1, 2], max_steps=1000, data_collection_period=-1,
        number_processes=1, display_progress=False,
    )  # fmt: skip
    df = pd.DataFrame(rows)
    states = df[df["name"].isin(["Tajikistan", "Kazakhstan", "Afghanistan"])]
    assert len(states) == 2 * 2 * 3
    assert set(states["month"]) == {17}  # the DataCollector's month is the records' month
    for (seed, budget), g in states.groupby(["seed", "patrons.China.budget"]):
        run = sim.run(
            "central_asia_2016", seed=int(seed), months=18,
            set=[f"patrons.China.budget={budget}"],
        )  # fmt: skip
        w = run.model.world
        for _, row in g.iterrows():
            for p in w.patrons:
                assert row[f"influence_{p}"] == pytest.approx(
                    w.influence[0, w.patron(p), w.actor(row["name"])], abs=1e-15
                )
            assert row["blocs"] == ";".join(run.model.state(row["name"]).memberships())


def test_the_datacollector_follows_every_month_of_a_single_run() -> None:
    model = InfluenceModel("central_asia_2016", rng=3, months=6)
    model.run()
    assert model.datacollector is not None
    m = model.datacollector.get_model_vars_dataframe()
    assert list(m["month"]) == [-1, 0, 1, 2, 3, 4, 5]
    rec = model.records
    w = model.world
    region = [w.actor(a) for a in w.region]
    gdp = w.gdp[0, region]
    china = rec.influence[:6, 0, w.patron("China")][:, region]
    np.testing.assert_allclose(m["regional_index_China"].iloc[1:], china @ gdp / gdp.sum())
    a = model.datacollector.get_agenttype_vars_dataframe(State)
    taj = a[a["name"] == "Tajikistan"]["influence_Russia"].to_numpy()
    np.testing.assert_allclose(
        taj[1:], rec.influence[:6, 0, w.patron("Russia"), w.actor("Tajikistan")]
    )


def test_ensembles_keep_no_datacollector_unless_asked() -> None:
    assert InfluenceModel("central_asia_2016", seeds=[1, 2], months=2).datacollector is None


class Spy:
    """Counts calls to an agent method (patched on the class, where the AgentSet looks)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[str] = []
        self.original = getattr(State, name)

    def __call__(self, agent: State) -> Any:
        self.calls.append(agent.name)
        return self.original(agent)


@pytest.mark.parametrize(("method", "expected"), [
    ("allocate", ["China"]),
    ("choose_blocs", ["Afghanistan", "Pakistan", "Tajikistan", "Kyrgyzstan", "Kazakhstan",
                      "Uzbekistan", "Turkmenistan"]),
])  # fmt: skip
def test_each_month_calls_the_agents_decisions_through_mesa_agentsets(
    method: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Patrons that adapt allocate, and every state that leads no bloc chooses its blocs, once a
    month, as methods of their agents called through ``AgentSet.do``."""
    spy = Spy(method)
    monkeypatch.setattr(State, method, lambda self: spy(self))
    model = InfluenceModel("central_asia_2016", seeds=1, months=3)
    model.run()
    assert sorted(spy.calls) == sorted(expected * 3)


def test_the_order_in_which_agents_decide_changes_nothing() -> None:
    """Decisions are made on one snapshot and applied together: shuffling the AgentSet that
    calls ``choose_blocs`` gives bit-identical runs."""
    a = InfluenceModel("central_asia_2016", seeds=[1, 2, 3], months=36)
    b = InfluenceModel("central_asia_2016", seeds=[1, 2, 3], months=36)
    b._choosers = b._choosers.shuffle()
    a.run()
    b.run()
    np.testing.assert_array_equal(a.records.member, b.records.member)
    np.testing.assert_array_equal(a.records.influence, b.records.influence)


def test_an_ensemble_asks_which_run_instead_of_answering_run_zero() -> None:
    model = InfluenceModel("central_asia_2016", seeds=[1, 2, 3], months=2)
    model.run()
    taj = model.state("Tajikistan")
    with pytest.raises(InputError, match=r"ensemble of 3 runs; pass run=0\.\.2"):
        taj.influence_of("China")
    with pytest.raises(InputError, match="ensemble of 3 runs"):
        model.bloc("QCCM").members()
    assert (
        taj.influence_of("China", run=2)
        == model.world.influence[2, 0, model.world.actor("Tajikistan")]
    )
    assert taj.influence.shape == (3, 3)
    single = InfluenceModel("central_asia_2016", seeds=1, months=2)
    assert isinstance(single.state("Tajikistan").influence_of("China"), float)


def test_threat_spills_over_the_edges_of_the_mesa_network() -> None:
    """One border graph: the spill-over edges are the Mesa Network's connections, read through
    its public API, and its cells hold the State agents."""
    model = InfluenceModel("central_asia_2016", seeds=1, months=1)
    net = model.network
    edges = {
        (cell.coordinate, other.coordinate)
        for cell in net.all_cells
        for other in cell.connections.values()
    }
    b = model.world.borders
    assert set(zip(b.src.tolist(), b.dst.tolist(), strict=True)) == edges
    assert len(edges) == 2 * len(model.spec.borders)
    for s in model.states:
        assert s.cell is net[s.index] and s in s.cell.agents


def test_mesas_seed_keywords_are_the_runs_seeds() -> None:
    a = InfluenceModel("central_asia_2016", rng=7, months=12)
    b = InfluenceModel("central_asia_2016", seed=7, months=12)
    c = InfluenceModel("central_asia_2016", seeds=7, months=12)
    for m in (a, b, c):
        m.run()
    np.testing.assert_array_equal(a.records.member, b.records.member)
    np.testing.assert_array_equal(a.records.influence, c.records.influence)
    with pytest.raises(InputError, match="seed must be an integer >= 0"):
        InfluenceModel("central_asia_2016", rng=-1)
