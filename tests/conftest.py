"""Shared fixtures of the core model's tests.

* ``article`` / ``article_raw``: the article's scenario, validated once per session, and its raw
  (``extends``-resolved) data; tests deep-copy the raw data before mutating it.
* ``scenario_from``: raw data -> validated :class:`~sim.scenario.Scenario`.
* ``run_model``: a finished :class:`~sim.model.InfluenceModel` (one scenario or a list, seeds).
* ``cli``: the ``greatgame`` entry point (``sim.cli.main``) called in this process, returning
  ``(exit code, stdout, stderr)``; fast enough for dozens of bad inputs.
* ``cli_subprocess``: the installed ``greatgame`` script in a fresh process, same return value
  (a few seconds each: used sparingly, where a real process matters).
* ``write_yaml``: write raw data (or text) to a file under ``tmp_path``.

Hypothesis profiles: ``ci`` (default) is derandomized, so every run of the suite explores the same
examples and a failure reproduces; ``fuzz`` (``GREATGAME_HYPOTHESIS_PROFILE=fuzz``) draws fresh
random examples, and the scenario fuzz tests then run twenty times as many, for a long hunt.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from sim.model import InfluenceModel
from sim.scenario import Scenario, load_raw, load_scenario, validate_data

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
ARTICLE = SCENARIOS / "central_asia_2016.yaml"
VARIANTS = sorted(p for p in SCENARIOS.glob("*.yaml") if p != ARTICLE)
GREATGAME = Path(sys.executable).parent / "greatgame"

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("GREATGAME_HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


CliResult = tuple[int, str, str]


@pytest.fixture(scope="session")
def article() -> Scenario:
    """The article's scenario, validated."""
    return load_scenario(ARTICLE)


@pytest.fixture(scope="session")
def article_raw_session() -> dict[str, Any]:
    return load_raw(ARTICLE)


@pytest.fixture
def article_raw(article_raw_session: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the article's raw data (free to mutate)."""
    return copy.deepcopy(article_raw_session)


@pytest.fixture(scope="session")
def scenario_from() -> Callable[[dict[str, Any]], Scenario]:
    """Validate raw scenario data (not mutated)."""

    def make(data: dict[str, Any]) -> Scenario:
        return validate_data(copy.deepcopy(data))

    return make


@pytest.fixture(scope="session")
def run_model() -> Callable[..., InfluenceModel]:
    """Build and run an :class:`InfluenceModel` to its end."""

    def run(
        scenario: Scenario | Sequence[Scenario],
        seeds: int | Sequence[int],
        *,
        months: int | None = None,
        record: str = "monthly",
    ) -> InfluenceModel:
        model = InfluenceModel(scenario, seeds=seeds, months=months, record=record)
        model.run()
        return model

    return run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Call ``greatgame`` (``sim.cli.main``) in this process: ``(exit code, stdout, stderr)``."""
    from sim.cli import main

    def call(*args: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture(scope="session")
def cli_subprocess() -> Callable[..., CliResult]:
    """The installed ``greatgame`` script in a fresh process: ``(exit code, stdout, stderr)``."""

    def call(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> CliResult:
        exe = str(GREATGAME) if GREATGAME.exists() else None
        cmd = [exe] if exe else [sys.executable, "-m", "sim.cli"]
        proc = subprocess.run(
            [*cmd, *(str(a) for a in args)],
            capture_output=True,
            text=True,
            cwd=cwd or ROOT,
            timeout=timeout,
            env={**os.environ, "COLUMNS": "200", "MPLBACKEND": "Agg"},
            check=False,
        )
        return proc.returncode, proc.stdout, proc.stderr

    return call


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write raw data (dumped as YAML, key order kept) or text to ``tmp_path / name``."""

    def write(content: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def report_results() -> list[Any]:
    """The article and every variant beside it, over the docs' 50 seeds (sim.report.DOC_SEEDS)."""
    from sim.report import DOC_SEEDS, run_variants

    return run_variants(seeds=DOC_SEEDS)


@pytest.fixture(scope="session")
def report_findings(report_results: list[Any]) -> Any:
    """Checks, claims, attribution, response curves, pledge and noise of ``report_results``."""
    from sim.report import gather

    return gather(report_results)
