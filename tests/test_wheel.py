"""The built wheel works outside the checkout.

Builds the wheel from a copy of the sources, installs it (without dependencies) into a fresh
virtual environment in a temporary directory, and runs the installed ``greatgame`` and
``sim.run`` from another temporary directory. The fresh environment borrows the project
environment's third-party packages through a plain path entry, never its editable install of
greatgame (a path entry does not run the ``.pth`` hook that makes the checkout importable), and
every check first asserts that ``sim`` was imported from the fresh environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from sim import resources

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(
    cmd: list[str | Path], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


class Installed:
    """A fresh virtual environment with the wheel installed."""

    def __init__(self, wheel: Path, venv: Path, work: Path) -> None:
        self.wheel, self.venv, self.work = wheel, venv, work
        self.python = venv / "bin" / "python"
        self.greatgame = venv / "bin" / "greatgame"

    def cli(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return _run([self.greatgame, *args], cwd=self.work)

    def py(self, code: str) -> subprocess.CompletedProcess[str]:
        return _run([self.python, "-c", code], cwd=self.work)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    # build from a clean copy: no stale build/ directory, nothing but the sources
    src = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("sim", "scenarios"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    dist = base / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", dist, src],
        cwd=base,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("greatgame-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    assert made.returncode == 0, made.stderr
    inst = _run(
        [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
         "--no-deps", "--no-index", "--disable-pip-version-check", wheel],
        cwd=base,
    )  # fmt: skip
    assert inst.returncode == 0, inst.stderr[-3000:]
    # the project's third-party packages (mesa, numpy, ...), as a plain path entry
    site = Path(_run([venv / "bin" / "python", "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=base).stdout.strip())  # fmt: skip
    (site / "_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = base / "work"
    work.mkdir()
    return Installed(wheel, venv, work)


def test_wheel_holds_every_module_and_shipped_file(installed: Installed) -> None:
    """Nothing of the package is left behind: modules, scenarios, facts, examples."""
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "sim").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    expected |= {f"sim/scenarios/{p.name}" for p in (ROOT / "scenarios").iterdir() if p.is_file()}
    assert expected - names == set()
    assert "sim/data/central_asia_facts.csv" in names
    assert not any(n.startswith("scenarios/") for n in names)  # no stray top-level package


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    r = installed.py(
        "import sim, sim.scenarios, json; from sim import resources; print(json.dumps("
        "[sim.__file__, str(resources.default_scenario()), str(resources.facts_path())]))"
    )
    assert r.returncode == 0, r.stderr
    files = [Path(p) for p in json.loads(r.stdout)]
    for f in files:
        assert f.is_relative_to(installed.venv), f
        assert f.is_file()
        assert not f.is_relative_to(ROOT)


def test_greatgame_run_from_the_wheel(installed: Installed) -> None:
    """`greatgame run` with no scenario: the shipped article's, from any directory."""
    r = installed.cli("run", "--seed", "1", "--months", "12", "--out", "demo")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    summary = json.loads((installed.work / "demo" / "summary.json").read_text())
    assert summary["scenario"] == "central_asia_2016" and summary["months"] == 12
    for name in ("timeseries.parquet", "states.csv", "influence.png", "map.png"):
        assert (installed.work / "demo" / name).is_file(), name
    assert "Tajikistan" in r.stdout


def test_shipped_scenarios_listed_copied_and_run_by_name(installed: Installed) -> None:
    listed = installed.cli("scenarios")
    assert listed.returncode == 0, listed.stderr
    names = [p.stem for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    for name in names:
        assert name in listed.stdout
    assert "Russia joins the China-led Quartet" in listed.stdout  # its description
    by_name = installed.cli("run", "russia_joins_quartet", "--months", "3", "--out", "joins",
                            "--no-figures")  # fmt: skip
    assert by_name.returncode == 0, by_name.stderr
    assert json.loads((installed.work / "joins" / "summary.json").read_text())["scenario"] == (
        "russia_joins_quartet"
    )
    copied = installed.cli("scenarios", "--copy", "mine")
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.stem for p in (installed.work / "mine").glob("*.yaml")) == sorted(names)
    # the copy of a variant extends the copy of the article: an edit to the copy counts
    article = installed.work / "mine" / "central_asia_2016.yaml"
    article.write_text(article.read_text().replace("months: 120", "months: 5", 1))
    variant = installed.cli("validate", "mine/no_chinese_aid.yaml")
    assert variant.returncode == 0, variant.stderr
    assert "5 months" in variant.stdout
    again = installed.cli("scenarios", "--copy", "mine")
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and again.stderr.count("\n") == 1
    assert "already exist" in again.stderr and "Traceback" not in again.stderr
    assert "months: 5" in article.read_text()  # the user's edit survived


def test_greatgame_landscape_on_the_shipped_example(installed: Installed) -> None:
    r = installed.cli("landscape", "--example", "central_asia_2016", "--center", "1", "--json")
    assert r.returncode == 0, r.stderr
    minima = json.loads(r.stdout)["minima"]
    splits = [{frozenset(c) for c in m["camps"]} for m in minima]
    article = {
        frozenset({"China", "Tajikistan", "Afghanistan", "Pakistan"}),
        frozenset({"Russia", "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Turkmenistan"}),
    }
    assert article in splits  # the article's China-Quartet vs Russia-CSTO split is stable
    copied = installed.cli("landscape", "--example", "central_asia_2016", "--copy", "ls")
    assert copied.returncode == 0, copied.stderr
    same = installed.cli("landscape", "ls/actors.csv", "ls/propensity.csv", "--center", "1",
                         "--json")  # fmt: skip
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == json.loads(r.stdout)


def test_python_api_from_the_wheel(installed: Installed) -> None:
    """sim.run(), the report's variants, the facts table: all found in the installed package."""
    code = (
        "import json, sim\n"
        "from sim import resources\n"
        "from sim.report import discover_variants\n"
        "r = sim.run(seed=1, months=6)\n"
        "facts = resources.facts()\n"
        "print(json.dumps({'file': sim.__file__, 'scenario': r.summary['scenario'],\n"
        "  'rows': len(r.influence), 'variants': [p.name for p in discover_variants()],\n"
        "  'confidence': sorted(set(facts['confidence'])),\n"
        "  'joins': sim.run('russia_joins_quartet', seed=1, months=2).summary['scenario']}))\n"
    )
    r = installed.py(code)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert Path(got["file"]).is_relative_to(installed.venv)
    assert got["scenario"] == "central_asia_2016" and got["rows"] > 0
    assert got["variants"] == [p.name for p in resources.shipped_scenarios()]
    assert got["confidence"] == ["high", "low", "medium", "none"]
    assert got["joins"] == "russia_joins_quartet"
