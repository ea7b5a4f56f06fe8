"""Author records: ``content/authors/<id>.yaml`` checked on their own, and name matching.

A name on a paper matches a record by ``name``, ``native_name`` or ``aliases``, compared by
``text_key`` (NFKC, casefold, single spaces); a spelling that two records claim is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ContentError, Problem, Severity, has_errors
from . import schema as s
from . import textclass
from .fields import AUTHOR_FIELDS, EXTRA_METRIC, LINK_KEYS, METRIC_FIELDS, rules
from .figures import MAX_COUNT, figure
from .ids import AUTHOR_ID, RESERVED_AUTHOR_SLUGS, text_key
from .model import Author, Metrics
from .textfile import read_text, relpath, text_problems
from .works import SOURCES
from .yamlsafe import load as load_yaml

LINK_KEYS = LINK_KEYS

AUTHOR_RULES: Mapping[str, s.Checker] = rules(AUTHOR_FIELDS)
"""The checker of every record key (declared in ``AUTHOR_FIELDS``)."""


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


_METRIC_RULES: Mapping[str, s.Checker] = rules(METRIC_FIELDS)
FIGURES = ("h_index", "citations", "papers")
"""The figures every source gives; others (``novelty: 49%``) are the record's own."""
MAX_DEFINITION = 200
"""Characters of a figure's one-line definition."""
MAX_SHOWN = 40
"""Characters of a figure of the record's own written as text (``49%``)."""


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
            if key_s == "definitions":
                continue  # read below, once the figures are known
            if rule is None and (isinstance(value, bool) or not isinstance(value, (int, str))):
                raise s.Invalid(f"expected a number or short text, got {s.describe(value)}")
            if rule is not None:
                clean: Any = rule(value)
            elif isinstance(value, int):
                clean = f"{figure(MAX_COUNT)(value):,}"
            else:
                clean = EXTRA_METRIC.check(value)
                if len(clean) > MAX_SHOWN:
                    raise s.Invalid(f"is {len(clean):,} characters long; a figure is shown in "
                                    f"at most {MAX_SHOWN}: write the number as the source "
                                    "shows it")
            for message in textclass.text_problems(field, clean) if isinstance(clean, str) else ():
                raise s.Invalid(message)
        except s.Invalid as exc:
            problems.append(Problem(rel, line, f"metrics.{key_s}", str(exc)))
            continue
        if rule is not None:
            known[key_s] = clean
        else:
            extra.append((key_s, clean))
    definitions = _definitions(rel, raw.get("definitions"), {k for k, _ in extra}, lines,
                               problems)
    if any(k in known for k in FIGURES) or extra:
        missing = [k for k in ("source", "as_of") if k not in known and k not in raw]
        if missing:
            problems.append(Problem(
                rel, lines.get(("metrics",)), "metrics",
                f"has figures but no {' and no '.join(missing)}: the figures are not shown "
                "until the record says where and when they were read (source: openalex, or "
                "the page they were copied from; as_of: YYYY-MM-DD)", severity=Severity.WARNING))
    defined = {k for k, _ in definitions}
    for key_s, _ in extra:
        if known.get("source") in SOURCES:
            why = (f"{known['source']} gives no such figure, so it cannot have come from there: "
                   "move it to a record whose source is the page it was copied from, or delete it")
        elif key_s not in defined:
            why = (f"has no definition, so it is not shown: add 'definitions:' with "
                   f"'{key_s}: <what it measures, in one line>' under metrics")
        else:
            continue
        problems.append(Problem(rel, lines.get(("metrics", key_s)), f"metrics.{key_s}", why,
                                severity=Severity.WARNING))
    return Metrics(extra=tuple(extra), definitions=definitions, **known)


def _definitions(rel: str, raw: Any, figures: set[str], lines: Mapping[Any, int],
                 problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """``metrics.definitions``: a one-line definition per figure of the record's own."""
    if raw is None:
        return ()
    where = lines.get(("metrics", "definitions"))
    if not isinstance(raw, dict):
        problems.append(Problem(rel, where, "metrics.definitions", "expected a mapping "
                                f"(novelty: what it measures), got {s.describe(raw)}"))
        return ()
    out: list[tuple[str, str]] = []
    for key, value in raw.items():
        key_s, line = str(key), lines.get(("metrics", "definitions", str(key)), where)
        try:
            if key_s not in figures:
                raise s.Invalid("defines no figure of this record: add the figure to metrics "
                                "or delete the definition")
            text = s.text(value, "a one-line definition")
            if len(text) > MAX_DEFINITION:
                raise s.Invalid(f"is {len(text):,} characters long; the limit is "
                                f"{MAX_DEFINITION}: say it in one line")
            out.append((key_s, text))
        except s.Invalid as exc:
            problems.append(Problem(rel, line, f"metrics.definitions.{key_s}", str(exc)))
    return tuple(out)


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
    copied: dict[str, Any] = {x.attr: f.get(x.name) for x in AUTHOR_FIELDS if x.copied and x.attr}
    return Author(
        slug=record.id, aliases=tuple(f.get("aliases", [])),
        links=tuple((k, str(f[k])) for k in LINK_KEYS if k in f),
        metrics=record.metrics, record_path=record.path, **copied,
    )
