"""The teaching notebooks: they run top to bottom, stay paired and output-free, and their
exercises work as a class meets them.

Every notebook is executed in a fresh kernel (nbclient), in a scratch folder, as a
lecturer would run it before class. The student copies (``make student-notebooks``,
built by nbconvert's ``TagRemovePreprocessor``) are executed cell by cell: every
check cell must fail there with an ``AssertionError`` saying what to look at (the
answer is still ``...``), then fail again on a wrong answer, then pass once the
teacher's solution is typed in; no other cell may fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sim.notebooks_tools import (
    ANSWER_TAG,
    CHECK_TAG,
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
BIN = Path(sys.executable).parent
EXPECTED = [
    "01_quickstart",
    "02_the_article_as_a_scenario",
    "03_what_if_russia_joins_the_quartet",
    "04_sweeps_and_sensitivity",
    "05_build_your_own_region",
]

#: A wrong answer to each exercise, in the order of the check cells (and, after a ';;',
#: code that undoes it before the solution is typed in). Each must make its check fail.
WRONG: dict[str, list[str]] = {
    "01_quickstart": [
        "won_during_the_run = {'Afghanistan'} | won_during_the_run",  # held from month 0
        "prediction = 'later'",
        "kazakh_budget = 800",
    ],
    "02_the_article_as_a_scenario": [
        "after_aid_year = -after_aid_year",
        "autonomy_prediction = 'rises'",
        "remittance_month = 0",
    ],
    "03_what_if_russia_joins_the_quartet": [
        "median_crossing = (median_crossing or 0) + 12",
        "interval_out = (0.0, 1.0)",
        "china_prediction = 'rises'",
    ],
    "04_sweeps_and_sensitivity": [
        "bigger_lever = 'attention' if bigger_lever == 'budget' else 'budget'",
        "most_important = indices.sort_values('ST')['parameter'].iloc[0]",
        "decisive_prediction = 'falls'",
    ],
    "05_build_your_own_region": [
        "MY_REGION = WORK / 'wrong.yaml'\n"
        "MY_REGION.write_text('name: [one patron only\\n')"
        ";;MY_REGION = WORK / 'my_region.yaml'",
        "class Hugger(AlignmentRule):\n"
        "    name = 'neutralist'\n"
        "    def power_term(self, view):\n"
        "        return np.abs(view.side)\n"
        "ALIGNMENT_RULES['neutralist'] = Hugger",
    ],
}


def _client(nb: nbformat.NotebookNode, folder: Path, *, allow_errors: bool) -> NotebookClient:
    return NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(folder)}},
    )


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _errors(cell: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(o.ename, o.evalue) for o in cell.get("outputs", []) if o.output_type == "error"]


def _exercises(cells: list[nbformat.NotebookNode]) -> list[tuple[int, list[int], int]]:
    """``(answer cell, solution cells, check cell)`` of each exercise, by index."""
    out, i = [], 0
    while i < len(cells):
        if ANSWER_TAG not in _tags(cells[i]):
            i += 1
            continue
        answer, i = i, i + 1
        solutions = []
        while i < len(cells) and SOLUTION_TAG in _tags(cells[i]):
            solutions.append(i)
            i += 1
        check = i if i < len(cells) and CHECK_TAG in _tags(cells[i]) else -1
        out.append((answer, solutions, check))
    return out


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


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_every_exercise_is_a_placeholder_a_solution_and_a_check(source: Path) -> None:
    cells = read_source(source).cells
    exercises = _exercises(cells)
    low, high = (2, 2) if source.stem.startswith("05") else (2, 4)
    assert low <= len(exercises) <= high, f"{source.stem}: {len(exercises)} exercises"
    assert len(WRONG[source.stem]) == len(exercises), "each exercise needs a wrong answer here"
    for answer, solutions, check in exercises:
        where = f"{source.stem}, cell {answer + 1}"
        assert cells[answer - 1].cell_type == "markdown", f"{where}: no question above it"
        assert "YOUR ANSWER HERE" in cells[answer].source, f"{where}: no placeholder"
        assert solutions, f"{where}: no solution cell after the answer cell"
        assert check > 0, f"{where}: no check cell after the solution"
    tagged = [i for i, c in enumerate(cells) if {SOLUTION_TAG, CHECK_TAG} & set(_tags(c))]
    in_exercises = sorted(i for _, sols, check in exercises for i in [*sols, check])
    assert tagged == in_exercises, f"{source.stem}: a solution or check outside an exercise"


def test_jupyter_lab_and_nbconvert_are_in_the_venv() -> None:
    for command in ("lab", "nbconvert"):
        done = subprocess.run(
            [str(BIN / "jupyter"), command, "--version"], capture_output=True, text=True
        )
        assert done.returncode == 0, f"jupyter {command}: {done.stderr}"
        assert done.stdout.strip()[:1].isdigit(), done.stdout


def test_student_copies_are_what_jupyter_nbconvert_writes(tmp_path: Path) -> None:
    assert main(["student", str(NOTEBOOKS), str(tmp_path / "ours")]) == 0
    written = sorted((tmp_path / "ours").glob("*.ipynb"))
    assert [p.stem for p in written] == EXPECTED
    subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--output-dir",
            str(tmp_path / "cli"),
            "--TagRemovePreprocessor.enabled=True",
            "--TagRemovePreprocessor.remove_cell_tags",
            SOLUTION_TAG,
            "--ClearOutputPreprocessor.enabled",
            "True",
            *[str(p.with_suffix(".ipynb")) for p in SOURCES],
        ],
        check=True,
        capture_output=True,
    )
    for path, src in zip(written, SOURCES, strict=True):
        ours = nbformat.read(path, as_version=4)
        cli = nbformat.read(tmp_path / "cli" / path.name, as_version=4)
        assert [(c.cell_type, c.source) for c in ours.cells] == [
            (c.cell_type, c.source) for c in cli.cells
        ]
        teacher = read_source(src).cells
        solutions = [c for c in teacher if SOLUTION_TAG in _tags(c)]
        assert len(ours.cells) == len(teacher) - len(solutions)
        assert not [c for c in ours.cells if SOLUTION_TAG in _tags(c)]
        assert all(not c.get("outputs") for c in ours.cells if c.cell_type == "code")
        assert "jupytext" not in ours.metadata  # a student copy stands alone
        assert ours.metadata["kernelspec"]["name"] == "python3"


def test_student_refuses_a_file_as_output(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["student", str(NOTEBOOKS), str(target)]) == 1
    assert target.read_text() == "x"
    assert student(NOTEBOOKS, tmp_path / "fresh")  # and a new folder is created


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_teacher_notebook_runs_top_to_bottom(source: Path, tmp_path: Path) -> None:
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    _client(nb, tmp_path, allow_errors=False).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "some cells did not run"
    for c in code:
        assert not _errors(c)
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{source.stem} draws no figure"
    if source.stem == "01_quickstart":  # the dashboard displays inside the notebook
        last = code[-1].outputs
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in last)
    if source.stem == "05_build_your_own_region":  # the work stays beside the notebook
        assert (tmp_path / "my_region" / "my_region.yaml").is_file()


def _check_fails(client: NotebookClient, cell: nbformat.NotebookNode, index: int, why: str):
    cell.outputs = []
    client.execute_cell(cell, index)
    errors = _errors(cell)
    assert errors, f"cell {index + 1}: the check passes {why}"
    name, message = errors[0]
    assert name == "AssertionError", f"cell {index + 1} ({why}): {name}: {message}"
    assert message.startswith("Exercise ") and len(message) > 40, (
        f"cell {index + 1} ({why}): a bare or vague message: {message!r}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_student_copy_fails_only_at_its_checks(source: Path, tmp_path: Path) -> None:
    """Run the student's copy as a student would: each check fails until answered."""
    teacher = read_source(source).cells
    solutions = {check: [teacher[i].source for i in sols] for _, sols, check in _exercises(teacher)}
    student(NOTEBOOKS, tmp_path)
    nb = nbformat.read(tmp_path / source.with_suffix(".ipynb").name, as_version=4)
    checks = [c for c in teacher if CHECK_TAG in _tags(c)]
    assert [c.source for c in nb.cells if CHECK_TAG in _tags(c)] == [c.source for c in checks]
    wrong = iter(WRONG[source.stem])
    solution_for = iter(solutions.values())
    client = _client(nb, tmp_path, allow_errors=True)
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            if CHECK_TAG not in _tags(cell):
                assert not _errors(cell), f"cell {index + 1} fails: {_errors(cell)}"
                continue
            _check_fails(client, cell, index, "with the answer still '...'")
            bad, _, undo = next(wrong).partition(";;")
            solved = next(solution_for)
            for code in [*solved, bad]:  # a wrong answer typed over a right one
                client.execute_cell(nbformat.v4.new_code_cell(code), index)
            _check_fails(client, cell, index, f"with the wrong answer {bad!r}")
            for code in [undo, *solved]:
                client.execute_cell(nbformat.v4.new_code_cell(code), index)
            cell.outputs = []
            client.execute_cell(cell, index)
            assert not _errors(cell), f"cell {index + 1} fails on the solution: {_errors(cell)}"


@pytest.mark.slow
def test_notebook_05_keeps_a_student_s_region_on_rerun(tmp_path: Path) -> None:
    """Running the teacher's solution over a student's file neither replaces nor deletes it."""
    source = next(p for p in SOURCES if p.stem.startswith("05"))
    cells = read_source(source).cells
    first_solution = next(i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c))
    nb = nbformat.v4.new_notebook(
        cells=[c for c in cells[: first_solution + 1] if c.cell_type == "code"],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    mine = tmp_path / "my_region" / "my_region.yaml"
    mine.parent.mkdir()
    mine.write_text("# my own region, half written\nname: mine\n", encoding="utf-8")
    _client(nb, tmp_path, allow_errors=False).execute()
    assert mine.read_text(encoding="utf-8") == "# my own region, half written\nname: mine\n"
    said = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "kept" in said and "my_region.yaml" in said
