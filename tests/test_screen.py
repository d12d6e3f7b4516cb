"""No inert parameter: every number a shipped scenario holds changes a recorded output, or
validation says why not (sim.screen, sim.validation, ``greatgame validate``).

The screen changes each numeric leaf alone, runs every change beside the unchanged
scenario in one ensemble on the same seeds, and compares every recorded output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.screen import numeric_leaves, screen
from sim.validation import notes, structural_notes

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def screened(request: pytest.FixtureRequest) -> tuple[Path, pd.DataFrame]:
    return request.param, screen(request.param, seeds=4)


def test_every_number_changes_an_output_or_validation_says_why(
    screened: tuple[Path, pd.DataFrame],
) -> None:
    _, table = screened
    assert len(table) > 200, "the screen saw the scenario's numbers"
    silent = table[(table["effect"] != True) & (table["note"] == "")]  # noqa: E712
    assert silent[["key", "value", "changed_to"]].to_dict("records") == []


def test_a_structural_note_is_never_on_a_number_that_matters(
    screened: tuple[Path, pd.DataFrame],
) -> None:
    """Structural notes claim 'no effect whatever its value': the screen must agree. (Slack
    notes speak of the current value only: a cap that never binds may bind once lowered.)"""
    from sim.scenario import load_scenario
    from sim.screen import note_for

    path, table = screened
    said = {n.key: n.reason for n in structural_notes(load_scenario(path))}
    wrong = [(r.key, r.outputs) for r in table.itertuples() if r.effect and note_for(r.key, said)]
    assert wrong == []


def test_the_screen_finds_a_number_nothing_reads(tmp_path: Path) -> None:
    """A screen that cannot fail proves nothing: give Russia (a fixed patron) an adapt_rate,
    which nothing reads, and hide validation's notes: the screen reports it as silent."""
    src = (
        SCENARIOS[0]
        .read_text()
        .replace(
            "    strategy: fixed             # article: Russia plays the levers it has\n",
            "    strategy: fixed             # article: Russia plays the levers it has\n"
            "    adapt_rate: 0.3             # calibrated: read by nothing (a fixed strategy)\n",
        )
    )
    f = tmp_path / "x.yaml"
    f.write_text(src)
    table = screen(f, seeds=2).set_index("key")
    row = table.loc["patrons.Russia.adapt_rate"]
    assert row["effect"] is False or row["effect"] == False  # noqa: E712
    assert "fixed" in row["note"]


def test_numeric_leaves_include_money_and_list_items() -> None:
    raw: dict[str, Any] = {
        "a": 1,
        "b": {"c": "300 m CNY", "d": "a name", "e": True},
        "f": [2.5, {"g": 3}],
    }
    assert [(x.key, x.value) for x in numeric_leaves(raw)] == [
        ("a", 1),
        ("b.c", "300 m CNY"),
        ("f.0", 2.5),
        ("f.1.g", 3),
    ]


def test_greatgame_validate_lists_keys_without_effect(cli: Any) -> None:
    code, out, err = cli("validate", "central_asia_2016")
    assert code == 0, err
    assert "keys have no effect in this scenario" in out
    assert "patrons.Russia.value: Russia's strategy is fixed" in out
    assert "rates.RUB: no amount in the scenario is in RUB" in out
    code, out, _ = cli("validate", "central_asia_2016", "--no-notes")
    assert code == 0 and "no effect" not in out


def test_notes_speak_only_of_keys_the_scenario_sets() -> None:
    """Defaults a scenario leaves alone are not listed (Russia's horizon is not in the file)."""
    from sim.scenario import load_scenario

    keys = {n.key for n in notes(load_scenario(SCENARIOS[0]))}
    assert "patrons.Russia.value" in keys
    assert "patrons.Russia.horizon" not in keys
