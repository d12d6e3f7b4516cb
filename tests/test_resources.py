"""Shipped files (sim.resources): scenarios by name, editable copies, facts, landscape examples.

The wheel itself is tested in test_wheel.py; these tests run in this process on the editable
install and check the behaviour a user relies on from any directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sim import resources
from sim.errors import InputError
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
CliResult = tuple[int, str, str]


def test_shipped_scenarios_are_the_repository_scenarios() -> None:
    shipped = resources.shipped_scenarios()
    assert shipped[0].name == "central_asia_2016.yaml"  # the article's first
    assert {p.name for p in shipped} == {p.name for p in (ROOT / "scenarios").glob("*.yaml")}
    assert (
        resources.default_scenario().read_bytes()
        == (ROOT / "scenarios" / "central_asia_2016.yaml").read_bytes()
    )


def test_a_bare_name_finds_a_shipped_scenario_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("russia_joins_quartet", "russia_joins_quartet.yaml"):
        assert load_scenario(name).name == "russia_joins_quartet"
    # a file of the same name in the current directory wins over the shipped one
    own = tmp_path / "russia_joins_quartet.yaml"
    own.write_text("extends: central_asia_2016.yaml\nname: my_own\n")
    assert load_scenario("russia_joins_quartet.yaml").name == "my_own"
    # a path with a directory is never a shipped name
    with pytest.raises(InputError, match=r"elsewhere/russia_joins_quartet\.yaml: no such"):
        load_scenario("elsewhere/russia_joins_quartet.yaml")


def test_extends_falls_back_to_a_shipped_base(tmp_path: Path) -> None:
    """A user's variant anywhere can extend the article's scenario by its name."""
    mine = tmp_path / "deep" / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text("extends: central_asia_2016.yaml\nname: mine\nmonths: 7\n")
    sc = load_scenario(mine)
    assert sc.name == "mine" and sc.months == 7 and "Tajikistan" in sc.actors
    mine.write_text("extends: no_such_base.yaml\nname: mine\n")
    with pytest.raises(InputError) as e:
        load_scenario(mine)
    msg = str(e.value)
    assert "mine.yaml, line 1" in msg and "no_such_base.yaml" in msg
    assert "no shipped scenario of that name" in msg


def test_copy_scenarios_refuses_to_overwrite_and_copies_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "copies"
    written = resources.copy_scenarios(dest)
    assert [p.name for p in written] == [p.name for p in resources.shipped_scenarios()]
    for p in written:  # every copy loads, variants from the copied base
        assert load_scenario(p).name == p.stem
    # one clash: nothing is copied, the user's file is untouched
    other = tmp_path / "other"
    other.mkdir()
    (other / "quartet_expands.yaml").write_text("my work\n")
    with pytest.raises(InputError, match=r"quartet_expands\.yaml already exists there"):
        resources.copy_scenarios(other)
    assert sorted(p.name for p in other.iterdir()) == ["quartet_expands.yaml"]
    assert (other / "quartet_expands.yaml").read_text() == "my work\n"
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(InputError, match="is a file; expected a directory"):
        resources.copy_scenarios(afile)


def test_facts_table_ships_with_its_confidence() -> None:
    facts = resources.facts()
    assert list(facts.columns) == [
        "subject", "indicator", "year", "value", "unit", "source", "confidence", "note",
    ]  # fmt: skip
    assert set(facts["confidence"]) <= {"high", "medium", "low", "none"}
    gdp = facts[(facts["subject"] == "Tajikistan") & (facts["indicator"] == "gdp")]
    assert gdp["value"].tolist() == ["7.8"] and gdp["confidence"].tolist() == ["high"]


def test_landscape_example_matches_the_facts_table() -> None:
    """The example's sizes are the facts table's GDP, its propensities the shared memberships."""
    from sim.landscape_io import read_actors, read_propensity

    ex = resources.landscape_example("central_asia_2016")
    names, sizes = read_actors(ex.actors)
    facts = resources.facts()
    gdp = facts[facts["indicator"] == "gdp"].set_index("subject")["value"].astype(float)
    assert dict(zip(names, sizes, strict=True)) == {n: gdp[n] for n in names}
    members = {
        row.subject: set(row.value.split(";"))
        for row in facts[facts["indicator"] == "members"].itertuples()
    }
    p = read_propensity(ex.propensity, names)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                shared = sum(a in m and b in m for m in members.values())
                assert p[i, j] == shared, (a, b)


def test_landscape_example_commands(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    code, out, err = cli("landscape", "--example", "central_asia_2016", "--center", "1", "--json")
    assert code == 0, err
    assert len(json.loads(out)["minima"]) == 2
    bad = [
        (("landscape",), "expected two files, ACTORS.csv and PROPENSITY.csv, or --example"),
        (("landscape", "--example", "nope"), "'nope' is not a shipped landscape example"),
        (("landscape", "a.csv", "b.csv", "--example", "central_asia_2016"), "not both"),
        (("landscape", "a.csv", "b.csv", "--copy", str(tmp_path)), "with --example NAME"),
    ]
    for args, fragment in bad:
        code, out, err = cli(*args)
        assert code == 1, args
        assert err.startswith("error: ") and err.count("\n") == 1 and fragment in err, err


def test_scenarios_command_lists_names_and_descriptions(cli: Callable[..., CliResult]) -> None:
    code, out, err = cli("scenarios")
    assert code == 0, err
    for path in resources.shipped_scenarios():
        assert path.stem in out
    assert "The Quartet (QCCM) opens to Uzbekistan and Turkmenistan." in out
    assert "central_asia_2016" in err and "--copy" in err


def test_run_and_report_accept_shipped_names(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    from sim.report import discover_variants

    assert discover_variants("quartet_expands")[0].name == "quartet_expands.yaml"
    code, _, err = cli("run", "no_chinese_aid", "--months", "2", "--out", tmp_path / "o",
                         "--no-figures")  # fmt: skip
    assert code == 0, err
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["scenario"] == (
        "no_chinese_aid"
    )
