"""greatgame: an agent-based simulation (Mesa) of great-power competition for influence.

Quick start::

    import sim
    result = sim.run("scenarios/central_asia_2016.yaml", seed=1)
    result.influence          # tidy pandas frame
    result.figures()          # matplotlib figures

See the README for the command line (``greatgame --help``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("greatgame")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from sim.api import RunResult, load, run
from sim.errors import GreatGameError, InputError

__all__ = ["GreatGameError", "InputError", "RunResult", "__version__", "load", "run"]
