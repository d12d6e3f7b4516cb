"""Keep the teaching notebooks honest: paired, output-free, and with exercises not pre-solved.

Each notebook lives as a jupytext percent ``.py`` file (the one to edit and
review) paired with an ``.ipynb`` (the one to open in Jupyter) committed
without outputs. Three commands::

    python -m sim.notebooks_tools sync notebooks      # .py -> .ipynb, outputs stripped
    python -m sim.notebooks_tools check notebooks     # pairs in sync? outputs stripped?
    python -m sim.notebooks_tools student notebooks out/student-notebooks

An exercise is four cells: its question (markdown), an **answer** cell (tagged
``answer``: the placeholder the student fills in, ``x = ...  # YOUR ANSWER HERE``),
the teacher's **solution** (tagged ``solution``) and a **check** (tagged
``check``) that raises an ``AssertionError`` saying what to look at again when the
answer is missing or wrong.

``student`` writes copies without the solution cells, with nbconvert's own
``TagRemovePreprocessor`` (and its output and metadata cleaners): the same as::

    jupyter nbconvert --to notebook --output-dir out/student-notebooks \\
        --TagRemovePreprocessor.enabled=True \\
        --TagRemovePreprocessor.remove_cell_tags solution \\
        --ClearOutputPreprocessor.enabled True notebooks/*.ipynb

In a student copy each check fails until the student writes an answer.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbconvert.exporters import NotebookExporter
from traitlets.config import Config

from sim.errors import InputError

#: The tag of cells that solve an exercise (dropped from student copies).
SOLUTION_TAG = "solution"
#: The tag of the cell where the student writes an answer (kept in both copies).
ANSWER_TAG = "answer"
#: The tag of the cell that checks an exercise's answer.
CHECK_TAG = "check"
#: Jupytext pairing of every notebook.
FORMATS = "ipynb,py:percent"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_sources(folder: str | Path) -> list[Path]:
    """The notebooks' ``.py`` sources in ``folder``, sorted (``01_...``, ``02_...``).

    Raises:
        InputError: the folder does not exist or holds no notebook.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a directory; expected the notebooks folder")
    found = sorted(p for p in folder.glob("*.py") if _is_percent_notebook(p))
    if not found:
        raise InputError(f"{folder}: no jupytext percent notebooks (*.py with '# %%' cells)")
    return found


def _is_percent_notebook(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")
    return "format_name: percent" in head and "# %%" in head


def read_source(path: str | Path) -> nbformat.NotebookNode:
    """A notebook read from its percent ``.py`` file, with the pairing metadata set."""
    nb = jupytext.read(Path(path), fmt="py:percent")
    _normalise(nb)
    return nb


def _normalise(nb: nbformat.NotebookNode) -> None:
    """No outputs, no execution counts, the pairing and kernel metadata: what gets committed."""
    nb.metadata["jupytext"] = {"formats": FORMATS}
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("widgets", None)
    seen: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        # ids from the content, so that syncing twice writes the same file
        base = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:12]
        cid, n = base, 1
        while cid in seen:
            n += 1
            cid = f"{base}-{n}"
        seen.add(cid)
        cell.id = cid


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _ipynb_text(nb: nbformat.NotebookNode) -> str:
    text: str = jupytext.writes(nb, fmt="ipynb")
    return text if text.endswith("\n") else text + "\n"


def sync(folder: str | Path) -> list[Path]:
    """Write each ``.py`` notebook's paired ``.ipynb`` (no outputs). Returns the files written."""
    written = []
    for src in notebook_sources(folder):
        target = src.with_suffix(".ipynb")
        text = _ipynb_text(read_source(src))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            _write_atomic(target, text)
            written.append(target)
    return written


def _cell_key(cell: Any) -> tuple[str, str, tuple[str, ...]]:
    return (cell.cell_type, cell.source.strip(), tuple(cell.metadata.get("tags", [])))


def problems(folder: str | Path) -> list[str]:
    """What is wrong with the notebooks in ``folder``: one sentence each (empty: all good).

    Checks that every ``.py`` has its ``.ipynb``, that both hold the same cells
    (type, source, tags), that the ``.ipynb`` declares the jupytext pairing, and
    that it carries no outputs or execution counts.
    """
    out: list[str] = []
    for src in notebook_sources(folder):
        target = src.with_suffix(".ipynb")
        if not target.exists():
            out.append(f"{target}: missing; run 'make notebooks' to write it from {src.name}")
            continue
        paired = nbformat.read(target, as_version=4)
        mine = [_cell_key(c) for c in read_source(src).cells]
        theirs = [_cell_key(c) for c in paired.cells]
        if mine != theirs:
            diff = next(
                (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
                min(len(mine), len(theirs)),
            )
            out.append(
                f"{target}: out of sync with {src.name} from cell {diff + 1} "
                f"({len(theirs)} cells against {len(mine)}); run 'make notebooks'"
            )
        if paired.metadata.get("jupytext", {}).get("formats") != FORMATS:
            out.append(f"{target}: no jupytext pairing metadata (formats: {FORMATS!r})")
        for i, cell in enumerate(paired.cells, start=1):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                out.append(f"{target}: cell {i} has outputs; commit notebooks without outputs")
                break
    return out


def student_exporter() -> NotebookExporter:
    """nbconvert's notebook exporter set up for student copies.

    ``TagRemovePreprocessor`` drops the cells tagged ``solution``;
    ``ClearOutputPreprocessor`` drops outputs; ``ClearMetadataPreprocessor`` drops
    the jupytext pairing (a student copy stands alone) but keeps the kernel and the
    cells' tags.
    """
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {SOLUTION_TAG}
    config.ClearOutputPreprocessor.enabled = True
    config.ClearMetadataPreprocessor.enabled = True
    config.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {
        ("kernelspec",),
        ("language_info", "name"),
    }
    config.ClearMetadataPreprocessor.preserve_cell_metadata_mask = {("tags",)}
    return NotebookExporter(config=config)


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without the cells tagged ``solution``, outputs or pairing (``nb`` is unchanged)."""
    text, _ = student_exporter().from_notebook_node(nbformat.from_dict(nb))
    return nbformat.reads(text, as_version=4)


def student(folder: str | Path, out: str | Path) -> list[Path]:
    """Write student copies (``.ipynb``, no solutions, no outputs) of every notebook.

    Each copy is made from the notebook's ``.py`` source (the file of record) by
    :func:`student_exporter`; the paired ``.ipynb`` holds the same cells (``check``).

    Returns:
        The files written.

    Raises:
        InputError: ``out`` exists and is not a directory.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; expected a directory (created if missing)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in notebook_sources(folder):
        target = out / src.with_suffix(".ipynb").name
        text, _ = student_exporter().from_notebook_node(read_source(src))
        _write_atomic(target, text if text.endswith("\n") else text + "\n")
        written.append(target)
    return written


USAGE = (
    "usage: python -m sim.notebooks_tools sync FOLDER | check FOLDER | student FOLDER OUT\n"
    "example: python -m sim.notebooks_tools student notebooks out/student-notebooks\n"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``sync``, ``check`` or ``student``; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    try:
        if len(args) == 2 and args[0] == "sync":
            for p in sync(args[1]):
                sys.stderr.write(f"wrote {p}\n")
            return 0
        if len(args) == 2 and args[0] == "check":
            found = problems(args[1])
            for line in found:
                sys.stderr.write(f"error: {line}\n")
            return 1 if found else 0
        if len(args) == 3 and args[0] == "student":
            written = student(args[1], args[2])
            sys.stderr.write(f"wrote {len(written)} student notebooks to {args[2]}/\n")
            return 0
    except InputError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    sys.stderr.write(USAGE)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
