"""Editing one top-level block of a YAML record while keeping every other byte.

``paperdigest authors refresh`` rewrites the ``metrics:`` block of an author record. People
write comments, choose quoting and order keys by hand; all of that is kept: only the values
the refresh sets change, keys it does not know stay where they are, and the result is
checked by parsing it again before anything is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .yamlsafe import YamlProblem
from .yamlsafe import load as load_yaml

Scalar = int | str | dt.date | None
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/-]*")
_RESERVED = re.compile(r"(?i)(?:true|false|yes|no|on|off|null|~|y|n)")


def scalar(value: Scalar) -> str:
    """A YAML scalar for ``value`` that every YAML reader reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if _PLAIN.fullmatch(value) and not _RESERVED.fullmatch(value) and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)


def _split_comment(rest: str) -> tuple[str, str]:
    """Split ``value  # comment`` into the value and the comment with its spacing."""
    in_quote = None
    for i, ch in enumerate(rest):
        if in_quote:
            if ch == in_quote:
                in_quote = None
        elif ch in "\"'":
            in_quote = ch
        elif ch == "#" and (i == 0 or rest[i - 1] in " \t"):
            j = i
            while j > 0 and rest[j - 1] in " \t":
                j -= 1
            return rest[:j], rest[j:]
    return rest, ""


def replace_block(text: str, key: str, mapping: Mapping[str, Scalar]) -> str:
    """``text`` with the values of ``mapping`` written into its top-level ``key:`` block.

    Raises:
        ValueError: the file does not parse before or after, or something else would change.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    head = re.compile(rf"^{re.escape(key)}:(?P<rest>.*?)(?:\r?\n)?$")
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        out = text if not text or text.endswith(("\n", "\r")) else text + newline
        block = [f"{key}:{newline}"] + [f"  {k}: {scalar(v)}{newline}" for k, v in mapping.items()]
        return _verified(text, out + "".join(block), key, mapping)
    m = head.match(lines[start])
    assert m is not None
    value, comment = _split_comment(m.group("rest"))
    end = start + 1
    while end < len(lines) and (lines[end][:1] in (" ", "\t")
                                or (not lines[end].strip() and _more_indented(lines, end))):
        end += 1
    eol = newline if lines[start].endswith(("\n", "\r")) else ""
    if value.strip() not in ("", "~", "null"):
        old = _flow(value, key)
        merged = {**old, **mapping}
        body = [f"  {k}: {scalar(v)}{newline}" for k, v in merged.items()]
        new_lines = [f"{key}:{comment}{newline}", *body]
        if not eol:
            new_lines[-1] = new_lines[-1].rstrip("\r\n")
        return _verified(text, "".join(lines[:start] + new_lines + lines[end:]), key, mapping)
    if value.strip():  # `metrics: ~` or `metrics: null` becomes a block
        lines[start] = f"{key}:{comment}{eol}"
    children = lines[start + 1:end]
    indent = next((re.match(r"[ \t]*", c).group() for c in children  # type: ignore[union-attr]
                   if c.strip() and not c.lstrip().startswith("#")), "  ")
    done: set[str] = set()
    child = re.compile(
        rf"^{re.escape(indent)}(?P<k>[A-Za-z_][\w-]*):(?P<rest>[^\r\n]*)(?P<eol>\r?\n)?$")
    for i, line in enumerate(children):
        cm = child.match(line)
        if cm and cm.group("k") in mapping:
            _, tail = _split_comment(cm.group("rest"))
            k = cm.group("k")
            children[i] = f"{indent}{k}: {scalar(mapping[k])}{tail}{cm.group('eol') or ''}"
            done.add(k)
    last = max((i for i, c in enumerate(children) if c.strip()), default=-1)
    missing = [f"{indent}{k}: {scalar(v)}{newline}" for k, v in mapping.items() if k not in done]
    if missing and last >= 0 and not children[last].endswith(("\n", "\r")):
        children[last] += newline
        if end == len(lines):
            missing[-1] = missing[-1].rstrip("\r\n")
    if missing and last < 0 and not eol:
        lines[start] += newline
    children[last + 1:last + 1] = missing
    return _verified(text, "".join(lines[: start + 1] + children + lines[end:]), key, mapping)


def _more_indented(lines: list[str], index: int) -> bool:
    """A blank line belongs to the block when an indented line follows it."""
    following = next((x for x in lines[index + 1:] if x.strip()), "")
    return following[:1] in (" ", "\t")


def _flow(value: str, key: str) -> dict[str, Scalar]:
    try:
        data, _ = load_yaml(f"{key}: {value}\n")
    except YamlProblem as exc:
        raise ValueError(f"the {key} block is not valid YAML: {exc.message}") from None
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise ValueError(f"'{key}:' holds {value.strip()!r}, not a mapping: fix it by hand first")
    return dict(found)


def _verified(old: str, new: str, key: str, mapping: Mapping[str, Scalar]) -> str:
    """Parse both versions: only ``key``'s values may differ, and exactly as asked."""
    try:
        before, _ = load_yaml(old)
        after, _ = load_yaml(new)
    except YamlProblem as exc:
        raise ValueError(f"the record does not parse ({exc.message}): fix it by hand first"
                         ) from None
    before = before if isinstance(before, dict) else {}
    if not isinstance(after, dict):
        raise ValueError("the edited record would not be a mapping")
    if {k: v for k, v in before.items() if k != key} != {k: v for k, v in after.items()
                                                          if k != key}:
        raise ValueError("the edit would change other keys of the record")
    block = after.get(key) or {}
    for k, v in mapping.items():
        want = v.isoformat() if isinstance(v, dt.date) else v
        if block.get(k) != want:
            raise ValueError(f"the edit did not set {key}.{k}")
    return new


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of a planned edit, for ``--dry-run``."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), path, path))


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, keeping its permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
