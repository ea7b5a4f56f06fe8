"""Author records: ``content/authors/<id>.yaml`` checked on their own, and name matching.

A name on a paper matches a record by ``name``, ``native_name`` or ``aliases``, compared by
``text_key`` (NFKC, casefold, single spaces); a spelling that two records claim is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ContentError, Problem, has_errors
from . import schema as s
from . import textclass
from .ids import AUTHOR_ID, RESERVED_AUTHOR_SLUGS, text_key
from .model import Author, Metrics
from .textfile import read_text, relpath, text_problems
from .yamlsafe import load as load_yaml

LINK_KEYS = s.LINK_KEYS

AUTHOR_RULES: Mapping[str, s.Checker] = s.rules(s.AUTHOR_FIELDS)
"""The checker of every record key (declared in ``schema.AUTHOR_FIELDS``)."""


@dataclass
class Record:
    id: str
    path: str
    fields: dict[str, Any]
    metrics: Metrics | None


def load_author(path: Path, root: Path, problems: list[Problem]) -> Record | None:
    """Read one author record and check it on its own."""
    rel = relpath(path, root)
    if not AUTHOR_ID.fullmatch(path.stem) or path.stem in RESERVED_AUTHOR_SLUGS:
        problems.append(Problem(rel, None, None, "the file name must be a lower-case ASCII id "
                                "such as takuya-akiba.yaml (letters, digits, '-'; not "
                                f"{', '.join(sorted(RESERVED_AUTHOR_SLUGS))})"))
        return None
    text = read_text(path, rel, problems)
    if text is None:
        return None
    record, found = check_record(text, rel)
    problems.extend(found)
    return record


def check_record(text: str, rel: str) -> tuple[Record | None, list[Problem]]:
    """Every check an author record gets on its own, on its text: what the build runs on each
    record, and what ``authors add`` and ``authors refresh`` run before writing one.

    ``rel`` names the file; its stem is the record id.
    """
    problems = text_problems(text, rel)
    if problems:
        return None, problems
    try:
        data, lines = load_yaml(text, path=rel)
    except ContentError as exc:
        return None, [exc.problem]
    fields, problems = s.check_mapping(data, AUTHOR_RULES, path=rel, lines=lines,
                                       line_offset=0, required=("name",),
                                       what="an author record")
    metrics = _metrics(rel, fields.get("metrics"), lines, problems)
    problems.extend(textclass.field_problems(rel, fields, lines))
    problems.sort(key=Problem.sort_key)
    if has_errors(problems):
        return None, problems
    return Record(PurePosixPath(rel).stem, rel, fields, metrics), problems


_METRIC_RULES: Mapping[str, s.Checker] = s.rules(s.METRIC_FIELDS)


def _metrics(rel: str, raw: Any, lines: Mapping[Any, int], problems: list[Problem]
             ) -> Metrics | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(rel, lines.get(("metrics",)), "metrics",
                                f"expected a mapping (h_index: 16 …), got {s.describe(raw)}"))
        return None
    known: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for key, value in raw.items():
        key_s, line = str(key), lines.get(("metrics", str(key)))
        rule = _METRIC_RULES.get(key_s)
        field = f"metrics.{key_s}" if rule is not None else "metrics.*"
        try:
            if rule is None and (isinstance(value, bool) or not isinstance(value, (int, str))):
                raise s.Invalid(f"expected a number or short text, got {s.describe(value)}")
            clean = rule(value) if rule is not None else s.EXTRA_METRIC.check(str(value))
            for message in textclass.text_problems(field, clean) if isinstance(clean, str) else ():
                raise s.Invalid(message)
        except s.Invalid as exc:
            problems.append(Problem(rel, line, f"metrics.{key_s}", str(exc)))
            continue
        if rule is not None:
            known[key_s] = clean
        else:
            extra.append((key_s, clean))
    return Metrics(extra=tuple(extra), **known)


def name_index(records: list[Record], problems: list[Problem]) -> dict[str, Record]:
    """Map every spelling of every record to the record; a spelling shared is an error."""
    index: dict[str, Record] = {}
    for record in records:
        spellings = [record.fields["name"], record.fields.get("native_name"),
                     *record.fields.get("aliases", [])]
        for spelling in {text_key(x) for x in spellings if x}:
            other = index.get(spelling)
            if other is not None and other is not record:
                problems.append(Problem(record.path, None, None,
                                        f"the name '{spelling}' also belongs to {other.path}: "
                                        "a name may match only one record; remove it from one"))
            else:
                index[spelling] = record
    return index


def author_of(record: Record) -> Author:
    f = record.fields
    copied: dict[str, Any] = {x.attr: f.get(x.name) for x in s.AUTHOR_FIELDS if x.copied and x.attr}
    return Author(
        slug=record.id, aliases=tuple(f.get("aliases", [])),
        links=tuple((k, str(f[k])) for k in LINK_KEYS if k in f),
        metrics=record.metrics, record_path=record.path, **copied,
    )
