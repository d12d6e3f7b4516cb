"""Every command of the README runs as written, so the README cannot rot.

The shell and Python blocks run in README order, in one temporary directory (not the
checkout), with the environment's ``bin/`` first on the PATH, as a user who activated it would
run them: shell blocks with ``bash -e -o pipefail``, Python blocks one after another in one
namespace (a later block may use an earlier one's variables). A block preceded by
``<!-- readme-test: skip (reason) -->`` is not run; each such block is reported as a skipped
test with its reason. YAML blocks that are whole scenarios (a top-level ``name``) are validated.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SKIP = re.compile(r"^<!--\s*readme-test:\s*skip\s*\((?P<reason>.+)\)\s*-->\s*$")
FENCE = re.compile(r"^```(?P<lang>[A-Za-z]*)\s*$")
SHELL = {"bash", "sh", "shell", "console"}

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Block:
    """A fenced block of the README: its language, first line of code, text and skip reason."""

    lang: str
    line: int
    source: str
    skip: str | None

    @property
    def kind(self) -> str:
        if self.lang in SHELL:
            return "shell"
        return self.lang


def blocks(text: str) -> list[Block]:
    """The README's fenced blocks, with the skip marker on the line just before each fence."""
    lines = text.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group("lang"):
            i += 1
            continue
        skip = SKIP.match(lines[i - 1]) if i > 0 else None
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if j == len(lines):
            raise AssertionError(f"README.md, line {i + 1}: a ``` block that never ends")
        out.append(
            Block(m.group("lang"), i + 2, "\n".join(lines[i + 1 : j]) + "\n",
                  skip.group("reason").strip() if skip else None)
        )  # fmt: skip
        i = j + 1
    return out


ALL = blocks(README.read_text(encoding="utf-8"))
RUN = [b for b in ALL if b.kind in ("shell", "python") and b.skip is None]
SKIPPED = [b for b in ALL if b.skip is not None]

# runs the blocks in order: shell through bash, Python in one shared namespace, with README
# line numbers in tracebacks (the source is padded with blank lines up to its first line)
DRIVER = r"""
import json, subprocess, sys, traceback
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for b in blocks:
    print(f"===== README.md, line {b['line']} ({b['kind']})", flush=True)
    if b["kind"] == "shell":
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", b["source"]])
        if proc.returncode:
            print(f"README.md, line {b['line']}: the shell block exited with {proc.returncode}")
            sys.exit(1)
    else:
        code = compile("\n" * (b["line"] - 1) + b["source"], "README.md", "exec")
        try:
            exec(code, namespace)
        except BaseException:
            traceback.print_exc()
            print(f"README.md, line {b['line']}: the Python block raised")
            sys.exit(1)
print("===== all blocks ran", flush=True)
"""


def test_the_readme_has_blocks_and_every_skip_gives_a_reason() -> None:
    kinds = [b.kind for b in RUN]
    assert kinds.count("shell") >= 5 and kinds.count("python") >= 4
    text = README.read_text(encoding="utf-8")
    markers = [ln for ln in text.splitlines() if "readme-test" in ln]
    assert len(markers) == len(SKIPPED)  # every marker is well-formed and sits on a block
    for b in SKIPPED:
        assert len(b.skip or "") > 10, f"README.md, line {b.line}: give a real reason to skip"
    assert len(SKIPPED) <= 4, "only the few long or environment-bound blocks may be skipped"


@pytest.mark.parametrize("block", SKIPPED, ids=[f"line{b.line}" for b in SKIPPED])
def test_skipped_readme_block(block: Block) -> None:
    """Reports each skipped block with its reason (shown in the test summary)."""
    pytest.skip(f"README.md, line {block.line}: {block.skip}")


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    work = tmp_path / "user"
    work.mkdir()
    (tmp_path / "blocks.json").write_text(
        json.dumps([{"kind": b.kind, "line": b.line, "source": b.source} for b in RUN])
    )
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        MPLBACKEND="Agg",
        COLUMNS="120",
        VIRTUAL_ENV=str(Path(sys.executable).parent.parent),
    )
    proc = subprocess.run(
        [sys.executable, tmp_path / "driver.py", tmp_path / "blocks.json"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "===== all blocks ran" in proc.stdout
    assert "Traceback" not in output
    # what the commands promise is there
    assert (work / "out" / "russia_refocuses" / "summary.json").is_file()
    assert (work / "out" / "my_run" / "timeseries.parquet").is_file()
    assert sorted(p.name for p in (work / "my_landscape").iterdir()) == [
        "README.md", "actors.csv", "propensity.csv",
    ]  # fmt: skip
    assert (work / "out" / "report" / "report.md").is_file()
    assert not (ROOT / "my_scenarios").exists()  # nothing was written into the checkout


def test_the_readme_scenario_is_valid(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    scenarios = [b for b in ALL if b.lang == "yaml" and "name" in (yaml.safe_load(b.source) or {})]
    assert scenarios, "the README shows a whole scenario"
    for b in scenarios:
        path = tmp_path / "my_region.yaml"
        path.write_text(b.source)
        code, out, err = cli("validate", path)
        assert code == 0, f"README.md, line {b.line}: {err}"
        assert "valid scenario" in out
