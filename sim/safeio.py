"""Reading and writing files safely: regular files only, bounded sizes, no temp files left.

* :func:`read_text` reads a user's file (a scenario, a CSV): regular files only (a FIFO
  would block forever, ``/dev/zero`` never ends), at most ``max_bytes``, UTF-8; every
  problem is one :class:`~sim.errors.InputError` sentence naming the file.
* :func:`temp_for` gives the hidden temporary name a file is written under before it is
  renamed into place; :func:`written_atomically` removes that temporary file when the
  writing fails (a full disk, Ctrl-C), so a failure leaves the old file or nothing.
* :func:`check_output_dir` checks, before any work, that an output directory can be made.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from sim.errors import InputError, shorten

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def read_text(
    path: str | Path, *, max_bytes: int, what: str, expected: str, missing: str | None = None
) -> str:
    """The text of a regular file of at most ``max_bytes``, decoded as UTF-8.

    Args:
        path: The file.
        max_bytes: The largest size accepted.
        what: What the file is, for messages (``"scenario file"``).
        expected: What was expected, for messages (``"a scenario .yaml file"``).
        missing: What was expected when there is no such file (default: ``expected``).

    Raises:
        InputError: missing, a directory, a FIFO or device, a symlink loop, too large,
            unreadable, or not UTF-8; one sentence naming the file.
    """
    fname = shorten(str(path), 200)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{fname}: no such {what}; expected {missing or expected}") from None
    except IsADirectoryError:
        raise InputError(f"{fname} is a directory; expected {expected}") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError(f"{fname}: a loop of symbolic links; expected {expected}") from None
        raise InputError(f"{fname}: cannot be read ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{fname} is a directory; expected {expected}")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{fname} is {_kind(st.st_mode)}; expected {expected}, a regular file")
        if st.st_size > max_bytes:
            raise InputError(
                f"{fname} is {_size(st.st_size)}; expected {expected} of at most {_size(max_bytes)}"
            )
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew while being read
            raise InputError(
                f"{fname} is larger than {_size(max_bytes)}; expected {expected} of at most "
                f"{_size(max_bytes)}"
            )
    except OSError as e:
        raise InputError(f"{fname}: cannot be read ({e.strerror})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{fname}: not UTF-8 text ({e.reason}); expected {expected}") from None


def temp_for(target: Path) -> Path:
    """The hidden temporary name ``target`` is written under before the rename."""
    return target.with_name(f".{target.name}.tmp-{os.getpid()}")


@contextlib.contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """Write to the yielded temporary path; it replaces ``target`` only if the block succeeds.

    On any failure (``OSError(ENOSPC)``, Ctrl-C) the temporary file is removed and the
    error propagates; ``target`` keeps its old content, if it had one.

    Example:
        >>> with written_atomically(out / "summary.json") as tmp:  # doctest: +SKIP
        ...     tmp.write_text(text)
    """
    tmp = temp_for(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError) and e.filename in (None, str(tmp)):
            e.filename = str(target)  # name the file being written, not its vanished temp
        raise


def write_bytes_atomically(target: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``target`` through a temporary file (flushed to disk, then renamed)."""
    with written_atomically(target) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        if fsync:
            os.fsync(f.fileno())


def check_output_dir(path: str | Path, *, flag: str = "--out") -> None:
    """Check, before any work, that ``path`` is or can be made a writable directory.

    Raises:
        InputError: ``path`` or one of its parents is a file, or the nearest existing
            parent is not writable.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{flag} {p} is a file; expected a directory (created if missing)")
    probe = p
    while not probe.exists():
        if probe.is_symlink():  # a dangling link
            raise InputError(f"{flag} {p}: {probe} is a broken symbolic link; expected a directory")
        parent = probe.parent
        if parent == probe:
            break
        probe = parent
    if probe.exists() and not probe.is_dir():
        raise InputError(
            f"{flag} {p}: {probe} is a file, so no directory can be made under it; "
            "expected a directory path"
        )
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        what = "the directory" if probe == p else f"{probe}, where it would be made,"
        raise InputError(f"{flag} {p}: {what} is not writable; expected a writable directory")


__all__ = [
    "check_output_dir",
    "read_text",
    "temp_for",
    "write_bytes_atomically",
    "written_atomically",
]
