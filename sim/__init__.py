"""greatgame: an agent-based simulation (Mesa) of great-power competition for influence.

Quick start::

    import sim
    result = sim.run("central_asia_2016", seed=1)   # a shipped scenario, or a YAML path
    result.influence          # tidy pandas frame
    result.figures()          # matplotlib figures

See the README for the command line (``greatgame --help``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from sim.errors import GreatGameError, InputError

try:
    __version__ = version("greatgame")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from sim.api import RunResult, load, run

_LAZY = {"RunResult", "load", "run"}


def __getattr__(name: str) -> Any:
    # the API pulls in Mesa, pandas and matplotlib: import it on first use, so that
    # `greatgame --help` and light commands start fast
    if name in _LAZY:
        from sim import api

        return getattr(api, name)
    if name == "sweep":  # the subpackage, callable as sim.sweep(...)
        import importlib

        return importlib.import_module("sim.sweep")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = ["GreatGameError", "InputError", "RunResult", "__version__", "load", "run"]
