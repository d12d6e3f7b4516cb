"""CSV front-end of the landscape model (``greatgame landscape ACTORS.csv PROPENSITY.csv``).

Reads the actors' sizes and the propensity matrix from two CSV files, validates them
with messages that name the file, the line and the value found, runs
:func:`sim.landscape.exhaustive_search` and formats the local minima as JSON or as a
rich table. See :mod:`sim.landscape` for the model (Axelrod & Bennett 1993).

File formats:

``ACTORS.csv``::

    actor,size
    Russia,10
    China,12

``PROPENSITY.csv`` (a square matrix; rows and columns in any order; the diagonal cells
must be empty or 0; the matrix must be symmetric, compared after parsing the numbers)::

    actor,Russia,China
    Russia,,2
    China,2,

Cells are stripped of surrounding whitespace; fully blank lines are skipped; a UTF-8
byte-order mark is accepted.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

from sim.errors import InputError
from sim.landscape import MAX_BASIN_N, Minimum, exhaustive_search

__all__ = [
    "main_landscape",
    "read_actors",
    "read_propensity",
    "render_table",
    "result_to_json",
]

ACTORS_HEADER = ("actor", "size")
#: The largest CSV file read (a matrix of 28 actors takes a few kilobytes).
MAX_CSV_BYTES = 4 * 2**20


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, stripped cells)`` for every non-blank CSV record of ``path``."""
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file.")
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise InputError(
            f"{path}: is {size:,} bytes; expected a CSV file of at most {MAX_CSV_BYTES:,} bytes "
            f"(the landscape takes at most {MAX_BASIN_N} actors)."
        )
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    yield reader.line_num, cells
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text ({exc.reason}).") from None
    except csv.Error as exc:
        raise InputError(f"{path}: is not valid CSV ({exc}).") from None


def read_actors(path: Path | str) -> tuple[list[str], NDArray[np.float64]]:
    """Read ``ACTORS.csv``: header ``actor,size``, then one row per actor.

    Args:
        path: The CSV file.

    Returns:
        ``(names, sizes)`` in file order.

    Raises:
        InputError: Missing file, wrong header, wrong number of fields, empty or
            duplicate actor name, size that is not a finite positive number, or fewer
            than 2 actors; the message names the file, the line and the value found.
    """
    path = Path(path)
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(f"{path}: file is empty; expected the header 'actor,size'.")
    line, header = first
    if tuple(header) != ACTORS_HEADER:
        raise InputError(
            f"{path}, line {line}: header is {','.join(header)!r}; expected 'actor,size'."
        )
    names: list[str] = []
    sizes: list[float] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) != 2:
            raise InputError(
                f"{path}, line {line}: expected 2 fields (actor,size), "
                f"found {len(cells)}: {','.join(cells)!r}."
            )
        name, raw = cells
        if not name:
            raise InputError(f"{path}, line {line}: the actor name is empty.")
        if name in seen:
            raise InputError(
                f"{path}, line {line}: duplicate actor {name!r} (first on line {seen[name]})."
            )
        try:
            size = float(raw)
        except ValueError:
            raise InputError(
                f"{path}, line {line}: size of {name!r} is {raw!r}; expected a positive number."
            ) from None
        if not math.isfinite(size) or size <= 0:
            raise InputError(
                f"{path}, line {line}: size of {name!r} is {raw!r}; "
                "expected a finite positive number."
            )
        seen[name] = line
        names.append(name)
        sizes.append(size)
    if len(names) < 2:
        raise InputError(f"{path}: found {len(names)} actor(s); the landscape needs at least 2.")
    return names, np.asarray(sizes, dtype=np.float64)


def _check_names(
    path: Path, line: int, found: str, kind: str, known: dict[str, int], seen: dict[str, int]
) -> None:
    if not found:
        raise InputError(f"{path}, line {line}: empty {kind} name.")
    if found not in known:
        raise InputError(
            f"{path}, line {line}: unknown {kind} actor {found!r}; "
            "names must match ACTORS.csv exactly."
        )
    if found in seen:
        raise InputError(f"{path}, line {line}: duplicate {kind} actor {found!r}.")


def read_propensity(
    path: Path | str, names: Sequence[str], *, center: float = 0.0
) -> NDArray[np.float64]:
    """Read ``PROPENSITY.csv`` into a matrix ordered like ``names``.

    The first row is ``actor`` followed by actor names; every other row starts with an
    actor name. Rows and columns may come in any order but must name every actor of
    ``names`` exactly once. Diagonal cells must be empty or 0 (a self-propensity has no
    meaning in the model); off-diagonal cells must be finite numbers and the matrix must
    be symmetric.

    Args:
        path: The CSV file.
        names: Actor names in ACTORS.csv order.
        center: Subtracted from every off-diagonal value (e.g. 3 for data coded 1-5
            with 3 neutral).

    Returns:
        The ``(n, n)`` propensity matrix in ``names`` order, diagonal 0.

    Raises:
        InputError: On any malformed input; the message names the file, the line, the
            row and column actors and the value found.
    """
    path = Path(path)
    if not math.isfinite(center):
        raise InputError(f"--center must be a finite number, got {center}.")
    index = {name: k for k, name in enumerate(names)}
    n = len(index)
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(f"{path}: file is empty; expected a header 'actor,<names>...'.")
    header_line, header = first
    if header[0] != "actor":
        raise InputError(
            f"{path}, line {header_line}: first header cell is {header[0]!r}; expected 'actor'."
        )
    columns: dict[str, int] = {}
    for name in header[1:]:
        _check_names(path, header_line, name, "column", index, columns)
        columns[name] = header_line
    missing = [name for name in names if name not in columns]
    if missing:
        raise InputError(
            f"{path}, line {header_line}: header lacks column(s) for "
            f"{', '.join(repr(m) for m in missing)}."
        )
    col_names = header[1:]
    matrix = np.zeros((n, n))
    raw_cells: dict[tuple[int, int], tuple[int, str]] = {}
    seen_rows: dict[str, int] = {}
    for line, cells in rows:
        row_name = cells[0]
        _check_names(path, line, row_name, "row", index, seen_rows)
        seen_rows[row_name] = line
        if len(cells) != len(header):
            raise InputError(
                f"{path}, line {line}: row {row_name!r} has {len(cells)} fields; "
                f"expected {len(header)} like the header."
            )
        i = index[row_name]
        for col_name, raw in zip(col_names, cells[1:], strict=True):
            j = index[col_name]
            where = f"{path}, line {line}, row {row_name!r}, column {col_name!r}"
            if i == j:
                if raw and not _is_zero(raw):
                    raise InputError(f"{where}: diagonal cell is {raw!r}; expected empty or 0.")
                continue
            if not raw:
                raise InputError(f"{where}: cell is empty; expected a number.")
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"{where}: value {raw!r} is not a number.") from None
            if not math.isfinite(value):
                raise InputError(f"{where}: value {raw!r} is not a finite number.")
            if not math.isfinite(value - center):
                raise InputError(
                    f"{where}: value {raw!r} minus --center {center:g} is not a finite number; "
                    "expected a smaller --center or smaller values."
                )
            matrix[i, j] = value
            raw_cells[i, j] = (line, raw)
    missing = [name for name in names if name not in seen_rows]
    if missing:
        raise InputError(f"{path}: no row for {', '.join(repr(m) for m in missing)}.")
    for i in range(n):
        for j in range(i + 1, n):
            if matrix[i, j] != matrix[j, i]:
                (li, ri), (lj, rj) = raw_cells[i, j], raw_cells[j, i]
                raise InputError(
                    f"{path}: the matrix is not symmetric: line {li} (row {names[i]!r}, "
                    f"column {names[j]!r}) is {ri!r} but line {lj} (row {names[j]!r}, "
                    f"column {names[i]!r}) is {rj!r}."
                )
    if center:
        matrix -= center
        np.fill_diagonal(matrix, 0.0)
    return matrix


def _is_zero(raw: str) -> bool:
    try:
        return float(raw) == 0.0
    except ValueError:
        return False


def _camps(names: Sequence[str], minimum: Minimum) -> list[list[str]]:
    if len(names) != minimum.config.shape[0]:
        raise ValueError(
            f"{len(names)} names given for a configuration of {minimum.config.shape[0]} actors."
        )
    labels = minimum.config.astype(int) ^ int(minimum.config[0])  # first actor's camp first
    return [
        [name for name, lab in zip(names, labels, strict=True) if lab == camp] for camp in (0, 1)
    ]


def result_to_json(names: Sequence[str], minima: Sequence[Minimum]) -> dict[str, object]:
    """JSON-ready description of the local minima.

    Args:
        names: Actor names in ACTORS.csv order.
        minima: Local minima as returned by :func:`sim.landscape.exhaustive_search`.

    Returns:
        ``{"minima": [{"energy": E, "camps": [[names], [names]], "frustration":
        {name: F}, "basin": fraction}, ...]}`` in the order of ``minima`` (global
        minimum first). Each camp lists names in ACTORS.csv order; the camp holding
        the first actor comes first (the other camp may be empty). ``basin`` is
        ``None`` when basins were not computed.
    """
    out: list[dict[str, object]] = []
    for minimum in minima:
        out.append(
            {
                "energy": float(minimum.energy),
                "camps": _camps(names, minimum),
                "frustration": {
                    name: float(f) for name, f in zip(names, minimum.frustration, strict=True)
                },
                "basin": None if math.isnan(minimum.basin) else float(minimum.basin),
            }
        )
    return {"minima": out}


def render_table(names: Sequence[str], minima: Sequence[Minimum]) -> Table:
    """Readable table of the local minima, global minimum first.

    Args:
        names: Actor names in ACTORS.csv order.
        minima: Local minima as returned by :func:`sim.landscape.exhaustive_search`.

    Returns:
        A :class:`rich.table.Table` with one row per minimum: energy, basin, both camps
        and each actor's frustration.
    """
    n = len(names)
    table = Table(
        title=(
            f"Landscape: {n} actors, {2 ** (n - 1)} splits, {len(minima)} local "
            + ("minimum" if len(minima) == 1 else "minima")
        ),
        show_lines=True,
    )
    table.add_column("#", justify="right")
    table.add_column("Energy", justify="right")
    table.add_column("Basin", justify="right")
    table.add_column(f"Camp with {names[0]}" if names else "Camp A")
    table.add_column("Other camp")
    table.add_column("Frustration")
    for rank, minimum in enumerate(minima, start=1):
        camp_a, camp_b = _camps(names, minimum)
        frus = "\n".join(
            f"{name}: {f:.4g}" for name, f in zip(names, minimum.frustration, strict=True)
        )
        basin = "-" if math.isnan(minimum.basin) else f"{minimum.basin:.1%}"
        table.add_row(
            str(rank),
            f"{minimum.energy:.6g}",
            basin,
            ", ".join(camp_a),
            ", ".join(camp_b) or "(empty)",
            frus,
        )
    return table


def main_landscape(
    actors_csv: Path | str,
    propensity_csv: Path | str,
    *,
    center: float = 0.0,
    as_json: bool = False,
    out: TextIO | None = None,
) -> None:
    """Read both CSV files, find every local minimum with its basin, print the result.

    Args:
        actors_csv: ``ACTORS.csv`` (header ``actor,size``).
        propensity_csv: ``PROPENSITY.csv`` (square matrix, see the module docstring).
        center: Subtracted from every off-diagonal propensity.
        as_json: Print JSON (see :func:`result_to_json`) instead of a table.
        out: Where to write; ``sys.stdout`` (at call time) when ``None``.

    Raises:
        InputError: On bad input (the CLI prints the message and exits with code 1).
    """
    stream = sys.stdout if out is None else out
    names, sizes = read_actors(actors_csv)
    if len(names) > MAX_BASIN_N:
        raise InputError(
            f"{actors_csv}: {len(names)} actors are too many for the exhaustive landscape "
            f"search (at most {MAX_BASIN_N})."
        )
    propensity = read_propensity(propensity_csv, names, center=center)
    try:
        minima = exhaustive_search(sizes, propensity, basins=True)
    except InputError as e:  # e.g. values whose energies overflow: name the files
        raise InputError(f"{actors_csv} with {propensity_csv}: {e}") from None
    if as_json:
        # allow_nan=False: the output is valid JSON or nothing (a NaN here would be a bug)
        text = json.dumps(result_to_json(names, minima), indent=2, allow_nan=False)
        stream.write(text + "\n")
    else:
        Console(file=stream, highlight=False).print(render_table(names, minima))
