"""docs/model.md stays the model's reference: every field documented, generated tables current."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from sim import docs_tables as dt
from sim.rules import ALIGNMENT_RULES, PATRON_STRATEGIES
from sim.scenario import Event, load_scenario

DOC = dt.DOC_PATH
ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "central_asia_2016.yaml"
SCENARIO_FILES = sorted(ARTICLE.parent.glob("*.yaml"))


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


@pytest.fixture(scope="module")
def blocks(report_results: list[Any], report_findings: Any) -> dict[str, str]:
    """Every generated block: the tables, and the findings of the 50-seed report."""
    from sim.report import doc_blocks

    return dt.generated_blocks() | doc_blocks(report_results, report_findings)


def test_generated_tables_and_findings_are_up_to_date(text: str, blocks: dict[str, str]) -> None:
    """docs/model.md (tables, section 12) and the README's findings say what the numbers say:
    a calibration change that moves a number fails here until the docs are regenerated."""
    required = dt.required_blocks(DOC, blocks)
    assert dt.update(text, blocks, required=required) == text, "run: python -m sim.docs_tables"
    readme = dt.README_PATH.read_text(encoding="utf-8")
    required = dt.required_blocks(dt.README_PATH, blocks)
    assert dt.update(readme, blocks, required=required) == readme, "run: python -m sim.docs_tables"


def test_check_command_flags_a_stale_copy(tmp_path: Path, text: str) -> None:
    stale = tmp_path / "model.md"
    stale.write_text(text.replace("| `decisiveness` |", "| `decisiveness (old)` |", 1))
    assert dt.main(["--check", "--tables-only", str(stale)]) == 1
    assert dt.main(["--tables-only", str(stale)]) == 0  # rewrites it
    assert stale.read_text() == text
    assert dt.main(["--check", "--tables-only", str(stale)]) == 0


def test_update_refuses_a_document_without_a_block() -> None:
    with pytest.raises(KeyError, match="provenance"):
        dt.update("no markers here\n", {"provenance": "x"})


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_number_of_every_shipped_scenario_says_where_it_comes_from(path: Path) -> None:
    """Each numeric leaf (money included) carries, on its own line, a source with its
    confidence grade, the word 'calibrated', or 'design' (a choice about the run)."""
    found = dt.number_lines(path)
    if path == ARTICLE:
        assert len(found) > 150, "the walker found the article's numbers"
    missing = [f"{n.key} (line {n.line}: {n.value})" for n in found if not n.sourced]
    assert missing == []


def test_the_number_walker_sees_every_kind_of_number(tmp_path: Path) -> None:
    """Flow mappings, lists, money and nested keys are all found; a bare comment does not
    count as a source."""
    f = tmp_path / "x.yaml"
    f.write_text(
        "a: 1  # design\n"
        "b: {c: 2.5, d: '3 m USD'}  # calibrated\n"
        "e: [4, 5]  # WDI 2015 [high]\n"
        "f:\n  g: 6  # a note without provenance\n"
        "h: words  # not a number\n"
    )
    got = {n.key: n.sourced for n in dt.number_lines(f)}
    assert got == {"a": True, "b.c": True, "b.d": True, "e.0": True, "e.1": True, "f.g": False}


def test_the_article_says_which_sentence_each_element_encodes() -> None:
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
    assert "calibrated" in rows["patrons.China.budget"]


def test_the_articles_sourced_figures_are_the_facts_tables() -> None:
    """Every figure of the article that the facts table holds has the table's value (one source
    of truth: the YAML quotes the table; a typo in either fails here)."""
    import pandas as pd

    from sim.resources import facts

    f = facts()
    table = {(r.subject, r.indicator): r for r in f.itertuples()}
    sc = load_scenario(ARTICLE)

    def fact(subject: str, indicator: str) -> float:
        return float(table[(subject, indicator)].value)

    checked = 0
    for name, actor in sc.actors.items():
        if (name, "gdp") in table:
            assert sc.usd(actor.gdp) == pytest.approx(fact(name, "gdp") * 1000), name
            checked += 1
        if (name, "population") in table:
            assert actor.population == pytest.approx(fact(name, "population")), name
            checked += 1
        if actor.military_spending is not None:
            assert sc.usd(actor.military_spending) == pytest.approx(
                fact(name, "military_spending") * 1000
            ), name
            checked += 1
        for dep in actor.dependencies.values():
            assert dep.share_of_gdp == pytest.approx(fact(name, "remittances_share_gdp") / 100), (
                name
            )
            checked += 1
    assert sc.rates["CNY"] == fact("USD->CNY", "exchange_rate")
    assert sc.rates["RUB"] == fact("USD->RUB", "exchange_rate")
    kz = sc.patrons["China"].stocks["Kazakhstan"].investment
    assert sc.usd(kz) == pytest.approx(fact("China->Kazakhstan", "fdi_stock") * 1000)
    assert sc.patrons["China"].horizon == fact("China", "planning_cycle")
    assert checked >= 25
    assert isinstance(f, pd.DataFrame)
