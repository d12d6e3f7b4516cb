"""Quoting a scenario file (sim.scenario_text): excerpts keep the file's own words, and every
commented value is sorted into data, calibration or note."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from sim.errors import InputError
from sim.scenario import load_raw
from sim.scenario_text import commented_values, excerpt, key_notes

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"

SAMPLE = """\
# A header comment, not part of any key.
name: sample
rates:                  # units per dollar
  CNY: 6.55             # PBoC parity, 2016
parameters:
  decisiveness: 1.0     # r = 1; calibration
  half_life:            # months to halve; calibration
    investment: 60      # plants outlast their announcement
  note: "a # inside quotes"
actors:
  Aria:
    gdp: 20 bn USD      # WDI 2015 [medium]
    autonomy: 0.03      # a weak state,
                        # calibration on the next line
    weights: {investment: 1.0, security: 1.5}  # security counts more here
  # Bela's own comment
  Bela:
    gdp: 10 bn USD
borders:
  - [Aria, Bela]        # a river
events:
  loan:
    # article: a loan "to build roads"
    type: aid
    amount: 200 m USD
description: >
  Two valleys
  and their patrons.
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_an_excerpt_is_the_file_s_own_lines_with_their_comments(sample: Path) -> None:
    assert excerpt(sample, "events.loan") == (
        '  loan:\n    # article: a loan "to build roads"\n    type: aid\n    amount: 200 m USD'
    )
    assert excerpt(sample, "rates.CNY") == "  CNY: 6.55             # PBoC parity, 2016"
    # the next key's leading comment ("Bela's own comment") is not Aria's
    aria = excerpt(sample, "actors.Aria")
    assert aria.splitlines()[0] == "  Aria:"
    assert aria.splitlines()[-1].lstrip().startswith("weights")
    assert "# calibration on the next line" in aria and "Bela" not in aria
    assert excerpt(sample, "description") == "description: >\n  Two valleys\n  and their patrons."
    assert excerpt(sample, "borders.0") == "  - [Aria, Bela]        # a river"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_excerpt_of_a_shipped_scenario_reads_back_as_the_same_data(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys = [(k,) for k in data] + [
        (k, sub) for k, v in data.items() if isinstance(v, dict) for sub in v
    ]
    for key in keys:
        text = excerpt(path, ".".join(key))
        value = data[key[0]] if len(key) == 1 else data[key[0]][key[1]]
        assert yaml.safe_load(textwrap.dedent(text) + "\n") == {key[-1]: value}, key


def test_an_unknown_key_is_named_with_the_keys_that_exist(sample: Path) -> None:
    with pytest.raises(InputError, match="no key 'lone' under events; expected one of loan"):
        excerpt(sample, "events.lone")
    with pytest.raises(InputError, match="no key 'x' under name; expected nothing"):
        excerpt(sample, "name.x")
    with pytest.raises(InputError, match="empty part"):
        excerpt(sample, "events..loan")
    with pytest.raises(InputError, match="no such scenario file"):
        excerpt(sample.with_name("missing.yaml"), "name")
    bad = sample.with_name("bad.yaml")
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml, line 2: .*expected a valid YAML file"):
        excerpt(bad, "name")


def test_commented_values_sort_data_calibration_and_notes(sample: Path) -> None:
    table = commented_values(sample).set_index("key")
    assert table.loc["rates.CNY", "kind"] == "data"  # a source named
    assert table.loc["actors.Aria.gdp", "kind"] == "data"  # a confidence in brackets
    assert table.loc["parameters.decisiveness", "kind"] == "calibration"
    assert table.loc["parameters.half_life.investment", "kind"] == "calibration"  # inherited
    assert table.loc["actors.Aria.autonomy", "kind"] == "calibration"  # continued comment
    assert table.loc["actors.Aria.autonomy", "comment"] == (
        "a weak state, calibration on the next line"
    )
    assert table.loc["actors.Aria.weights", "value"] == "{investment: 1.0, security: 1.5}"
    assert table.loc["actors.Aria.weights", "kind"] == "note"
    # no comment, a '#' inside quotes, a block of text: not listed
    for key in ("name", "parameters.note", "actors.Bela.gdp", "description", "events.loan.type"):
        assert key not in table.index


def test_key_notes_give_a_mapping_the_comments_that_open_it(sample: Path) -> None:
    notes = {n.path: n for n in key_notes(sample)}
    assert notes["events.loan"].comments == ('article: a loan "to build roads"',)
    assert notes["actors.Bela"].comments == ("Bela's own comment",)
    assert notes["parameters.half_life"].line == 7
    assert notes["rates.CNY"].value == "6.55"


def test_the_article_s_calibrations_and_data_are_found() -> None:
    table = commented_values(ARTICLE).set_index("key")
    raw = load_raw(ARTICLE)
    assert table.loc["patrons.China.budget", "kind"] == "calibration"
    assert "MOFCOM" in table.loc["patrons.China.budget", "comment"]
    assert table.loc["actors.Tajikistan.gdp", "kind"] == "data"
    assert table.loc["events.russia_distracted.value", "kind"] == "calibration"
    assert table.loc["events.russia_distracted.value", "value"] == str(
        raw["events"]["russia_distracted"]["value"]
    )
    assert set(table["kind"]) == {"data", "calibration", "design", "note"}
