"""Files shipped with greatgame: the scenarios, the facts table and example data.

They are package data, read through :mod:`importlib.resources`, so they are found the
same way from a checkout (``make``'s editable install) and from an installed wheel:

* the scenarios: the repository's ``scenarios/`` directory, installed as the
  subpackage ``sim.scenarios`` (see ``package-dir`` in pyproject.toml);
* ``sim/data/central_asia_facts.csv``: the sourced figures behind the article's
  scenario, each with its source and a confidence level;
* ``sim/data/landscape/NAME/``: example inputs of ``greatgame landscape``.

Example:
    >>> from sim import resources
    >>> [p.name for p in resources.shipped_scenarios()][:1]
    ['central_asia_2016.yaml']
    >>> resources.find_scenario("russia_joins_quartet").name
    'russia_joins_quartet.yaml'
"""

from __future__ import annotations

import atexit
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

SCENARIOS_PACKAGE = "sim.scenarios"
DEFAULT_SCENARIO = "central_asia_2016.yaml"
FACTS_FILE = "central_asia_facts.csv"
#: The files of a landscape example, in the order ``greatgame landscape`` takes them.
LANDSCAPE_FILES = ("actors.csv", "propensity.csv")

_extracted = ExitStack()  # resources unpacked from a zip import, removed at exit
atexit.register(_extracted.close)


def _real_path(item: Traversable) -> Path:
    """A directory or file on disk for a resource (unpacked once if the package is zipped)."""
    if isinstance(item, Path):
        return item
    return Path(_extracted.enter_context(resources.as_file(item)))  # pragma: no cover


@cache
def scenarios_dir() -> Path:
    """The directory of the shipped scenarios (``extends`` resolves inside it)."""
    return _real_path(resources.files(SCENARIOS_PACKAGE))


@cache
def data_dir() -> Path:
    """The directory of the shipped data files (``sim/data``)."""
    return _real_path(resources.files("sim") / "data")


def shipped_scenarios() -> list[Path]:
    """The shipped scenario files: the article's first, then the variants by name."""
    files = sorted(scenarios_dir().glob("*.yaml"))
    return sorted(files, key=lambda p: (p.name != DEFAULT_SCENARIO, p.name))


def default_scenario() -> Path:
    """The article's scenario, ``central_asia_2016.yaml``, as shipped."""
    return scenarios_dir() / DEFAULT_SCENARIO


def shipped_scenario(name: str) -> Path | None:
    """The shipped scenario called ``name`` (with or without ``.yaml``), or None."""
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    if not stem or "/" in stem or "\\" in stem:
        return None
    path = scenarios_dir() / f"{stem}.yaml"
    return path if path.is_file() else None


def find_scenario(path: str | Path, *, relative_to: Path | None = None) -> Path:
    """A scenario file: ``path`` itself if it exists, else the shipped scenario of that name.

    A bare name (``russia_joins_quartet`` or ``russia_joins_quartet.yaml``) that is not
    a file in the current directory names a shipped scenario, so commands and notebooks
    run the same anywhere. Anything else is returned unchanged (its loader reports a
    missing file). ``relative_to``: a directory a relative path is also looked up in
    (a patterns file's own folder).
    """
    p = Path(path)
    if relative_to is not None and not p.is_absolute() and (relative_to / p).exists():
        return relative_to / p
    if p.exists() or len(p.parts) != 1:
        return p
    return shipped_scenario(p.name) or p


PATTERNS_PREFIX = "patterns_"


def shipped_patterns() -> list[Path]:
    """The shipped patterns files (``sim/data/patterns_<name>.yaml``)."""
    return sorted(data_dir().glob(f"{PATTERNS_PREFIX}*.yaml"))


def find_patterns(path: str | Path) -> Path:
    """A patterns file: ``path`` itself if it exists, else the shipped one of that name.

    ``central_asia`` (or ``patterns_central_asia.yaml``) names the shipped file.

    Raises:
        InputError: neither a file nor a shipped name (one sentence, with the names).
    """
    p = Path(path)
    if p.is_file():
        return p
    if len(p.parts) == 1:
        stem = p.stem.removeprefix(PATTERNS_PREFIX)
        for f in shipped_patterns():
            if f.stem.removeprefix(PATTERNS_PREFIX) == stem:
                return f
    names = [f.stem.removeprefix(PATTERNS_PREFIX) for f in shipped_patterns()]
    raise InputError(
        f"{path}: no such patterns file; expected a path to a .yaml file or a shipped "
        f"name ({', '.join(names) or 'none'})"
    )


def find_posterior(path: str | Path) -> Path:
    """A posterior file: ``path`` itself if it exists, else the shipped one of that name.

    ``central_asia`` names ``sim/data/posterior_central_asia.parquet``, the posterior the
    shipped scenario's calibrated values come from.

    Raises:
        InputError: neither a file nor a shipped name (one sentence).
    """
    p = Path(path)
    if p.is_file():
        return p
    if len(p.parts) == 1:
        shipped = data_dir() / f"posterior_{p.stem.removeprefix('posterior_')}.parquet"
        if shipped.is_file():
            return shipped
    raise InputError(
        f"{path}: no such posterior file; expected the posterior.parquet a calibration wrote "
        "(greatgame calibrate), or a shipped name (central_asia)"
    )


def shipped_names() -> list[str]:
    """The names of the shipped scenarios (file stems), the article's first."""
    return [p.stem for p in shipped_scenarios()]


def copy_files(files: list[Path], dest: str | Path, *, what: str) -> list[Path]:
    """Copy ``files`` into ``dest`` (created if missing), refusing to overwrite anything.

    Nothing is copied when any target exists already.

    Raises:
        InputError: ``dest`` is a file, or one of the targets exists.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise InputError(f"--copy {dest} is a file; expected a directory (created if missing)")
    clash = [dest / f.name for f in files if (dest / f.name).exists()]
    if clash:
        names = ", ".join(p.name for p in clash)
        raise InputError(
            f"--copy {dest}: {names} already exist{'s' if len(clash) == 1 else ''} there; "
            f"expected a directory without them (nothing was copied, so your {what} are "
            "untouched; choose another directory or move them away)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        target = dest / f.name
        shutil.copyfile(f, target)
        out.append(target)
    return out


def copy_scenarios(dest: str | Path) -> list[Path]:
    """Write editable copies of every shipped scenario into ``dest``.

    The copies keep their ``extends`` lines, which name files beside them, so the
    variants derive from the copy of the article's scenario.

    Raises:
        InputError: ``dest`` is a file, or a scenario file of that name exists there.
    """
    return copy_files(shipped_scenarios(), dest, what="files")


def facts_path() -> Path:
    """The facts table: every sourced figure of the article's scenario, with its confidence."""
    return data_dir() / FACTS_FILE


def facts() -> pd.DataFrame:
    """The facts table as a DataFrame: subject, indicator, year, value, unit, source,
    confidence (high, medium, low, none), note."""
    import pandas as pd

    return pd.read_csv(facts_path(), dtype={"value": str, "note": str}, keep_default_na=False)


@dataclass(frozen=True)
class LandscapeExample:
    """A shipped input of ``greatgame landscape``: two CSV files and a README with sources."""

    name: str
    directory: Path

    @property
    def actors(self) -> Path:
        return self.directory / LANDSCAPE_FILES[0]

    @property
    def propensity(self) -> Path:
        return self.directory / LANDSCAPE_FILES[1]

    @property
    def readme(self) -> Path:
        return self.directory / "README.md"

    @property
    def title(self) -> str:
        """The README's first heading."""
        for line in self.readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        return self.name

    def files(self) -> list[Path]:
        return [self.actors, self.propensity, self.readme]


def landscape_examples() -> list[LandscapeExample]:
    """The shipped landscape examples, by name."""
    root = data_dir() / "landscape"
    return [
        LandscapeExample(d.name, d)
        for d in sorted(root.iterdir())
        if d.is_dir() and (d / LANDSCAPE_FILES[0]).is_file()
    ]


def landscape_example(name: str) -> LandscapeExample:
    """The shipped landscape example called ``name``.

    Raises:
        InputError: no example has that name.
    """
    examples = landscape_examples()
    for ex in examples:
        if ex.name == name:
            return ex
    raise InputError(
        f"--example {name!r} is not a shipped landscape example; expected one of "
        f"{', '.join(e.name for e in examples)}"
    )


__all__ = [
    "DEFAULT_SCENARIO",
    "LandscapeExample",
    "copy_files",
    "copy_scenarios",
    "data_dir",
    "default_scenario",
    "facts",
    "facts_path",
    "find_scenario",
    "landscape_example",
    "landscape_examples",
    "scenarios_dir",
    "shipped_names",
    "shipped_scenario",
    "shipped_scenarios",
]
