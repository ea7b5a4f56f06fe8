"""A hardened YAML loader for front matter and author records.

PyYAML's ``safe_load`` follows YAML 1.1: ``arxiv: 2503.10100`` becomes the float 2503.101,
``no`` becomes ``False``, ``0123`` is octal and ``1:20`` sexagesimal; duplicate keys
silently keep the last value. Content is written by hand and by LLMs, so here only
``true``/``false``, ``null``/``~``/empty and decimal integers are resolved; everything else
stays a string and the schema decides. Duplicate keys, anchors/aliases and explicit tags are
errors, each with its line.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 512 * 1024
"""Files larger than this are refused before parsing (documented in CONTRIBUTING.md)."""


class YamlProblem(Exception):
    """A problem in a YAML document: ``line`` is 1-based within the document."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML-1.2-like scalars and no duplicate keys, aliases or tags."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}
    first_line = 1
    """File line of the document's first line: every reported line is shifted by it."""

    def _line(self, mark: Any) -> int:
        return int(mark.line) + self.first_line

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise YamlProblem(
                self._line(event.start_mark),
                f"aliases (*{event.anchor}) are not allowed: write the value out in full",
            )
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            if event.anchor is not None:
                raise YamlProblem(
                    self._line(event.start_mark),
                    f"anchors (&{event.anchor}) are not allowed: write the value out in full",
                )
            if event.tag not in (None, "!"):
                raise YamlProblem(
                    self._line(event.start_mark),
                    f"YAML tags ({event.tag}) are not allowed: remove it and write plain text",
                )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            line = self._line(key_node.start_mark)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem(line, "a key must be plain text") from None
            if key in seen:
                raise YamlProblem(
                    line,
                    f"duplicate key '{key}' (first on line {seen[key]}): keep only one",
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


Lines = dict[tuple[str | int, ...], int]
"""1-based line of every node by its path: ``("authors", 1)`` is the second author."""


def _positions(node: Node, path: tuple[str | int, ...], out: Lines, offset: int) -> None:
    out[path] = node.start_mark.line + 1 + offset
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node.value, str) else str(key_node.value)
            if isinstance(value_node, (MappingNode, SequenceNode)):
                _positions(value_node, (*path, key), out, offset)
            out[(*path, key)] = key_node.start_mark.line + 1 + offset
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*path, index), out, offset)


def load(text: str, first_line: int = 1) -> tuple[Any, Lines]:
    """Parse one YAML document strictly.

    Args:
        text: the document.
        first_line: the file line the document starts on (front matter starts on line 2).

    Returns:
        The data and the file line of every node (for error messages).

    Raises:
        YamlProblem: on any syntax error, duplicate key, alias, anchor or tag.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlProblem(None, f"the file is larger than {MAX_BYTES // 1024} KB: split it")
    loader = StrictLoader(text)
    loader.first_line = first_line
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[tuple[str | int, ...], int] = {}
        _positions(node, (), lines, first_line - 1)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or "invalid YAML"
        raise YamlProblem(line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
