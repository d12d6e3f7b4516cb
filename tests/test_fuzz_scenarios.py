"""Fuzzing scenario files: every mutation of the article validates and runs, or is refused.

Hypothesis mutates the article's data (drops keys, swaps types, pushes numbers out of range,
renames actors, replaces values with random YAML scalars, lists and mappings, adds unknown
keys), writes it as a YAML file and loads it the way the CLI does. Each mutation must either
validate AND run a short simulation (with frames and summary) without an exception, or raise
:class:`~sim.errors.InputError`: never another exception.

Set ``GREATGAME_HYPOTHESIS_PROFILE=fuzz`` for a long randomized hunt (see ``conftest.py``).
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, note, settings
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


OPS = ["drop", "replace", "swap_type", "out_of_range", "rename", "add_key", "rescale", "rescale"]


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
        else:
            parent = value if isinstance(value, dict) else get(data, path[:-1])
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(["colour", "extends", "noise", "", "1"]))] = draw(
                    scalars
                )
        log.append(f"{op} at {path}")
    return data, log


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


def load_or_refuse(path: Path, overrides: Sequence[str] = ()) -> InfluenceModel | None:
    """Load the file; if it is valid, run six months, check the influence is a share (P1), and
    read every output."""
    try:
        sc = load_scenario(path, overrides=list(overrides))
    except InputError as e:
        assert str(e).strip() and "\n" not in str(e), "one sentence"
        return None
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
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="fuzz_")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.dump(data, f, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
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


@settings(max_examples=40 * SCALE)
@given(mutations())
def test_mutated_data_refused_or_valid_in_memory_too(
    mutated: tuple[dict[str, Any], list[str]],
) -> None:
    """``validate_data`` (the API's path: no file, no line numbers) behaves the same."""
    data, _ = mutated
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
