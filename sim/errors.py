"""Errors that reach users as one clear sentence.

Every problem with user input (a scenario file, a ``--set`` override, a CLI flag,
a CSV) is raised as an :class:`InputError`. The CLI prints its message to stderr
and exits with code 1, without a traceback. Library users can catch it like any
``ValueError``.
"""

from __future__ import annotations


class GreatGameError(Exception):
    """Base class of every error greatgame raises on purpose."""


class InputError(GreatGameError, ValueError):
    """Bad user input: the message names where, what was found and what was expected.

    Args:
        message: One sentence: where the problem is, the value found, what was expected.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
