"""Editing one top-level block of a YAML record while keeping every other byte.

``paperdigest authors refresh`` rewrites the ``metrics:`` block of an author record. People
write comments, choose quoting, order keys and add figures of their own by hand; all of that
is kept. The edit is a handful of splices at the positions PyYAML reports for each node:

- a value the refresh sets is replaced where it stands (its comment stays), and left alone
  when it already reads as the new value;
- keys the refresh sets that the block lacks go right after the block's last entry, so
  comments closing the block stay next to the key that follows;
- ``metrics: ~``, ``metrics:`` and ``metrics: {h_index: 3}`` become a block; a missing block
  is appended at the end of the file.

Line endings (LF, CRLF) and a missing final newline are kept. The result is read again with
the project's strict reader and with ``yaml.safe_load``; unless every other value is
unchanged and every new value reads back as given, ``ValueError`` is raised and nothing
should be written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..content.yamlsafe import load as load_yaml
from ..errors import ContentError
from .files import write_atomic as write_atomic  # kept here for older callers

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESERVED = re.compile(r"(?i)(?:true|false|yes|no|on|off|null|y|n)")
_NULL_TAG = "tag:yaml.org,2002:null"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_Edit = tuple[int, int, str]


def scalar(value: object) -> str:
    """A YAML scalar for ``value`` that every YAML reader reads back as the same value.

    Integers stay plain, dates are written ``YYYY-MM-DD``, and text is quoted whenever a
    reader could take it for something else (``no``, ``1.10``, ``49%``, ``a: b``).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} {value!r} as a record value")
    if _plain_ok(value):
        return value
    return '"' + "".join(_escape(ch) for ch in value) + '"'


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "  " in text or _RESERVED.fullmatch(text):
        return False
    if unicodedata.category(text[0])[0] != "L":
        return False
    return all(ch in " ._/-" or unicodedata.category(ch)[0] in "LN" for ch in text)


def _escape(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if ch in "\n\r":
        return "\\n" if ch == "\n" else "\\r"
    code = ord(ch)
    printable = (ch == "\t" or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
                 or 0xE000 <= code <= 0xFFFD or code >= 0x10000)
    # YAML 1.1 readers (PyYAML) treat U+2028/U+2029 as line breaks and refuse a BOM inside.
    if printable and code not in (0x2028, 0x2029, 0xFEFF):
        return ch
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def replace_block(text: str, key: str, mapping: Mapping[str, object]) -> str:
    """``text`` with the values of ``mapping`` written into its top-level ``key:`` block.

    Raises:
        ValueError: the record does not parse, the block is not a mapping, or the edit
            would change anything but the values asked for.
    """
    for name in (key, *mapping):
        if not _KEY.fullmatch(name):
            raise ValueError(f"{name!r} cannot be written as a plain YAML key")
    try:
        before, _ = load_yaml(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except ContentError as exc:
        at = f" at line {exc.problem.line}" if exc.problem.line else ""
        raise ValueError(f"the record does not parse{at}: {exc.problem.message}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the record does not parse: {exc}") from None
    if root is not None and not (isinstance(root, MappingNode) and not root.flow_style):
        raise ValueError("the record is not a block of 'key: value' lines: fix it by hand first")
    before = before if isinstance(before, dict) else {}
    old = before.get(key)
    nl = m.group() if (m := _LINE_BREAK.search(text)) else "\n"
    entry = next(((k, v) for k, v in (root.value if root else [])
                  if isinstance(k, ScalarNode) and k.value == key), None)
    indent = _indent(root, entry[1] if entry else None)
    if entry is None:
        new = _append(text, key, mapping, nl, indent)
    else:
        k_node, v_node = entry
        if isinstance(v_node, ScalarNode) and v_node.tag == _NULL_TAG:
            edits = _fill(text, k_node, v_node, mapping, nl, indent)
        elif isinstance(v_node, MappingNode) and v_node.flow_style:
            edits = _unflow(text, k_node, v_node, old, mapping, nl, indent)
        elif isinstance(v_node, MappingNode):
            edits = _update(text, key, v_node, old, mapping, nl, indent)
        else:
            raise ValueError(f"'{key}:' holds {_describe(v_node)}, not a mapping of figures: "
                             "fix it by hand first")
        new = _apply(text, edits)
    _verify(text, new, before, key, mapping)
    return new


def _update(text: str, key: str, block: MappingNode, old: Any, mapping: Mapping[str, object],
            nl: str, indent: str) -> list[_Edit]:
    """Values replaced in place; missing keys after the last entry."""
    edits: list[_Edit] = []
    seen: set[str] = set()
    for k_node, v_node in block.value:
        name = k_node.value if isinstance(k_node, ScalarNode) else None
        if not isinstance(name, str) or name not in mapping:
            continue
        seen.add(name)
        if _same(old.get(name), mapping[name]):
            continue  # keep the bytes (quoting included) of a value that did not change
        if isinstance(v_node, (MappingNode, SequenceNode)):
            raise ValueError(f"{key}.{name} holds {_describe(v_node)}, but the refresh writes "
                             "a single value there: fix it by hand first")
        if _empty(v_node):
            at = _colon(text, k_node)
            edits.append((at, at, " " + scalar(mapping[name])))
        else:
            edits.append((v_node.start_mark.index, _end(text, k_node, v_node),
                          scalar(mapping[name])))
    last_k, last_v = block.value[-1]
    at = _line_end(text, _end(text, last_k, last_v))
    added = "".join(f"{nl}{indent}{k}: {scalar(v)}" for k, v in mapping.items() if k not in seen)
    if added:
        edits.append((at, at, added))
    return edits


def _fill(text: str, k_node: Node, v_node: ScalarNode, mapping: Mapping[str, object],
          nl: str, indent: str) -> list[_Edit]:
    """``key:``, ``key: ~`` or ``key: null`` becomes a block; a comment on the line stays."""
    colon = _colon(text, k_node)
    end = colon if _empty(v_node) else v_node.end_mark.index
    at = _line_end(text, end)
    lines = "".join(f"{nl}{indent}{k}: {scalar(v)}" for k, v in mapping.items())
    return [(colon, end, ""), (at, at, lines)]


def _unflow(text: str, k_node: Node, flow: MappingNode, old: Any, mapping: Mapping[str, object],
            nl: str, indent: str) -> list[_Edit]:
    """``key: {a: 1}`` becomes a block; each value keeps its spelling unless it is set."""
    masked = list(text[flow.start_mark.index:flow.end_mark.index])
    for node in _walk(flow):
        if isinstance(node, ScalarNode):
            for i in range(node.start_mark.index, node.end_mark.index):
                masked[i - flow.start_mark.index] = " "
    if re.search(r"(?:^|\s)#", "".join(masked)):
        raise ValueError("the flow mapping holds comments that a block cannot keep in place: "
                         "rewrite it as a block by hand first")
    lines = []
    for k_node2, v_node in flow.value:
        name = k_node2.value if isinstance(k_node2, ScalarNode) else None
        spelled = _source(text, k_node2)
        if not isinstance(name, str) or spelled is None:
            raise ValueError("the flow mapping has a key that is not plain text: rewrite it by "
                             "hand first")
        if name in mapping and not _same(old.get(name), mapping[name]):
            if isinstance(v_node, (MappingNode, SequenceNode)):
                raise ValueError(f"{name} holds {_describe(v_node)}, but the refresh writes a "
                                 "single value there: fix it by hand first")
            value: str | None = scalar(mapping[name])
        else:
            value = "" if _empty(v_node) else _source(text, v_node)
        if value is None:
            raise ValueError(f"the value of {name} spans lines: rewrite the flow mapping as a "
                             "block by hand first")
        lines.append(f"{nl}{indent}{spelled}:{' ' if value else ''}{value}")
    lines += [f"{nl}{indent}{k}: {scalar(v)}" for k, v in mapping.items() if k not in old]
    colon = _colon(text, k_node)
    at = _line_end(text, flow.end_mark.index)
    return [(colon, flow.end_mark.index, ""), (at, at, "".join(lines))]


def _append(text: str, key: str, mapping: Mapping[str, object], nl: str, indent: str) -> str:
    block = f"{key}:" + "".join(f"{nl}{indent}{k}: {scalar(v)}" for k, v in mapping.items())
    if not text:
        return block + nl
    if text.endswith(("\n", "\r")):
        return text + block + nl
    return text + nl + block  # the file had no final newline; neither does the result


def _indent(root: MappingNode | None, block: Node | None) -> str:
    """The block's own indentation, else that of another nested mapping, else two spaces."""
    if isinstance(block, MappingNode) and not block.flow_style and block.value:
        return " " * int(block.value[0][0].start_mark.column)
    for _, node in root.value if root else []:
        if isinstance(node, MappingNode) and not node.flow_style and node.value:
            return " " * int(node.value[0][0].start_mark.column)
    return "  "


def _empty(node: Node) -> bool:
    # PyYAML places an empty value at the next token, possibly lines below: never splice there.
    return isinstance(node, ScalarNode) and node.style is None and node.value == ""


def _colon(text: str, k_node: Node) -> int:
    """The position just after the ``:`` that follows a key."""
    i = k_node.end_mark.index
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or text[i] != ":":
        raise ValueError(f"cannot find the ':' after {k_node.value!r}: fix the record by hand")
    return i + 1


def _end(text: str, k_node: Node, node: Node) -> int:
    """Where the last character of an entry's value is (comments after it excluded)."""
    if _empty(node):
        return _colon(text, k_node)
    if isinstance(node, ScalarNode):
        end = node.end_mark.index
        if node.style in ("|", ">"):  # a block scalar's span runs over the blank lines after it
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if isinstance(node, MappingNode) and not node.flow_style:
        last_k, last_v = node.value[-1]
        return _end(text, last_k, last_v)
    if isinstance(node, SequenceNode) and not node.flow_style:
        last = node.value[-1]
        if _empty(last):
            raise ValueError("a list in the block ends with an empty item: fix it by hand first")
        return _end(text, last, last)
    return int(node.end_mark.index)


def _line_end(text: str, index: int) -> int:
    m = _LINE_BREAK.search(text, index)
    return m.start() if m else len(text)


def _source(text: str, node: Node) -> str | None:
    """A node's text as written, if it sits on one line."""
    spelled = text[node.start_mark.index:node.end_mark.index]
    return None if _LINE_BREAK.search(spelled) else spelled


def _walk(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [node, *(n for k, v in node.value for n in (*_walk(k), *_walk(v)))]
    if isinstance(node, SequenceNode):
        return [node, *(n for item in node.value for n in _walk(item))]
    return [node]


def _describe(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return f"the value {node.value!r}"


def _apply(text: str, edits: list[_Edit]) -> str:
    # From the end backwards so earlier positions stay valid; at one position, the edit made
    # first ends up first.
    order = sorted(range(len(edits)), key=lambda i: (edits[i][0], i), reverse=True)
    for i in order:
        start, end, new = edits[i]
        text = text[:start] + new + text[end:]
    return text


def _same(old: object, new: object) -> bool:
    """Whether a value read by the strict reader is the value that would be written."""
    want = new.isoformat() if isinstance(new, dt.date) else new
    return type(old) is type(want) and old == want


def _verify(old_text: str, new_text: str, before: dict[Any, Any], key: str,
            mapping: Mapping[str, object]) -> None:
    """Read the result back: only ``key``'s values may differ, and exactly as asked."""
    try:
        after, _ = load_yaml(new_text)
    except ContentError as exc:
        raise ValueError(f"the edit would break the record ({exc.problem.message})") from None
    if not isinstance(after, dict):
        raise ValueError("the edit would break the record (it is no longer a mapping)")
    _compare(before, after, key, mapping, _same)
    # The same check through PyYAML's YAML 1.1 reading, which other tools use.
    try:
        loose_before = yaml.safe_load(old_text)
    except (yaml.YAMLError, ValueError):
        return  # e.g. an impossible date: that reading was broken before the edit
    try:
        loose_after = yaml.safe_load(new_text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"the edit would break the record for YAML 1.1 readers ({exc})") from None
    _compare(loose_before or {}, loose_after, key, mapping,
             lambda a, b: type(a) is type(b) and a == b)


def _compare(before: dict[Any, Any], after: Any, key: str, mapping: Mapping[str, object],
             same: Any) -> None:
    others = [(k, v) for k, v in before.items() if k != key]
    if not isinstance(after, dict) or others != [(k, v) for k, v in after.items() if k != key]:
        raise ValueError("the edit would change other keys of the record")
    found = before.get(key)
    old: dict[Any, Any] = found if isinstance(found, dict) else {}
    new = after.get(key)
    if not isinstance(new, dict):
        raise ValueError(f"the edit did not leave a '{key}:' mapping")
    if [k for k in new if k not in mapping or k in old] != list(old) or any(
            old[k] != new[k] for k in old if k not in mapping):
        raise ValueError(f"the edit would change keys of '{key}:' that it does not set")
    for k, v in mapping.items():
        if not same(new.get(k), v):
            raise ValueError(f"the edit did not set {key}.{k} to {scalar(v)}")


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of a planned edit (for ``--dry-run``); empty when nothing changes."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), f"a/{path}", f"b/{path}"))
