"""docs/model.md stays the model's reference: every field documented, generated tables current."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from sim import docs_tables as dt
from sim.rules import ALIGNMENT_RULES, PATRON_STRATEGIES
from sim.scenario import Event, load_scenario

DOC = dt.DOC_PATH
ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "central_asia_2016.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(dt.MODELS))
def test_every_field_has_its_documentation(name: str) -> None:
    fields = set(dt.MODELS[name].model_fields)
    documented = set(dt.FIELD_DOCS[name])
    assert fields - documented == set(), f"{name}: fields without documentation"
    assert documented - fields == set(), f"{name}: documentation of fields that do not exist"
    for field, doc in dt.FIELD_DOCS[name].items():
        assert doc.meaning and doc.unit and doc.range and doc.reason, f"{name}.{field}"


@pytest.mark.parametrize("name", sorted(dt.MODELS))
def test_every_field_appears_in_the_reference(name: str, text: str) -> None:
    model = dt.MODELS[name]
    for field, info in model.model_fields.items():
        key = info.alias or field
        assert f"| `{key}` |" in text, f"{name}.{key} is not in docs/model.md"


def test_every_event_type_is_documented(text: str) -> None:
    union = typing.get_args(typing.get_args(Event)[0])
    types = {
        lit for model in union for lit in typing.get_args(model.model_fields["type"].annotation)
    }
    assert types == set(dt.EVENT_TYPES)
    for kind, model in dt.EVENT_TYPES.items():
        assert model in dt.MODELS
        assert f"`{kind}`" in text


def test_every_rule_and_strategy_is_described(text: str) -> None:
    for name in [*ALIGNMENT_RULES, *PATRON_STRATEGIES]:
        assert f"**{name}**" in text or f"| {name} |" in text, name


def test_generated_tables_are_up_to_date(text: str) -> None:
    assert dt.update(text) == text, "run: python -m sim.docs_tables"


def test_check_command_flags_a_stale_copy(tmp_path: Path, text: str) -> None:
    stale = tmp_path / "model.md"
    stale.write_text(text.replace("| `decisiveness` |", "| `decisiveness (old)` |", 1))
    assert dt.main(["--check", str(stale)]) == 1
    assert dt.main([str(stale)]) == 0  # rewrites it
    assert stale.read_text() == text
    assert dt.main(["--check", str(stale)]) == 0


def test_update_refuses_a_document_without_a_block() -> None:
    with pytest.raises(KeyError, match="provenance"):
        dt.update("no markers here\n", {"provenance": "x"})


def test_every_element_of_the_article_has_a_source() -> None:
    """Each actor's GDP and population, each bloc, each event and each patron's budget in
    the article's scenario carries the comment naming its sentence or data source."""
    sc = load_scenario(ARTICLE)
    rows = {}
    for line in dt.provenance_table(ARTICLE).splitlines()[2:]:
        key, _, note = (c.strip() for c in line.strip("|").split(" | "))
        rows[key.strip("`")] = note
    needed = [f"actors.{a}.{f}" for a in sc.actors for f in ("gdp", "population")]
    needed += [f"blocs.{b}" for b in sc.blocs]
    needed += [f"events.{e}" for e in sc.events]
    needed += [f"patrons.{p}.budget" for p in sc.patrons]
    missing = [k for k in needed if rows.get(k, "-") == "-"]
    assert missing == []
    assert "World Bank WDI 2015" in rows["actors.China.gdp"]
    assert "300 million yuan" in rows["events.china_aid_kabul"]
    assert "per month; calibration" in rows["patrons.China.budget"]
    assert "consistent with FDI stock" in rows["patrons.China.budget"]  # continuation line
