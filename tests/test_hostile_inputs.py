"""Hostile and careless inputs: bounded time and memory, one sentence, the right exit code.

Each case of issue 11 as a regression, through the command line itself:

* alias bombs (in a file, in ``--set``, as a sweep value) are refused in bounded time under a
  memory limit (``resource.setrlimit`` in a subprocess), naming the file and the limit;
  recursive aliases, deep nesting, 400- and 5000-digit numbers likewise;
* special files (a FIFO, ``/dev/zero``, an oversized file, a symlink loop) are refused at once;
* control characters and 10,000-character values give one short line;
* errors only a model build would see name the file, the line and the key;
* ``extends:`` reads only the scenario's own directory tree, the shipped scenarios and what
  ``--allow-extends`` / ``GREATGAME_ALLOW_EXTENDS`` / ``allow_extends=`` allow;
* ``run --out a_file/sub`` is refused before the simulation; a full disk (a real tmpfs where
  a mount namespace can be made, and a simulated ENOSPC) exits 3 and leaves no temp file;
* ``greatgame landscape`` with finite but huge inputs exits 1 and never prints NaN;
* an internal error exits 2 with one line (``GREATGAME_DEBUG=1`` adds the traceback).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import sim
from sim.errors import InputError
from sim.scenario import MAX_NODES, load_raw, load_scenario

Cli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
GREATGAME = Path(sys.executable).parent / "greatgame"


def one_line(code: int, out: str, err: str, *, exit_code: int = 1) -> str:
    """The single 'error: ...' line of a refused command (and no traceback)."""
    assert code == exit_code, (code, out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def bomb_text(levels: int = 8, width: int = 9) -> str:
    """The issue's alias bomb: ``width ** levels`` values from a few hundred bytes."""
    lines = ["name: bomb", "a0: &a0 [" + ",".join(["x"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def flow_bomb(levels: int = 7, width: int = 9) -> str:
    """An alias bomb on one line, for ``--set`` and sweep values."""
    parts = ["&a0 [" + ",".join(["x"] * width) + "]"]
    for i in range(1, levels):
        parts.append(f"&a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "[" + ", ".join(parts) + "]"


# --------------------------------------------------------------------------- alias bombs

MEMORY_LIMIT = 3 * 2**30  # address space: ~1.6 GB of it is numpy/pyarrow/pandas mappings

BOMB_SCRIPT = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from sim.cli import main
results = []
for args in json.loads(sys.argv[1]):
    t0 = time.perf_counter()
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = e.code
    results.append([code, time.perf_counter() - t0])
print(json.dumps(results))
"""


def test_alias_bombs_are_refused_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """Every command that loads a scenario, under a 3 GiB address-space limit.

    Before the fix the file alone took more than 4.5 GB in 20 s (then a MemoryError traceback).
    """
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(bomb_text())
    assert bomb.stat().st_size < 600
    out = tmp_path / "out"
    commands = [
        ["validate", str(bomb)],
        ["run", str(bomb), "--out", str(out / "run")],
        ["sweep", str(bomb), "months=2,3", "--out", str(out / "sweep"), "--workers", "1"],
        ["report", "--base", str(bomb), "--seeds", "2", "--out", str(out / "report")],
        ["app", str(bomb), "--port", "0"],
        ["validate", str(ARTICLE), "--set", f"name={flow_bomb()}"],
        ["sweep", str(ARTICLE), "months=2", "--set", f"name={flow_bomb()}", "--out", str(out)],
    ]
    script = BOMB_SCRIPT.format(limit=MEMORY_LIMIT)
    proc = subprocess.run(
        [sys.executable, "-c", script, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert len(lines) == len(commands), proc.stderr
    for (code, seconds), line, args in zip(results, lines, commands, strict=True):
        assert code == 1, (args, line)
        assert seconds < 10, (args, seconds)
        assert f"expands to more than {MAX_NODES:,} values" in line, line
        assert "alias bomb" in line
    for line in lines[:5]:
        assert str(bomb) in line, "the message names the file"
    assert "--set name" in lines[5] and "--set name" in lines[6]
    assert not out.exists(), "nothing was written"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: r\nborders: &b [*b]\n", ["line 2", "recursive alias"]),
        ("name: r\nx: &m {k: *m}\n", ["line 2", "recursive alias"]),
        ("name: r\nx: " + "[" * 200 + "]" * 200 + "\n", ["nest deeper than 64 levels"]),
        ("name: r\nmonths: 1" + "0" * 399 + "\n", ["line 2", "a number of 400 characters"]),
        ("name: r\nseed: " + "9" * 5000 + "\n", ["line 2", "a number of 5000 characters"]),
    ],
    ids=["recursive list", "recursive mapping", "deep", "400 digits", "5000 digits"],
)
def test_recursive_deep_and_endless_yaml_gets_one_sentence(
    cli: Cli, write_yaml: Callable[..., Path], text: str, expected: list[str]
) -> None:
    path = write_yaml(text, "bad.yaml")
    for args in (["validate", path], ["run", path, "--months", "2"]):
        line = one_line(*cli(*args))
        assert str(path) in line
        for part in expected:
            assert part in line, line
        assert len(line) < 400


HUGE = "9" * 400


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (f"patrons.China.budget={HUGE}", "a number of 400 characters"),
        (f"parameters.decisiveness={HUGE}", "a number of 400 characters"),
        (f"seed={'9' * 5000}", "a number of 5000 characters"),
        ("borders=&b [*b]", "recursive alias"),
        (f"patrons.China.budget={'9' * 60}", "expected at most 1e+12 million"),  # money overflow
        ("patrons.China.budget={amount: 1e400, currency: USD}", "finite amount of money"),
        (f"borders.{'9' * 5000}.0=China", "is not an item of a list of"),
    ],
    ids=["money", "float", "5000 digits", "recursive", "60 digits", "inf amount", "long index"],
)
def test_overrides_with_huge_numbers_and_aliases(cli: Cli, override: str, expected: str) -> None:
    line = one_line(*cli("validate", ARTICLE, "--set", override))
    assert expected in line, line
    assert len(line) < 400


def test_huge_money_in_a_file_names_the_line(cli: Cli, tmp_path: Path) -> None:
    # the first budget in the file is China's
    text = re.sub(r"budget: [^#\n]*", f"budget: {'9' * 60} ", ARTICLE.read_text(), count=1)
    assert text != ARTICLE.read_text()
    path = tmp_path / "huge.yaml"
    path.write_text(text)
    line = one_line(*cli("validate", path))
    assert f"{path}, line" in line and "patrons.China.budget" in line
    assert "expected at most 1e+12 million" in line


# --------------------------------------------------------------------------- special files


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "oversized", "symlink_loop", "dir"])
def test_special_paths_are_refused_at_once(cli: Cli, tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
        expected = "is a FIFO (named pipe); expected a scenario .yaml file, a regular file"
    elif kind == "dev_zero":
        path = Path("/dev/zero")
        expected = "is a character device"
    elif kind == "oversized":
        path = tmp_path / "big.yaml"
        with open(path, "wb") as f:
            f.truncate(64 * 2**20)  # sparse: 64 MiB of nothing
        expected = "is 64.0 MiB; expected a scenario .yaml file of at most 4.0 MiB"
    elif kind == "symlink_loop":
        path = tmp_path / "loop1.yaml"
        os.symlink(tmp_path / "loop2.yaml", path)
        os.symlink(path, tmp_path / "loop2.yaml")
        expected = "loop of symbolic links"
    else:
        path = tmp_path
        expected = "is a directory"
    t0 = time.perf_counter()
    for command in ("validate", "run", "sweep"):
        args = [command, path]
        if command == "sweep":
            args += ["months=2", "--out", tmp_path / "o", "--workers", "1"]  # no pool to start
        line = one_line(*cli(*args))
        assert str(path) in line and expected in line, line
    assert time.perf_counter() - t0 < 10
    assert not (tmp_path / "o").exists()


def test_a_symlink_loop_in_extends(cli: Cli, tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: a.yaml\n")
    line = one_line(*cli("validate", child))
    assert f"{child}, line 2" in line and "loop of symbolic links" in line


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("raw", "where"),
    [(b"name: a\x00b\n", "line 1"), (b"name: ok\nmonths: 1\x07\n", "line 2")],
    ids=["NUL", "BEL"],
)
def test_control_characters_give_one_line(cli: Cli, tmp_path: Path, raw: bytes, where: str) -> None:
    path = tmp_path / "ctl.yaml"
    path.write_bytes(raw)
    line = one_line(*cli("validate", path))
    assert f"{path}, {where}: the character U+00" in line
    assert "control characters are refused" in line


def test_ten_thousand_character_values_are_truncated(cli: Cli, tmp_path: Path) -> None:
    long = "X" * 10_000
    raw = load_raw(ARTICLE)
    raw["actors"][long] = raw["actors"].pop("Tajikistan")
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, width=20_000))
    line = one_line(*cli("validate", path))
    assert str(path) in line and "at most 80 characters" in line
    assert len(line) < 400, len(line)
    for args in (
        ["--set", f"name={long}"],
        ["--set", f"events.china_aid_kabul.path={long}"],
        ["--set", f"patrons.{long}.budget=5"],
        ["--set", f"{long}=5"],
        ["--set", f"name=a{chr(0)}b"],
    ):
        line = one_line(*cli("validate", ARTICLE, *args))
        assert len(line) < 400, (args[1][:20], len(line))
    code, out, _ = cli("sweep", ARTICLE, f"name={long},b", "--months", "2", "--dry-run")
    assert code == 0 and max(len(x) for x in out.splitlines()) < 400  # runs that would fail


def test_a_newline_in_a_value_cannot_split_the_message(cli: Cli) -> None:
    """The last guard: whatever a message echoes, it reaches the terminal as one line."""
    line = one_line(*cli("sweep", ARTICLE, "name\nerror: forged=1", "--dry-run"))
    assert "name error: forged" in line


# --------------------------------------------------------------------------- build-time errors


def test_landscape_errors_a_build_would_see_name_the_file_line_and_key(
    cli: Cli, tmp_path: Path
) -> None:
    from sim.synthetic import synthetic_data

    data = synthetic_data(17, 2, seed=1, months=12)
    data.setdefault("parameters", {})["landscape"] = {"method": "exhaustive"}
    path = tmp_path / "seventeen.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    text = path.read_text().splitlines()
    method_line = next(i for i, t in enumerate(text, 1) if "method: exhaustive" in t)
    for command in ("validate", "run"):
        line = one_line(*cli(command, path, *(["--months", "2"] if command == "run" else [])))
        assert f"{path}, line {method_line}: at parameters.landscape.method" in line, line
        assert "takes 2 to 16 actors" in line and "expected method: dynamics" in line
    line = one_line(*cli("validate", ARTICLE, "--set", "parameters.landscape.size=military"))
    afghanistan = next(
        i for i, t in enumerate(ARTICLE.read_text().splitlines(), 1) if t == "  Afghanistan:"
    )
    assert f"{ARTICLE}, line {afghanistan}: at actors.Afghanistan" in line, line
    assert "no military_spending" in line and "landscape.size is 'military'" in line
    # the library refuses the same, the same way
    with pytest.raises(InputError, match=r"parameters\.landscape\.method"):
        sim.load(path)


# --------------------------------------------------------------------------- extends


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, Path]:
    """A base scenario outside the variant's directory, and the variant."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "mine").mkdir()
    base = tmp_path / "elsewhere" / "base.yaml"
    shutil.copy(ARTICLE, base)
    child = tmp_path / "mine" / "variant.yaml"
    child.write_text("extends: ../elsewhere/base.yaml\nname: variant\n")
    return base, child


def test_extends_outside_the_scenario_tree_is_refused_unless_allowed(
    cli: Cli, outside: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, child = outside
    monkeypatch.delenv("GREATGAME_ALLOW_EXTENDS", raising=False)
    line = one_line(*cli("validate", child))
    assert f"{child}, line 1" in line and str(base) in line
    assert "outside" in line and "--allow-extends DIR" in line
    assert "GREATGAME_ALLOW_EXTENDS" in line
    # the flag, the API and the environment variable allow it
    code, _, err = cli("validate", child, "--allow-extends", base.parent)
    assert code == 0, err
    assert sim.load(child, allow_extends=[base.parent]).name == "variant"
    with pytest.raises(InputError, match="outside"):
        sim.load(child)
    with pytest.raises(InputError, match="outside"):
        sim.sweep(child, {"months": [2]}, out=child.parent / "o", executor="serial")
    monkeypatch.setenv("GREATGAME_ALLOW_EXTENDS", str(base.parent))
    assert load_scenario(child).name == "variant"


def test_extends_through_a_symlink_out_of_the_tree_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    secret = tmp_path / "secret.yaml"
    shutil.copy(ARTICLE, secret)
    os.symlink(secret, tmp_path / "mine" / "innocent.yaml")
    child = tmp_path / "mine" / "variant.yaml"
    child.write_text("name: variant\nextends: innocent.yaml\n")
    line = one_line(*cli("validate", child))
    assert "outside" in line and str(secret) in line


def test_extends_inside_the_tree_and_of_the_shipped_scenarios_still_works(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "bases").mkdir()
    shutil.copy(ARTICLE, tmp_path / "bases" / "base.yaml")
    below = tmp_path / "variant.yaml"
    below.write_text("extends: bases/base.yaml\nname: below\n")
    shipped = tmp_path / "shipped.yaml"
    shipped.write_text(f"extends: {os.path.relpath(ARTICLE, tmp_path)}\nname: shipped\n")
    for path in (below, shipped):
        code, _, err = cli("validate", path)
        assert code == 0, err


# --------------------------------------------------------------------------- outputs


def test_run_out_under_a_file_is_refused_before_the_simulation(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a_file").write_text("mine\n")

    def no_simulation(*args: object, **kwargs: object) -> None:
        raise AssertionError("the simulation ran before the output path was checked")

    monkeypatch.setattr(sim.api, "run", no_simulation)
    line = one_line(*cli("run", "--out", tmp_path / "a_file" / "sub"))
    assert "a_file is a file, so no directory can be made under it" in line
    line = one_line(
        *cli("sweep", ARTICLE, "months=2", "--out", tmp_path / "a_file" / "s", "--workers", "1")
    )
    assert "a_file is a file" in line
    assert (tmp_path / "a_file").read_text() == "mine\n"


def test_a_full_disk_exits_3_and_leaves_no_temp_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated ENOSPC in the middle of writing the outputs of `greatgame run`."""
    import pandas as pd

    real = pd.DataFrame.to_csv
    calls: list[object] = []

    def full_after_one(self: pd.DataFrame, path: object = None, **kw: object) -> object:
        calls.append(path)
        if len(calls) > 1:
            with open(str(path), "w") as f:  # a partial file, as a real full disk leaves one
                f.write("run,month\n1,")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, path, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_after_one)
    out = tmp_path / "out"
    line = one_line(*cli("run", "--months", "3", "--out", out, "--no-figures"), exit_code=3)
    assert "No space left on device" in line and "free some space" in line
    names = sorted(p.name for p in out.iterdir())
    assert names and not [n for n in names if n.startswith(".") or "tmp" in n], names


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt || exit 1"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="no mount namespace for a tiny tmpfs here")
def test_a_real_full_disk_on_a_tiny_tmpfs(tmp_path: Path) -> None:
    """`greatgame run` and `greatgame sweep` on a real 200 KiB tmpfs: exit 3, no temp file;
    the sweep's committed chunks read, and the sweep resumes once there is room."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    gg = str(GREATGAME)
    sweep = (
        f"{gg} sweep {ARTICLE} patrons.China.budget=150,200,250 --replicates 2 --months 60 "
        "--chunk-size 1 --workers 1"
    )
    script = textwrap.dedent(
        f"""
        mount -t tmpfs -o size=200k tmpfs {mnt} || exit 99
        {gg} run {ARTICLE} --months 24 --out {mnt}/run 2>{tmp_path}/run.err
        echo "run=$?"
        ls -A {mnt}/run
        rm -rf {mnt}/run
        {sweep} --out {mnt}/sw 2>{tmp_path}/sweep.err >/dev/null
        echo "sweep=$?"
        ls -A {mnt}/sw/runs {mnt}/sw/summary {mnt}/sw/timeseries
        ls {mnt}/sw/runs | wc -l | sed 's/^/chunks=/'
        mount -o remount,size=8m {mnt}
        {sweep} --out {mnt}/sw 2>{tmp_path}/resume.err >/dev/null
        echo "resume=$?"
        ls {mnt}/sw/runs | wc -l | sed 's/^/chunks=/'
        """
    )
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "200"},
        check=False,
    )
    out = proc.stdout
    assert "run=3" in out, (out, proc.stderr, (tmp_path / "run.err").read_text())
    assert "sweep=3" in out, (tmp_path / "sweep.err").read_text()
    listing = [line for line in out.splitlines() if "=" not in line and ":" not in line]
    assert listing and not [n for n in listing if n.startswith(".") or "tmp" in n], listing
    assert "No space left on device" in (tmp_path / "run.err").read_text()
    err = (tmp_path / "sweep.err").read_text()
    assert "Traceback" not in err and "cannot write to" in err and "No space left" in err
    assert "resume=0" in out, (tmp_path / "resume.err").read_text()
    before, after = (int(x.split("=")[1]) for x in out.splitlines() if x.startswith("chunks="))
    assert 0 < before < 6 and after == 6, (before, after)  # some committed, then all
    assert f"{before} already done" in (tmp_path / "resume.err").read_text()


# --------------------------------------------------------------------------- landscape


@pytest.mark.parametrize(
    ("sizes", "cells", "center"),
    [
        (["1e308", "1e308", "1"], ["1", "2", "3"], "0"),
        (["1", "2", "1"], ["1", "2", "3"], "1e308"),
        (["1", "2", "1"], ["1", "2", "3"], "-1.7e308"),
        (["1", "2", "1"], ["1e308", "2", "3"], "0"),
        (["1", "2", "1"], ["1e308", "2", "3"], "-1e308"),
    ],
    ids=["huge sizes", "huge center", "huge negative center", "huge cell", "cell - center"],
)
def test_landscape_with_finite_but_huge_inputs(
    cli: Cli, tmp_path: Path, sizes: list[str], cells: list[str], center: str
) -> None:
    actors = tmp_path / "actors.csv"
    actors.write_text(
        "actor,size\n" + "".join(f"{a},{s}\n" for a, s in zip("ABC", sizes, strict=True))
    )
    ab, ac, bc = cells
    prop = tmp_path / "prop.csv"
    prop.write_text(f"actor,A,B,C\nA,,{ab},{ac}\nB,{ab},,{bc}\nC,{ac},{bc},\n")
    code, out, err = cli("landscape", actors, prop, "--center", center, "--json")
    line = one_line(code, out, err)
    assert out == "" and "NaN" not in err
    assert (str(actors) in line and "overflow the largest float" in line) or (
        f"{prop}, line 2" in line and "is not a finite number" in line
    ), line
    code, out, err = cli("landscape", actors, prop, "--json")  # without the center: valid
    if code == 0:
        json.loads(out)  # valid JSON, never NaN
        assert "NaN" not in out


# --------------------------------------------------------------------------- exit codes


def test_an_internal_error_exits_2_with_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.scenario

    def broken() -> dict[str, object]:
        return {"value": 1 / 0}

    monkeypatch.setattr(sim.scenario, "json_schema", broken)
    monkeypatch.delenv("GREATGAME_DEBUG", raising=False)
    code, _, err = cli("schema")
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: ZeroDivisionError")
    assert "please report it" in lines[0] and "GREATGAME_DEBUG=1" in lines[0]
    monkeypatch.setenv("GREATGAME_DEBUG", "1")
    code, _, err = cli("schema")
    assert code == 2 and "Traceback" in err and err.strip().splitlines()[-1] == lines[0]


def test_exit_codes_of_input_and_usage_errors_stay_1(cli: Cli, tmp_path: Path) -> None:
    assert cli("validate", tmp_path / "none.yaml")[0] == 1
    assert cli("run", "--frobnicate")[0] == 1
    assert cli("validate", ARTICLE)[0] == 0


def test_the_documented_limits_are_the_code_s() -> None:
    from sim.scenario import MAX_DEPTH, MAX_FILE_BYTES, MAX_NUMBER_CHARS
    from sim.sweep.design import MAX_RUNS

    guide = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in (guide, readme):
        assert f"{MAX_FILE_BYTES // 2**20} MiB" in text and f"{MAX_NODES:,} values" in text
    assert f"most {MAX_RUNS:,} runs" in guide
    assert f"at most {MAX_DEPTH} levels" in guide
    assert f"numbers of at most {MAX_NUMBER_CHARS} characters" in guide
