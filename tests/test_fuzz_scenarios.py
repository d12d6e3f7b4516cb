"""Fuzzing scenario files: every mutation of the article validates and runs, or is refused.

Hypothesis mutates the article's data (drops keys, swaps types, pushes numbers out of range,
renames actors, replaces values with random YAML scalars, lists and mappings, adds unknown
keys; and the hostile ones: aliases to other values, recursive aliases, alias bombs, integers
of up to 6,000 digits, raw control characters), writes it as a YAML file and loads it the way
the CLI does. Each mutation must either validate AND run a short simulation (with frames and
summary) without an exception, or raise :class:`~sim.errors.InputError` with one line, in
bounded time: never another exception. Special files (FIFOs, devices, directories, symlink
loops, huge sparse files) given as the scenario path are refused at once.

Set ``GREATGAME_HYPOTHESIS_PROFILE=fuzz`` for a long randomized hunt (see ``conftest.py``).
"""

from __future__ import annotations

import copy
import math
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.model import InfluenceModel
from sim.scenario import apply_overrides, load_raw, load_scenario, validate_data

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"
RAW = load_raw(ARTICLE)
DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: the same YAML, faster
SCALE = 20 if os.environ.get("GREATGAME_HYPOTHESIS_PROFILE") == "fuzz" else 1

Path_ = tuple[Any, ...]


def all_paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every key path in the data (containers and leaves), the root excluded."""
    out: list[Path_] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(all_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out.extend(all_paths(v, (*prefix, i)))
    return out


PATHS = all_paths(RAW)
ACTORS = list(RAW["actors"])


def get(data: Any, path: Path_) -> Any:
    for p in path:
        data = data[p]
    return data


def put(data: Any, path: Path_, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


def drop(data: Any, path: Path_) -> None:
    parent = get(data, path[:-1])
    del parent[path[-1]]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "300 m CNY",
            "5 EUR",
            "-5 m USD",
            "1e400 m USD",
            "0 USD",
            "nan USD",
            "12 bn RUB",
            "China",
            "Atlantis",
            "",
            "2016-13",
            "hedging",
            "adaptive",
            "security",
            "aid",
            "join",
        ]
    ),
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(ACTORS)), children, max_size=4
        ),
    ),
    max_leaves=8,
)


def out_of_range(value: Any) -> list[Any]:
    """Values of the same kind pushed past any sensible range."""
    if isinstance(value, bool):
        return [not value, 0, "yes please"]
    if isinstance(value, int | float):
        return [-value - 1, 0, -1e-300, 1e308, -1e308, math.inf, -math.inf, math.nan, 10**30, 0.5]
    if isinstance(value, str):
        return ["-" + value, value * 3, value.upper(), "1e400 m USD", "-0.5", value + " EUR"]
    if isinstance(value, list):
        return [[], value * 2, value[:1], [value]]
    if isinstance(value, dict):
        return [{}, dict(list(value.items())[:1]), {"unknown_key": 1, **value}]
    return [None]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


OPS = [
    "drop",
    "replace",
    "swap_type",
    "out_of_range",
    "rename",
    "add_key",
    "rescale",
    "rescale",
    "alias",
    "recursive_alias",
    "alias_bomb",
    "huge_int",
    "control_char",
]
#: Placeholders the writer turns into raw text no YAML dumper would write.
HUGE = "__HUGE_INT_{}__"
CTRL = "__CTRL_CHAR_{}__"
CONTROL_CHARS = [0, 1, 7, 8, 11, 12, 27, 127, 0x85, 0xFFFE]


def bomb(width: int, depth: int) -> list[Any]:
    """``width ** (depth + 1)`` values once expanded, a few hundred bytes as YAML aliases."""
    node: list[Any] = ["x"] * width
    for _ in range(depth):
        node = [node] * width  # the same list object each time: the dumper writes aliases
    return node


@st.composite
def mutations(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """The article's data with one to three mutations, and a description of each."""
    data = copy.deepcopy(RAW)
    log: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        paths = all_paths(data)
        if not paths:
            break
        op = draw(st.sampled_from(OPS))
        if op == "rescale":  # a number scaled: mostly still valid, so it stresses the model
            paths = [p for p in paths if _is_number(get(data, p))] or paths
        path = draw(st.sampled_from(paths))
        value = get(data, path)
        if op == "drop":
            drop(data, path)
        elif op == "replace":
            put(data, path, draw(yaml_values))
        elif op == "swap_type":
            swapped: list[Any] = [str(value), [value], {"value": value}, None]
            if isinstance(value, str):
                swapped += [len(value), 1.5]
            put(data, path, draw(st.sampled_from(swapped)))
        elif op == "rescale":
            if _is_number(value):
                put(data, path, value * draw(st.sampled_from([0, 1e-6, 0.5, 2, 10, 1000])))
        elif op == "out_of_range":
            put(data, path, draw(st.sampled_from(out_of_range(value))))
        elif op == "rename":
            old = draw(st.sampled_from(ACTORS))
            new = draw(st.sampled_from(["Atlantis", "china", "", "Russia", old + " "]))
            everywhere = draw(st.booleans())
            data = rename(data, old, new, everywhere=everywhere)
            path = ("actors", old, "->", new, "everywhere" if everywhere else "actors only")
        elif op == "alias":  # the same object at two places: an anchor and an alias
            other = draw(st.sampled_from(paths))
            if other[: len(path)] != path:  # not into its own subtree (that is recursive_alias)
                put(data, path, get(data, other))
                path = (*path, "=", *other)
        elif op == "recursive_alias":  # a container holding itself: `b: &b [*b]`
            node = get(data, path) if isinstance(value, list | dict) else [value]
            if isinstance(node, list):
                node.append(node)
            else:
                node["self"] = node
            put(data, path, node)
        elif op == "alias_bomb":
            width, depth = draw(st.integers(2, 9)), draw(st.integers(1, 9))
            put(data, path, bomb(width, depth))
            path = (*path, f"bomb {width}^{depth + 1}")
        elif op == "huge_int":
            digits = draw(st.sampled_from([19, 20, 64, 65, 309, 400, 4300, 4301, 6000]))
            put(data, path, HUGE.format(digits))
            path = (*path, f"{digits} digits")
        elif op == "control_char":
            code = draw(st.sampled_from(CONTROL_CHARS))
            text = value if isinstance(value, str) else str(value)
            put(data, path, text + CTRL.format(code))
            path = (*path, f"U+{code:04X}")
        else:
            parent = value if isinstance(value, dict) else get(data, path[:-1])
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(["colour", "extends", "noise", "", "1"]))] = draw(
                    scalars
                )
        log.append(f"{op} at {path}")
        if hostile(log):  # shared or self-containing objects: walking the data again would
            break  # expand them (the harness's own alias bomb); it is the last mutation
    return data, log


def hostile(log: Sequence[str]) -> bool:
    """True if a mutation shares objects (aliases): not data a Python caller would build."""
    return any(line.startswith(("alias", "recursive_alias", "alias_bomb")) for line in log)


def rename(data: dict[str, Any], old: str, new: str, *, everywhere: bool) -> dict[str, Any]:
    """Rename an actor: in the actors mapping only, or in every key and string."""
    if not everywhere:
        actors = data.get("actors")
        if isinstance(actors, dict) and old in actors:
            data["actors"] = {(new if k == old else k): v for k, v in actors.items()}
        return data

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {(new if k == old else k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if node == old:
            return new
        if isinstance(node, str) and node.startswith(f"patrons.{old}."):
            return node.replace(f"patrons.{old}.", f"patrons.{new}.", 1)
        return node

    result: dict[str, Any] = walk(data)
    return result


class Hang(Exception):
    """Loading took longer than any input may make it take."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang("loading took more than 20 s: unbounded work on a hostile input")


def load_or_refuse(path: Path, overrides: Sequence[str] = ()) -> InfluenceModel | None:
    """Load the file (in bounded time); if it is valid, run six months, check the influence is
    a share (P1), and read every output."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    t0 = time.perf_counter()
    try:
        sc = load_scenario(path, overrides=list(overrides))
    except InputError as e:
        assert str(e).strip() and "\n" not in str(e), "one sentence"
        assert len(str(e)) < 1000, f"a message of {len(str(e))} characters"
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - t0 < 20
    model = InfluenceModel(sc, seeds=0, months=min(6, sc.months))
    model.run()
    rec = model.records
    influence = rec.influence[: rec.n_recorded]
    assert np.isfinite(influence).all() and np.isfinite(rec.threat[: rec.n_recorded]).all()
    assert (influence >= 0).all() and (influence.sum(axis=2) <= 1 + 1e-12).all()
    model.records.influence_frame()
    model.records.states_frame()
    model.records.membership_frame()
    model.records.summaries()
    return model


def write(data: Any) -> Path:
    text = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
    text = re.sub(r"__HUGE_INT_(\d+)__", lambda m: "9" * int(m[1]), text)
    text = re.sub(r"__CTRL_CHAR_(\d+)__", lambda m: chr(int(m[1])), text)
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="fuzz_")
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write(text)
    return Path(name)


@settings(max_examples=250 * SCALE)
@given(mutations())
def test_every_mutation_validates_and_runs_or_is_refused(
    mutated: tuple[dict[str, Any], list[str]],
) -> None:
    data, log = mutated
    for line in log:
        note(line)
    path = write(data)
    try:
        load_or_refuse(path)
    finally:
        path.unlink()


@settings(max_examples=60 * SCALE)
@given(path=st.sampled_from(PATHS), value=yaml_values)
def test_every_override_validates_and_runs_or_is_refused(path: Path_, value: Any) -> None:
    """``--set key.path=value`` with random YAML values at every path of the article."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    text = text.removesuffix("...").strip()
    override = ".".join(str(p) for p in path) + "=" + text
    note(override)
    load_or_refuse(ARTICLE, [override])


def flow_bomb(width: int, depth: int) -> str:
    parts = ["&a0 [" + ",".join(["x"] * width) + "]"]
    parts += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth + 1)]
    return "[" + ", ".join(parts) + "]"


hostile_texts = st.one_of(
    st.builds(flow_bomb, st.integers(2, 9), st.integers(1, 9)),
    st.sampled_from(["&b [*b]", "&m {k: *m}", "[&a [1], *a, *a]", "{a: &x 1, b: *x}"]),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 300).map(lambda n: "[" * n + "]" * n),
    st.builds(
        lambda text, code, at: text[:at] + chr(code) + text[at:],
        st.sampled_from(["China", "300 m CNY", "0.5", "hedging"]),
        st.sampled_from(CONTROL_CHARS),
        st.integers(0, 5),
    ),
)


@settings(max_examples=60 * SCALE)
@given(path=st.sampled_from(PATHS), text=hostile_texts)
def test_hostile_override_values_are_refused_or_run(path: Path_, text: str) -> None:
    """``--set key.path=VALUE`` with alias bombs, recursive aliases, endless numbers, deep
    nesting and control characters: refused with one line in bounded time, or valid."""
    override = ".".join(str(p) for p in path) + "=" + text
    note(repr(override[:200]))
    load_or_refuse(ARTICLE, [override])


SPECIAL = ["fifo", "dev_zero", "dev_null", "dir", "loop", "dangling", "sparse", "empty", "binary"]


@settings(max_examples=len(SPECIAL) * 2 * SCALE)
@given(kind=st.sampled_from(SPECIAL), via_extends=st.booleans())
def test_special_files_are_refused_at_once(kind: str, via_extends: bool) -> None:
    """Special files as the scenario path, or as the base a variant extends."""
    root = Path(tempfile.mkdtemp(prefix="fuzz_special_"))
    try:
        target = root / "target.yaml"
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "dev_zero":
            os.symlink("/dev/zero", target)
        elif kind == "dev_null":
            os.symlink("/dev/null", target)
        elif kind == "dir":
            target.mkdir()
        elif kind == "loop":
            os.symlink(root / "other.yaml", target)
            os.symlink(target, root / "other.yaml")
        elif kind == "dangling":
            os.symlink(root / "nowhere.yaml", target)
        elif kind == "sparse":
            with open(target, "wb") as f:
                f.truncate(2**30)
        elif kind == "empty":
            target.touch()
        else:
            target.write_bytes(bytes(range(256)) * 64)
        path = target
        if via_extends:
            path = root / "variant.yaml"
            path.write_text("name: variant\nextends: target.yaml\n")
        t0 = time.perf_counter()
        assert load_or_refuse(path) is None, kind
        assert time.perf_counter() - t0 < 5, kind
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=40 * SCALE)
@given(mutations())
def test_mutated_data_refused_or_valid_in_memory_too(
    mutated: tuple[dict[str, Any], list[str]],
) -> None:
    """``validate_data`` (the API's path: no file, no line numbers) behaves the same."""
    data, log = mutated
    # shared and self-containing objects come from YAML aliases, not from a Python caller
    assume(not hostile(log))
    try:
        sc = validate_data(copy.deepcopy(data))
    except InputError:
        return
    again = apply_overrides(copy.deepcopy(data), [f"months={min(sc.months, 4)}"])
    model = InfluenceModel(validate_data(again), seeds=[1, 2])
    model.run()
    assert model.records.n_recorded == min(sc.months, 4)


# --------------------------------------------------------------------------- through the CLI

CLI_CASES: list[tuple[Any, ...]] = [
    ("drop", ("actors", "Tajikistan")),
    ("drop", ("patrons", "Russia")),
    ("drop", ("blocs", "QCCM", "leaders")),
    ("replace", ("borders",), {"China": "Russia"}),
    ("replace", ("actors", "Afghanistan", "location"), [91, 0]),
    ("replace", ("parameters", "half_life"), 0),
    ("replace", ("events", "china_aid_kabul", "to"), 500),
    ("replace", ("patrons", "China", "allocation"), {}),
    ("replace", ("actors", "China", "population"), "1.4 bn"),
    ("replace", ("rates",), {"USD": 1.0}),
    ("replace", ("patrons", "China", "value", "Afghanistan"), -2),
    ("replace", ("blocs", "CSTO", "rivals"), ["CSTO"]),
    ("replace", ("months",), 3),
    ("replace", ("patrons", "China", "stocks"), {}),
    ("replace", ("parameters", "decisiveness"), 50),
]


@pytest.fixture(scope="module")
def cli_case_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("cli_fuzz")
    files = []
    for i, (op, path, *value) in enumerate(CLI_CASES):
        assert isinstance(path, tuple)
        data = copy.deepcopy(RAW)
        if op == "drop":
            drop(data, path)
        else:
            put(data, path, value[0])
        f = root / f"case_{i}.yaml"
        f.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        files.append(f)
    return files


@pytest.mark.parametrize("index", range(len(CLI_CASES)), ids=[str(c[1]) for c in CLI_CASES])
def test_cli_exits_0_or_1_without_a_traceback(
    index: int,
    cli_case_files: list[Path],
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
) -> None:
    """`greatgame validate` and `greatgame run` on mutated files: exit 0 or 1, one clean line."""
    path = cli_case_files[index]
    for args in (
        ("validate", path),
        ("run", path, "--months", "4", "--out", tmp_path / "out", "--no-figures"),
    ):
        code, out, err = cli(*args)
        assert code in (0, 1), (args, code, err)
        assert "Traceback" not in err + out
        if code == 1:
            lines = [line for line in err.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), err
            assert str(path) in lines[0], "the message names the file"
        else:
            assert not err.strip() or "wrote" in err
