"""A scenario file as its reader sees it: excerpts with their comments, and which numbers are data.

Scenario files are written to be read: each element carries, as a comment, the
sentence of the article it encodes, and each figure its source with a confidence
in brackets (``[high]``), or the word *calibration* when it is a modelling choice.
YAML loaders drop comments; these helpers keep them, so that a notebook or a
report can quote the file itself rather than a paraphrase of it:

* :func:`excerpt` -- the file's lines under a key path, comments included;
* :func:`key_notes` -- every key line with its value and the comments that speak
  for it (the comment lines above it and its inline comment);
* :func:`commented_values` -- every value that carries a comment, sorted into
  *data*, *calibration* and *note*.

All three read one file's own text (a variant's ``extends:`` is not followed: what
you quote is what that file says). Key paths are written as in ``--set``
overrides: ``events.china_aid_kabul``, ``actors.Tajikistan.gdp``.

Example:
    >>> from sim.scenario import default_scenario_path
    >>> print(excerpt(default_scenario_path(), "rivalry"))  # doctest: +ELLIPSIS
    rivalry: [China, Russia]...
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.errors import InputError

#: Sources cited in the shipped scenarios: a comment naming one marks a figure as data.
#: In any file, a confidence in brackets (``[high]``, ``[medium]``, ``[low]``) does too.
SOURCE_MARKERS: tuple[str, ...] = (
    "WDI",
    "World Bank",
    "SIPRI",
    "KNOMAD",
    "FMS",
    "PBoC",
    "CBR",
    "MOFCOM",
)
_CONFIDENCE = re.compile(r"\[(high|medium|low)\]", re.IGNORECASE)
_CALIBRATION = re.compile(r"\bcalibrat(ion|ed)\b", re.IGNORECASE)
_DESIGN = re.compile(r"\bdesign\b", re.IGNORECASE)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: str | Path) -> tuple[str, yaml.Node]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such scenario file; expected a path to a .yaml file"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot be read ({e}); expected a YAML text file") from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = str(getattr(e, "problem", None) or "invalid YAML").strip()
        raise InputError(f"{path}{where}: {problem}; expected a valid YAML file") from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{path}: the top level is not a mapping; expected a scenario file")
    return text, node


def _parts(key: str) -> list[str]:
    parts = [p.strip() for p in key.split(".")]
    if not key.strip() or any(not p for p in parts):
        raise InputError(
            f"key path {key!r} is empty or has an empty part; expected e.g. 'events.x'"
        )
    return parts


def _child(node: yaml.Node, part: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            if str(knode.value) == part:
                return knode, vnode
    elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        item = node.value[int(part)]
        return item, item
    return None


def _children_names(node: yaml.Node) -> list[str]:
    if isinstance(node, yaml.MappingNode):
        return [str(k.value) for k, _ in node.value]
    if isinstance(node, yaml.SequenceNode):
        return [str(i) for i in range(len(node.value))]
    return []


def _last_line(text_lines: Sequence[str], node: yaml.Node) -> int:
    """The index of the last line that holds part of ``node``."""
    end = node.end_mark
    if end.line >= len(text_lines) or not text_lines[end.line][: end.column].strip():
        return max(node.start_mark.line, end.line - 1)
    return end.line


def excerpt(path: str | Path, key: str) -> str:
    """The file's own text under a key path: the key's line, its value, and their comments.

    Args:
        path: The scenario file.
        key: A dotted key path (``"events.china_aid_kabul"``); list items by index
            (``"borders.0"``).

    Returns:
        The lines, as written in the file (indentation kept, trailing blank lines and
        the next key's leading comments dropped).

    Raises:
        InputError: the file cannot be read, or has no such key (the message lists the
            keys found at the level where the path stops matching).
    """
    text, node = _read(path)
    lines = text.splitlines()
    parts = _parts(key)
    knode: yaml.Node = node
    vnode: yaml.Node = node
    for i, part in enumerate(parts):
        found = _child(vnode, part)
        if found is None:
            where = ".".join(parts[:i]) or "the top level"
            names = _children_names(vnode)
            expected = f"one of {', '.join(names)}" if names else "nothing (it is a plain value)"
            raise InputError(f"{path}: no key {part!r} under {where}; expected {expected}")
        knode, vnode = found
    first = knode.start_mark.line
    last = _last_line(lines, vnode)
    indent = knode.start_mark.column
    while last > first:  # the next key's comments and blank lines are not part of this one
        line = lines[last]
        stripped = line.lstrip()
        if stripped and not (stripped.startswith("#") and len(line) - len(stripped) <= indent):
            break
        last -= 1
    return "\n".join(lines[first : last + 1])


def _split_comment(line: str) -> tuple[str, str | None, int]:
    """``(code, comment, column of '#')`` of a YAML line; a ``#`` inside quotes is not a comment."""
    if line.lstrip().startswith("#"):
        col = line.index("#")
        return "", line[col + 1 :].strip(), col
    in_quote: str | None = None
    for i, ch in enumerate(line):
        if ch in "\"'" and (in_quote is None or in_quote == ch):
            in_quote = None if in_quote else ch
        elif ch == "#" and in_quote is None and i > 0 and line[i - 1] in " \t":
            return line[:i].rstrip(), line[i + 1 :].strip(), i
    return line.rstrip(), None, -1


def _key_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], int]]:
    """``(key path, 0-based line)`` of every mapping key, in file order (sequences skipped)."""
    out: list[tuple[tuple[str, ...], int]] = []
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            p = (*path, str(knode.value))
            out.append((p, knode.start_mark.line))
            if isinstance(vnode, yaml.MappingNode) and vnode.flow_style is not True:
                out += _key_lines(vnode, p)
    return out


@dataclass(frozen=True)
class KeyNote:
    """One key line of a scenario file and the comments that speak for it.

    Attributes:
        key: The key path, e.g. ``("events", "china_aid_kabul")``.
        line: The key's line, counted from 1.
        value: The value as written on the key's line (empty when a block follows;
            ``>`` or ``|`` for a block of text).
        comments: The key's comments, in file order: the comment lines right above
            it (or, for the mapping it opens, right below it), its inline comment and
            the comment lines aligned under that one.
    """

    key: tuple[str, ...]
    line: int
    value: str
    comments: tuple[str, ...]

    @property
    def path(self) -> str:
        """The dotted key path, as in ``--set`` overrides."""
        return ".".join(self.key)


def key_notes(path: str | Path) -> list[KeyNote]:
    """Every key line of a scenario file with its value and comments, in file order.

    Keys inside one-line ``{...}`` mappings and list items are part of their
    parent's line, not keys of their own.

    Raises:
        InputError: the file cannot be read or is not a YAML mapping.
    """
    text, root = _read(path)
    lines = text.splitlines()
    keys = _key_lines(root)
    key_at = {line: p for p, line in keys}
    notes: dict[tuple[str, ...], list[str]] = {p: [] for p, _ in keys}
    # inline comments and their aligned continuation lines
    for p, line in keys:
        _, comment, col = _split_comment(lines[line])
        if comment is None:
            continue
        notes[p].append(comment)
        nxt = line + 1
        while nxt < len(lines) and nxt not in key_at:
            code, more, mcol = _split_comment(lines[nxt])
            if code or more is None or mcol != col:
                break
            notes[p].append(more)
            nxt += 1
    # block comments above a key belong to it; right below a parent's line, to the parent
    # a key's line and its inline comment's continuation lines are taken
    claimed = {ln for p, line in keys for ln in range(line, line + max(1, len(notes[p])))}
    for p, line in keys:
        above: list[str] = []
        k = line - 1
        while k >= 0 and k not in claimed and lines[k].lstrip().startswith("#"):
            above.insert(0, lines[k].strip().lstrip("#").strip())
            k -= 1
        if not above or k < 0:
            continue
        owner = key_at.get(k)
        if owner is not None and len(owner) == len(p) - 1 and p[:-1] == owner:
            notes[owner].extend(above)  # comments opening a mapping describe the mapping
        else:
            notes[p] = above + notes[p]
    out = []
    for p, line in keys:
        code, _, _ = _split_comment(lines[line])
        value = code.split(":", 1)[1].strip() if ":" in code else ""
        out.append(KeyNote(key=p, line=line + 1, value=value, comments=tuple(notes[p])))
    return out


#: What a number's comment must say: a source with the facts table's confidence grade, the
#: word "calibrated" (a modelling choice, explained in this document), or "design" (a choice
#: about the run itself: its length, its seed).
PROVENANCE = re.compile(r"\[(high|medium|low)\]|\bcalibrated\b|\bdesign\b", re.IGNORECASE)


@dataclass(frozen=True)
class NumberLine:
    """A number in a scenario file, the line it stands on, and that line's comment."""

    key: str
    value: str
    line: int  # 1-based
    comment: str | None

    @property
    def sourced(self) -> bool:
        return self.comment is not None and PROVENANCE.search(self.comment) is not None


def number_lines(path: str | Path) -> list[NumberLine]:
    """Every numeric leaf of one scenario file (money included), with its line's comment.

    Only the file's own leaves: a variant's inherited values are checked in its base.
    """
    from sim.screen import _is_money

    text, root = _read(path)
    lines = text.splitlines()
    out: list[NumberLine] = []

    def walk(node: yaml.Node, key: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                walk(vnode, f"{key}.{knode.value}" if key else str(knode.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, vnode in enumerate(node.value):
                walk(vnode, f"{key}.{i}")
        elif isinstance(node, yaml.ScalarNode):
            tag = node.tag.rsplit(":", 1)[-1]
            numeric = tag in ("int", "float") or (tag == "str" and _is_money(node.value))
            if numeric and key != "extends":
                _, comment, _ = _split_comment(lines[node.start_mark.line])
                out.append(NumberLine(key, node.value, node.start_mark.line + 1, comment))

    if root is not None:
        walk(root, "")
    return out


def _kind(comment: str, sources: Sequence[str]) -> str:
    if _CALIBRATION.search(comment):
        return "calibration"
    if _DESIGN.search(comment):
        return "design"
    if _CONFIDENCE.search(comment) or any(s in comment for s in sources):
        return "data"
    return "note"


def commented_values(path: str | Path, *, sources: Sequence[str] = SOURCE_MARKERS) -> pd.DataFrame:
    """Every value set on a key's line with a comment, and what kind of number it is.

    A comment with the word *calibrated* (or *calibration*) marks a modelling choice;
    *design* a choice about the run itself (its length, its seed); one with a confidence
    in brackets or naming one of ``sources`` marks data; any other comment is a note. A
    value whose own comments tell neither inherits the kind of
    the nearest enclosing key's comments (``half_life:  # ...; calibration`` makes
    each half-life below it a calibration).

    Args:
        path: The scenario file.
        sources: Names whose mention in a comment marks data.

    Returns:
        A frame with columns ``key`` (dotted key path), ``value`` (as written),
        ``kind`` (``data``, ``calibration``, ``design`` or ``note``) and ``comment``, in
        file order.

    Raises:
        InputError: the file cannot be read or is not a YAML mapping.
    """
    notes = key_notes(path)
    kinds = {n.key: _kind(" ".join(n.comments), sources) for n in notes if n.comments}
    rows = []
    for n in notes:
        if not n.comments or n.value in ("", ">", "|", ">-", "|-", ">+", "|+"):
            continue
        kind = kinds[n.key]
        if kind == "note":
            parents = [kinds.get(n.key[:i], "note") for i in range(len(n.key) - 1, 0, -1)]
            kind = next((k for k in parents if k != "note"), "note")
        rows.append(
            {"key": n.path, "value": n.value, "kind": kind, "comment": " ".join(n.comments)}
        )
    return pd.DataFrame(rows, columns=["key", "value", "kind", "comment"])
