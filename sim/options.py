"""Command-line option types shared by ``sim.cli`` and ``sim.sweep.cli`` (one help text each)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["AllowExtendsOpt"]

AllowExtendsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-extends",
        help="A directory tree 'extends:' may also read (repeatable); by default only the "
        "scenario's own directory tree and the shipped scenarios.",
        show_default=False,
    ),
]
