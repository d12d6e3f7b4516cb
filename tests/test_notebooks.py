"""The teaching notebooks: they run top to bottom, stay paired and output-free, and the
student copies' exercises are not pre-solved.

Every notebook is executed in a fresh kernel (nbclient), as a lecturer would
run it before class; the student copies (``make student-notebooks``) are
executed too, and each exercise's check cell must fail there, since the
solution is gone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sim.notebooks_tools import (
    SOLUTION_TAG,
    main,
    notebook_sources,
    problems,
    read_source,
    student,
    sync,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = notebook_sources(NOTEBOOKS)
CHECK_TAG = "check"
EXPECTED = [
    "01_quickstart",
    "02_the_article_as_a_scenario",
    "03_what_if_russia_joins_the_quartet",
    "04_sweeps_and_sensitivity",
    "05_build_your_own_region",
]


def _execute(nb: nbformat.NotebookNode, *, allow_errors: bool = False) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return nb


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _errors(cell: nbformat.NotebookNode) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]


def test_the_five_notebooks_are_there() -> None:
    assert [p.stem for p in SOURCES] == EXPECTED


def test_each_py_is_paired_with_an_output_free_ipynb() -> None:
    assert problems(NOTEBOOKS) == []


def test_the_pairing_check_catches_drift_and_outputs(tmp_path: Path) -> None:
    for src in SOURCES[:1]:
        shutil.copy(src, tmp_path / src.name)
        shutil.copy(src.with_suffix(".ipynb"), tmp_path / src.with_suffix(".ipynb").name)
    assert problems(tmp_path) == []
    paired = tmp_path / SOURCES[0].with_suffix(".ipynb").name
    nb = nbformat.read(paired, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    nbformat.write(nb, paired)
    assert any("has outputs" in p for p in problems(tmp_path))
    source = tmp_path / SOURCES[0].name
    source.write_text(source.read_text() + "\n# %%\nprint('a new cell')\n")
    assert any("out of sync" in p for p in problems(tmp_path))
    assert main(["check", str(tmp_path)]) == 1
    assert sync(tmp_path) == [paired]  # make notebooks repairs both
    assert problems(tmp_path) == []
    assert main(["check", str(tmp_path)]) == 0


def test_every_solution_is_followed_by_its_check() -> None:
    with_exercises = 0
    for src in SOURCES:
        cells = read_source(src).cells
        solutions = [i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c)]
        for i in solutions:
            following = [CHECK_TAG in _tags(c) for c in cells[i + 1 :]]
            assert any(following), f"{src.name}: solution cell {i + 1} has no check cell after it"
        with_exercises += bool(solutions)
    assert with_exercises >= 1


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs_top_to_bottom(source: Path) -> None:
    nb = _execute(nbformat.read(source.with_suffix(".ipynb"), as_version=4))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "some cells did not run"
    for c in code:
        assert not _errors(c)
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{source.stem} draws no figure"
    if source.stem == "01_quickstart":  # the dashboard displays inside the notebook
        last = code[-1].outputs
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in last)


@pytest.mark.slow
def test_student_copies_drop_solutions_and_their_checks_fail(tmp_path: Path) -> None:
    assert main(["student", str(NOTEBOOKS), str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.ipynb"))
    assert [p.stem for p in written] == EXPECTED
    exercised = 0
    for path, src in zip(written, SOURCES, strict=True):
        teacher = read_source(src).cells
        copy = nbformat.read(path, as_version=4)
        assert not [c for c in copy.cells if SOLUTION_TAG in _tags(c)]
        n_solutions = sum(SOLUTION_TAG in _tags(c) for c in teacher)
        assert len(copy.cells) == len(teacher) - n_solutions
        checks = [c for c in copy.cells if CHECK_TAG in _tags(c)]
        if not n_solutions:
            continue
        exercised += 1
        _execute(copy, allow_errors=True)
        assert checks, f"{path.name}: exercises without check cells"
        for check in checks:
            assert _errors(check), f"{path.name}: a check cell passes without its solution"
    assert exercised >= 1


def test_student_refuses_a_file_as_output(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["student", str(NOTEBOOKS), str(target)]) == 1
    assert target.read_text() == "x"
    assert student(NOTEBOOKS, tmp_path / "fresh")  # and a new folder is created
