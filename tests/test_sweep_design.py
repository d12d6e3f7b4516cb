"""Sweep designs: parameter specs, designs, run keys and seeds, and bad specs refused up front.

Everything here runs nothing but the parser and the planner (fast); bad specs go through the
real ``greatgame sweep`` entry point and must exit 1 with one clear sentence, before any run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario import apply_overrides, validate_data
from sim.sweep import plan
from sim.sweep.design import (
    build_design,
    check_keys,
    overrides_for,
    parse_param,
    run_key,
    run_seed,
    set_paths,
    yaml_scalar,
)

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"


# --------------------------------------------------------------------------- parsing


def test_values_are_read_as_yaml_scalars() -> None:
    p = parse_param("parameters.alignment_rule=balancing,hedging")
    assert p.values == ("balancing", "hedging") and p.kind == "string"
    q = parse_param("patrons.China.budget=150,200.5,300 m CNY")
    assert q.values == (150, 200.5, "300 m CNY") and q.kind == "string"
    b = parse_param("parameters.stochastic=true,false")
    assert b.values == (True, False) and b.kind == "bool"


def test_range_excludes_its_end_and_keeps_decimals_exact() -> None:
    assert parse_param("months=range(12,37,12)").values == (12, 24, 36)
    vals = parse_param("parameters.spillover=range(0.1,0.41,0.1)").values
    assert vals == (0.1, 0.2, 0.3, 0.4)  # no 0.30000000000000004: run keys stay stable
    assert parse_param("x.y=range(3,0,-1)").values == (3, 2, 1)
    assert parse_param("x.y=range(3)".replace("range(3)", "range(0,3)")).values == (0, 1, 2)


def test_linspace_and_uniform() -> None:
    assert parse_param("a.b=linspace(0,1,5)").values == (0.0, 0.25, 0.5, 0.75, 1.0)
    u = parse_param("a.b=uniform(0.5, 2)")
    assert u.bounds == (0.5, 2.0) and u.values is None and u.continuous


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("patrons.China.budget", "expected key.path=SPEC"),
        ("a.b=range(5,1,1)", "is empty; expected a < b"),
        ("a.b=range(1,5,0)", "step is 0"),
        ("a.b=range(1,x,1)", "'x' is not a number"),
        ("a.b=uniform(2,1)", "is empty; expected lo < hi"),
        ("a.b=uniform(1)", "takes 2 numbers"),
        ("a.b=linspace(0,1,2.5)", "whole number n >= 1"),
        ("a.b=1,,2", "an empty value"),
        ("a.b=1,2,1", "repeat"),
        ("a.b=normal(0,1)", "expected range(a,b,step), linspace(a,b,n), uniform(lo,hi)"),
        ("a..b=1", "empty part"),
        ("a.b={x: 1}", "expected a number, true/false or text"),
        ("a.b=[1", "is not valid YAML"),
    ],
)
def test_bad_specs_get_one_clear_sentence(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_param(spec)


# --------------------------------------------------------------------------- designs


def test_grid_is_the_full_factorial_in_order() -> None:
    d = build_design([parse_param("a.x=1,2,3"), parse_param("a.y=p,q")], kind="grid", replicates=2)
    assert d.n_points == 6 and d.n_runs == 12
    assert d.points[0] == {"a.x": 1, "a.y": "p"} and d.points[-1] == {"a.x": 3, "a.y": "q"}
    assert len(d.unique_keys()) == 12


def test_lhs_puts_one_point_in_each_stratum_and_draws_listed_values() -> None:
    d = build_design(
        [parse_param("a.x=uniform(0,10)"), parse_param("a.y=p,q")],
        kind="lhs",
        samples=20,
        root_seed=3,
    )
    xs = sorted(p["a.x"] for p in d.points)
    assert [int(x // 0.5) for x in xs] == list(range(20))  # one point per stratum of width 0.5
    assert {p["a.y"] for p in d.points} == {"p", "q"}


def test_sobol_and_morris_sizes_and_bounds() -> None:
    params = [parse_param("a.x=uniform(0,1)"), parse_param("a.y=uniform(10,20)")]
    s = build_design(params, kind="sobol", samples=16, root_seed=1)
    assert s.n_points == 16 * (2 + 2)
    m = build_design(params, kind="morris", samples=5, levels=4, root_seed=1)
    assert m.n_points == 5 * (2 + 1)
    for d in (s, m):
        x = d.matrix()
        assert x[:, 0].min() >= 0 and x[:, 0].max() <= 1
        assert x[:, 1].min() >= 10 and x[:, 1].max() <= 20


def test_a_longer_sobol_sequence_keeps_the_points_already_run() -> None:
    params = [parse_param("a.x=uniform(0,1)"), parse_param("a.y=uniform(0,1)")]
    small = build_design(params, kind="sobol", samples=8, root_seed=5)
    large = build_design(params, kind="sobol", samples=16, root_seed=5)
    assert small.unique_keys() <= large.unique_keys()  # doubling N runs only the new half
    assert len(large.unique_keys() - small.unique_keys()) == len(small.unique_keys())


@pytest.mark.parametrize(
    ("kind", "params", "samples", "message"),
    [
        ("grid", ["a.x=uniform(0,1)"], None, "gives bounds, not values"),
        ("sobol", ["a.x=1,2,3"], 8, "needs bounds for every parameter"),
        ("morris", ["a.x=range(0,3)"], 4, "needs bounds for every parameter"),
        ("sobol", ["a.x=uniform(0,1)"], 10, "needs a power of 2"),
        ("lhs", ["a.x=uniform(0,1)"], None, "needs --samples N"),
        ("sobol", [], 8, "needs at least one parameter"),
        ("grid", ["a.x=1,2", "a.x=3"], None, "is given twice"),
        ("mesh", ["a.x=1"], None, "--design must be one of"),
    ],
)
def test_impossible_designs_are_refused(
    kind: str, params: list[str], samples: int | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        build_design([parse_param(p) for p in params], kind=kind, samples=samples)


# --------------------------------------------------------------------------- keys and seeds


def test_run_keys_depend_on_values_and_replicate_not_on_position() -> None:
    narrow = build_design([parse_param("a.x=1,2")], replicates=2)
    wide = build_design([parse_param("a.x=0,1,2,3")], replicates=3)
    assert narrow.unique_keys() <= wide.unique_keys()
    assert run_key({"a.x": 1, "a.y": "p"}, 0) == run_key({"a.y": "p", "a.x": 1}, 0)
    assert run_key({"a.x": 1}, 0) != run_key({"a.x": 1}, 1)
    assert run_key({"a.x": 1}, 0) != run_key({"a.x": 1.5}, 0)
    assert 0 <= run_key({"a.x": 1}, 0) < 2**63


def test_run_seed_is_a_seed_sequence_of_root_and_key() -> None:
    s = run_seed(7, 12345)
    assert s.entropy == 7 and s.spawn_key == (12345,)
    a = np.random.default_rng(run_seed(7, 1)).random(3)
    b = np.random.default_rng(run_seed(7, 2)).random(3)
    assert not np.array_equal(a, b)


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**12), 10**12),
        st.booleans(),
        st.text(min_size=1, max_size=20),
    )
)
def test_values_written_as_yaml_read_back_identical(value: Any) -> None:
    back = yaml.safe_load(yaml_scalar(value))
    assert back == value and type(back) is type(value)


# --------------------------------------------------------------------------- key paths


def test_key_paths_are_checked_like_set(article_raw: dict[str, Any]) -> None:
    check_keys(article_raw, [parse_param("patrons.China.budget=100,200")])
    check_keys(article_raw, [parse_param("parameters.alignment_rule=balancing")])  # schema key
    with pytest.raises(InputError, match=r"sweep parameter patrons\.China\.budgt"):
        check_keys(article_raw, [parse_param("patrons.China.budgt=1,2")])
    with pytest.raises(InputError, match="holds a mapping, not a single value"):
        check_keys(article_raw, [parse_param("patrons.China=1,2")])


@pytest.mark.parametrize(
    "params",
    [
        {"patrons.China.budget": 150, "patrons.China.attention": 0.5},
        {"patrons.China.budget": "300 m CNY", "parameters.alignment_rule": "balancing"},
        {"actors.Tajikistan.dependencies.Russia.weight": 0.2, "months": 24},
        {"borders.0.1": "Kazakhstan", "events.china_aid_kabul.to": 5},
    ],
)
def test_runs_are_built_exactly_as_set_would_build_them(
    article_raw: dict[str, Any], params: dict[str, Any]
) -> None:
    before = copy.deepcopy(article_raw)
    check_keys(article_raw, [parse_param(f"{k}={yaml_scalar(v)}") for k, v in params.items()])
    fast = validate_data(set_paths(article_raw, params))
    slow = validate_data(apply_overrides(article_raw, overrides_for(params)))
    assert fast.content_hash() == slow.content_hash()
    assert article_raw == before  # the shared base is never modified


def test_plan_counts_runs_and_what_is_done(tmp_path: Path) -> None:
    p = plan(
        ARTICLE,
        ["patrons.China.budget=100,200", "patrons.Russia.attention=0.5,1"],
        replicates=3,
        months=12,
        out=tmp_path / "res",
    )
    assert (p.n_runs, p.n_done, p.n_todo) == (12, 0, 12)
    assert not (tmp_path / "res").exists()  # planning writes nothing


# --------------------------------------------------------------------------- through the CLI


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["patrons.China.budgt=1,2"], "there is no key 'patrons.China.budgt'"),
        (["patrons.China.budget=range(5,1)"], "is empty"),
        (["patrons.China.budget=uniform(1,2)"], "a grid needs values"),
        (["patrons.China.budget=1,2", "--design", "sobol", "--samples", "8"], "needs bounds"),
        (["patrons.China.budget=uniform(1,2)", "--design", "morris"], "needs --samples N"),
        (
            ["patrons.China.budget=uniform(x,2)", "--design", "lhs", "--samples", "4"],
            "not a number",
        ),
        (["patrons.China.budget=1,2", "--record", "weekly"], "--record must be"),
        (["patrons.China.budget=1,2", "--replicates", "0"], "--replicates must be >= 1"),
        (["patrons.China.budget=1,2", "--workers", "0"], "--workers must be >= 1"),
        (["patrons.China.budget=1,2", "--dask", "--scheduler", "tcp://x:1"], "not both"),
    ],
)
def test_bad_sweeps_exit_1_with_a_clear_message_before_running(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "res"
    code, _, err = cli("sweep", ARTICLE, *args, "--out", out)
    assert code == 1, err
    assert err.startswith("error: ") and message in err, err
    assert "Traceback" not in err
    assert not out.exists()  # nothing ran, nothing was written


def test_dry_run_counts_runs_and_estimates_time(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    out = tmp_path / "res"
    code, stdout, err = cli(
        "sweep",
        ARTICLE,
        "patrons.China.budget=150,250",
        "--replicates",
        "3",
        "--months",
        "12",
        "--out",
        out,
        "--dry-run",
    )
    assert code == 0, err
    assert "runs: 6 in the design, 0 already done" in stdout
    assert "6 to run" in stdout and "estimate: about" in stdout
    assert not out.exists()
