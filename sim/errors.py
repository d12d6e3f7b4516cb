"""Errors that reach users as one clear sentence, and the exit codes of ``greatgame``.

Every problem with user input (a scenario file, a ``--set`` override, a CLI flag,
a CSV) is raised as an :class:`InputError`. A failure of the machine around the
work (a full disk, a lost Dask scheduler) is an :class:`InfrastructureError`. The
CLI prints either message to stderr as one line, without a traceback, and exits
with the code below; library users can catch them like any ``ValueError`` /
``RuntimeError``.

Exit codes of ``greatgame``:

* 0 -- done;
* 1 -- bad input: a scenario, an override, a flag, a CSV (fix it and run again);
* 2 -- an internal error, a bug in greatgame (``GREATGAME_DEBUG=1`` shows the traceback);
* 3 -- the environment failed: no space left, a lost Dask scheduler, a file that cannot be
  written (fix the environment and run the same command again: sweeps resume);
* 130 -- interrupted (Ctrl-C).
"""

from __future__ import annotations

EXIT_INPUT = 1
EXIT_INTERNAL = 2
EXIT_INFRASTRUCTURE = 3
EXIT_INTERRUPTED = 130


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


class InfrastructureError(GreatGameError, RuntimeError):
    """The machine failed, not the input: a full disk, a lost Dask scheduler.

    Nothing already committed is lost; running the same command again resumes.

    Args:
        message: One sentence: what failed and how to recover.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (with ``...``), for echoing values in messages."""
    return text if len(text) <= limit else text[: max(1, limit - 3)] + "..."


def one_line(text: str, limit: int = 2000) -> str:
    """A message as one printable line: control characters escaped, long texts cut in the middle.

    The last resort before a message reaches a terminal: a NUL byte, a newline or an escape
    sequence in a value must not split, hide or forge lines.
    """
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 32 or 127 <= ord(ch) < 160:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    line = "".join(out).strip()
    if len(line) > limit:
        half = (limit - 5) // 2
        line = f"{line[:half]} ... {line[-half:]}"
    return line
