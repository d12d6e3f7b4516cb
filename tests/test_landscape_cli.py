"""Tests of the landscape CSV front-end (sim.landscape_io)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from sim import landscape as ls
from sim import landscape_io as lio
from sim.errors import InputError

NAMES = ["Russia", "China", "USA", "Kazakhstan"]
SIZES = [10.0, 12.0, 8.0, 3.0]
# Coded 1..5 with 3 neutral (used with --center 3 below).
CODED = np.array(
    [
        [0, 4, 1, 5],
        [4, 0, 2, 4],
        [1, 2, 0, 3],
        [5, 4, 3, 0],
    ],
    dtype=float,
)


def write_actors(path: Path, names: list[str], sizes: list[float]) -> Path:
    lines = ["actor,size"] + [f"{n},{s:g}" for n, s in zip(names, sizes, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_matrix(path: Path, names: list[str], matrix: np.ndarray, order: list[int]) -> Path:
    """Write ``matrix`` (indexed like ``names``) with rows and columns in ``order``."""
    lines = ["actor," + ",".join(names[k] for k in order)]
    for i in order:
        cells = ["" if i == j else f"{matrix[i, j]:g}" for j in order]
        lines.append(",".join([names[i], *cells]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    actors = write_actors(tmp_path / "ACTORS.csv", NAMES, SIZES)
    prop = write_matrix(tmp_path / "PROPENSITY.csv", NAMES, CODED, [0, 1, 2, 3])
    return actors, prop


def run_json(actors: Path, prop: Path, center: float = 0.0) -> dict[str, object]:
    buf = io.StringIO()
    lio.main_landscape(actors, prop, center=center, as_json=True, out=buf)
    result = json.loads(buf.getvalue())
    assert isinstance(result, dict)
    return result


# --------------------------------------------------------------------------- reading


def test_read_actors_and_matrix(files: tuple[Path, Path]) -> None:
    actors, prop = files
    names, sizes = lio.read_actors(actors)
    assert names == NAMES
    np.testing.assert_array_equal(sizes, SIZES)
    matrix = lio.read_propensity(prop, names)
    np.testing.assert_array_equal(matrix, CODED)
    centered = lio.read_propensity(prop, names, center=3.0)
    expected = CODED - 3.0
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_array_equal(centered, expected)


def test_shuffled_rows_and_columns_give_same_answer(tmp_path: Path) -> None:
    actors = write_actors(tmp_path / "ACTORS.csv", NAMES, SIZES)
    straight = write_matrix(tmp_path / "P1.csv", NAMES, CODED, [0, 1, 2, 3])
    shuffled = tmp_path / "P2.csv"
    # Columns in one order, rows in another, CRLF line ends, padded cells, a blank line.
    cols = [2, 0, 3, 1]
    rows = [3, 1, 0, 2]
    lines = ["actor, " + ", ".join(NAMES[k] for k in cols)]
    for i in rows:
        lines.append(",".join([NAMES[i], *[" " if i == j else f" {CODED[i, j]:g}" for j in cols]]))
        if i == 1:
            lines.append("")
    shuffled.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert run_json(actors, shuffled, center=3.0) == run_json(actors, straight, center=3.0)
    np.testing.assert_array_equal(lio.read_propensity(shuffled, NAMES), CODED)


def test_center_option(tmp_path: Path, files: tuple[Path, Path]) -> None:
    actors, prop = files
    centered_values = CODED - 3.0
    np.fill_diagonal(centered_values, 0.0)
    pre_centered = write_matrix(tmp_path / "PC.csv", NAMES, centered_values, [0, 1, 2, 3])
    with_center = run_json(actors, prop, center=3.0)
    assert with_center == run_json(actors, pre_centered)
    # Uncentered 1..5 data is all positive: everyone together is the only minimum.
    raw = run_json(actors, prop)
    minima = raw["minima"]
    assert isinstance(minima, list) and len(minima) == 1
    assert minima[0]["camps"] == [NAMES, []]
    assert minima[0]["energy"] == 0.0
    assert with_center != raw


# --------------------------------------------------------------------------- output


def test_json_shape_exactly(files: tuple[Path, Path]) -> None:
    actors, prop = files
    result = run_json(actors, prop, center=3.0)
    assert list(result) == ["minima"]
    minima = result["minima"]
    assert isinstance(minima, list) and minima
    direct = ls.exhaustive_search(np.array(SIZES), CODED - 3.0 * (1 - np.eye(4)))
    assert len(minima) == len(direct)
    energies = [m["energy"] for m in minima]
    assert energies == sorted(energies)
    assert sum(m["basin"] for m in minima) == pytest.approx(1.0)
    for entry, m in zip(minima, direct, strict=True):
        assert list(entry) == ["energy", "camps", "frustration", "basin"]
        assert entry["energy"] == pytest.approx(m.energy)
        camp_a, camp_b = entry["camps"]
        assert camp_a[0] == NAMES[0]
        assert sorted(camp_a + camp_b) == sorted(NAMES)
        for camp in (camp_a, camp_b):
            assert camp == [n for n in NAMES if n in camp]  # ACTORS.csv order
        assert list(entry["frustration"]) == NAMES
        assert entry["frustration"] == pytest.approx(dict(zip(NAMES, m.frustration, strict=True)))
        assert 0 < entry["basin"] <= 1
    # Hand check of the global minimum: Russia, China, Kazakhstan vs USA.
    # Centered p: R-C 1, R-U -2, R-K 2, C-U -1, C-K 1, U-K 0; sizes 10, 12, 8, 3.
    # USA alone cuts R-U, C-U, U-K: 2 * (10*8*(-2) + 12*8*(-1) + 0) = 2 * (-256) = -512.
    assert minima[0]["camps"] == [["Russia", "China", "Kazakhstan"], ["USA"]]
    assert minima[0]["energy"] == -512.0
    # Frustration of USA: 10*(-2) + 12*(-1) + 3*0 = -32; Russia: 8*(-2) = -16.
    assert minima[0]["frustration"] == {
        "Russia": -16.0,
        "China": -8.0,
        "USA": -32.0,
        "Kazakhstan": 0.0,
    }


def test_result_to_json_direct_and_first_actor_camp_first() -> None:
    m = ls.Minimum(
        config=np.array([1, 0, 1], dtype=np.int8),  # not canonical: A's camp still first
        energy=-3.5,
        frustration=np.array([-1.0, -0.5, -2.0]),
        basin=float("nan"),
    )
    assert lio.result_to_json(["A", "B", "C"], [m]) == {
        "minima": [
            {
                "energy": -3.5,
                "camps": [["A", "C"], ["B"]],
                "frustration": {"A": -1.0, "B": -0.5, "C": -2.0},
                "basin": None,
            }
        ]
    }


def test_table_output(files: tuple[Path, Path]) -> None:
    actors, prop = files
    buf = io.StringIO()
    lio.main_landscape(actors, prop, center=3.0, out=buf)
    text = buf.getvalue()
    assert "4 actors, 8 splits" in text
    assert "-512" in text
    for name in NAMES:
        assert name in text
    names, sizes = lio.read_actors(actors)
    minima = ls.exhaustive_search(sizes, lio.read_propensity(prop, names, center=3.0))
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(lio.render_table(names, minima))
    recorded = console.export_text()
    assert "Camp with Russia" in recorded
    assert f"{minima[0].basin:.1%}" in recorded


# --------------------------------------------------------------------------- bad input


def bad(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("name,size\nA,1\nB,2\n", ["line 1", "'name,size'", "expected 'actor,size'"]),
        ("actor,size\nA,1\nB,2\nA,3\n", ["line 4", "duplicate actor 'A'", "first on line 2"]),
        ("actor,size\nA,1\n,2\n", ["line 3", "actor name is empty"]),
        ("actor,size\nA,1\nB,big\n", ["line 3", "'B'", "'big'"]),
        ("actor,size\nA,1\nB,-2\n", ["line 3", "'-2'", "positive"]),
        ("actor,size\nA,1\nB,0\n", ["line 3", "'0'", "positive"]),
        ("actor,size\nA,1\nB,nan\n", ["line 3", "'nan'", "finite"]),
        ("actor,size\nA,1\nB,2,3\n", ["line 3", "expected 2 fields", "found 3"]),
        ("actor,size\nA,1\n", ["found 1 actor", "at least 2"]),
        ("", ["file is empty", "actor,size"]),
    ],
)
def test_bad_actors(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = bad(tmp_path / "ACTORS.csv", text)
    with pytest.raises(InputError) as info:
        lio.read_actors(path)
    message = str(info.value)
    assert "ACTORS.csv" in message
    for fragment in fragments:
        assert fragment in message


GOOD_ROWS = "A,,1,2\nB,1,,3\nC,2,3,\n"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("name,A,B,C\n" + GOOD_ROWS, ["line 1", "'name'", "expected 'actor'"]),
        ("actor,A,B,D\n" + GOOD_ROWS, ["line 1", "unknown column actor 'D'", "ACTORS.csv"]),
        ("actor,A,B\nA,,1\nB,1,\n", ["line 1", "lacks column", "'C'"]),
        ("actor,A,B,B\n" + GOOD_ROWS, ["line 1", "duplicate column actor 'B'"]),
        ("actor,A,B,C\nA,,1,2\nX,1,,3\nC,2,3,\n", ["line 3", "unknown row actor 'X'"]),
        ("actor,A,B,C\nA,,1,2\nC,2,3,\n", ["no row for 'B'"]),
        ("actor,A,B,C\nA,,1,2\nA,,1,2\n", ["line 3", "duplicate row actor 'A'"]),
        (
            "actor,A,B,C\nA,,1,2\nB,1,,high\nC,2,3,\n",
            ["line 3", "row 'B'", "column 'C'", "'high'", "not a number"],
        ),
        (
            "actor,A,B,C\nA,,1,2\nB,1,,3\nC,2,3.5,\n",
            ["not symmetric", "line 3 (row 'B', column 'C') is '3'", "line 4", "'3.5'"],
        ),
        ("actor,A,B,C\nA,1,1,2\nB,1,,3\nC,2,3,\n", ["line 2", "diagonal", "'1'", "empty or 0"]),
        ("actor,A,B,C\nA,,,2\nB,1,,3\nC,2,3,\n", ["line 2", "row 'A'", "column 'B'", "empty"]),
        ("actor,A,B,C\nA,,1,2\nB,1,3\nC,2,3,\n", ["line 3", "3 fields", "expected 4"]),
        ("actor,A,B,C\nA,,1,inf\nB,1,,3\nC,inf,3,\n", ["line 2", "'inf'", "finite"]),
    ],
)
def test_bad_propensity(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = bad(tmp_path / "PROPENSITY.csv", text)
    with pytest.raises(InputError) as info:
        lio.read_propensity(path, ["A", "B", "C"])
    message = str(info.value)
    assert "PROPENSITY.csv" in message
    for fragment in fragments:
        assert fragment in message


def test_zero_diagonal_accepted(tmp_path: Path) -> None:
    path = bad(tmp_path / "P.csv", "actor,A,B,C\nA,0,1,2\nB,1,0.0,3\nC,2,3,\n")
    np.testing.assert_array_equal(
        lio.read_propensity(path, ["A", "B", "C"]), [[0, 1, 2], [1, 0, 3], [2, 3, 0]]
    )


def test_missing_files_and_bad_center(tmp_path: Path, files: tuple[Path, Path]) -> None:
    actors, prop = files
    with pytest.raises(InputError, match=r"NOPE\.csv: file not found"):
        lio.main_landscape(tmp_path / "NOPE.csv", prop, out=io.StringIO())
    with pytest.raises(InputError, match=r"MISSING\.csv: file not found"):
        lio.main_landscape(actors, tmp_path / "MISSING.csv", out=io.StringIO())
    with pytest.raises(InputError, match="--center must be a finite number"):
        lio.main_landscape(actors, prop, center=float("nan"), out=io.StringIO())
    with pytest.raises(InputError, match="is not a regular file"):
        lio.read_actors(tmp_path)


def test_too_many_actors_for_cli(tmp_path: Path) -> None:
    names = [f"a{k}" for k in range(ls.MAX_BASIN_N + 1)]
    actors = write_actors(tmp_path / "ACTORS.csv", names, [1.0] * len(names))
    with pytest.raises(InputError, match=r"29 actors are too many.*at most 28"):
        lio.main_landscape(actors, tmp_path / "unused.csv", out=io.StringIO())


# --------------------------------------------------------------------------- the real command


def test_greatgame_landscape_in_a_real_process(
    tmp_path: Path,
    files: tuple[Path, Path],
    cli_subprocess: Callable[..., tuple[int, str, str]],
) -> None:
    """The installed ``greatgame landscape``: JSON on stdout and exit 0 on good input."""
    actors, prop = files
    code, out, err = cli_subprocess("landscape", actors, prop, "--center", "3", "--json")
    assert code == 0, err
    assert "Traceback" not in err
    assert json.loads(out) == run_json(actors, prop, center=3.0)


def test_greatgame_landscape_bad_input_in_a_real_process(
    tmp_path: Path,
    files: tuple[Path, Path],
    cli_subprocess: Callable[..., tuple[int, str, str]],
) -> None:
    """Bad input: exit 1, one line on stderr naming the file and the value, no traceback."""
    actors, _ = files
    asym = bad(tmp_path / "ASYM.csv", "actor,Russia,China,USA,Kazakhstan\n"
               "Russia,,4,1,5\nChina,2,,2,4\nUSA,1,2,,3\nKazakhstan,5,4,3,\n")  # fmt: skip
    code, out, err = cli_subprocess("landscape", actors, asym, "--json")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "ASYM.csv" in err and "symmetric" in err
    assert "Traceback" not in err
