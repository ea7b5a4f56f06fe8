"""The works of an author: ``content/authors/<id>.works.json``, written by ``authors refresh``.

The hand-written record (``<id>.yaml``) stays untouched; what OpenAlex or Semantic Scholar
list for the author is stored beside it in a generated JSON file, one per author, so that a
build never needs the network and a refresh pull request shows a readable diff::

    {
      "as_of": "2026-11-01",
      "counts_by_year": [{"citations": 120, "year": 2019}, …],   (ascending years)
      "source": "openalex",
      "source_url": "https://api.openalex.org/works?filter=author.id:A…",
      "total": 67,                                               (the source's count)
      "works": [{"abstract": "…", "arxiv": "1907.10902", "authors": ["A", "B", "C"],
                 "citations": 6000, "date": "2019-07-25", "doi": "10.1145/…",
                 "more_authors": 2, "openalex": "W2954130009", "s2": "<40 hex>",
                 "title": "Optuna: …", "url": "https://arxiv.org/abs/1907.10902",
                 "venue": "cs.LG"}, …]                             (newest first)
    }

``source`` is a service (``openalex``, ``semantic-scholar``: what ``authors refresh``
writes) or the name of a page the works were copied from by hand (``研究者プロフィールページ``);
a page shows the second kind as hand-copied. Every figure is bounded (``MAX_COUNT``), so a
wrong answer from a source or a hand edit cannot put a 401-digit number on a page.

``dump_works`` writes that text deterministically (sorted keys, two-space indent, keys with
no value left out, newest work first, then by title); ``parse_works`` reads it strictly, with
the line of every problem (``strictjson``): the file is generated, but it is committed, so a
hand edit or a bad answer from an API must stop the check with words, not with a traceback
or a silently wrong page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem, has_errors
from . import schema as s
from . import strictjson, textclass
from .figures import MAX_COUNT as MAX_COUNT
from .figures import figure
from .ids import ArxivId
from .textfile import read_text, relpath, text_problems
from .yamlsafe import Lines

SOURCES = ("openalex", "semantic-scholar")
"""The services ``authors refresh`` reads; any other ``source`` names a page copied by hand."""
MAX_SOURCE = 200
"""Characters of a hand-entered source name."""
MAX_ABSTRACT = 5_000
"""Characters of a work's abstract (longer ones are cut by the clients)."""
MAX_NAME = 200
"""Characters of a co-author's name."""
SHOWN_AUTHORS = 3
"""Co-authors kept per work: the first ones, with how many more there are."""
MAX_FILE_BYTES = 2 * 1024 * 1024
"""A works file: 200 works with abstracts stay well under it."""
MAX_WORKS = 200
"""Works kept per author: the newest ones."""
MAX_TITLE = 500
"""Characters of a work's title (real titles stay under 300)."""
MAX_VENUE = 200
"""Characters of a venue name."""
MAX_YEARS = 200
"""Entries of ``counts_by_year``."""
MAX_DEPTH = 4
"""Nesting of a works file: the top object, its lists, their objects, a work's authors."""
SUFFIX = ".works.json"
"""How a works file is named: ``<record id>.works.json``."""


@dataclass(frozen=True)
class Work:
    """One work of an author, as the bibliographic source lists it."""

    title: str
    """Plain text, one line."""
    date: dt.date | None = None
    """Publication date (the first version's, for a preprint)."""
    venue: str | None = None
    """Journal or conference, or the arXiv category of a preprint."""
    arxiv: ArxivId | None = None
    """The arXiv id, when the work is on arXiv: what links it to a digest."""
    doi: str | None = None
    """The DOI without ``https://doi.org/``."""
    code: str | None = None
    """``http(s)`` URL of the code."""
    citations: int | None = None
    """Times cited, by the source's count."""
    openalex: str | None = None
    """OpenAlex work id (``W2954130009``)."""
    s2: str | None = None
    """Semantic Scholar ``paperId`` (40 hex digits)."""
    url: str | None = None
    """Where the source says the work is (its landing page)."""
    authors: tuple[str, ...] = ()
    """The first ``SHOWN_AUTHORS`` authors, in the work's order."""
    more_authors: int | None = None
    """How many authors follow ``authors``, when the source says."""
    et_al: bool = False
    """More authors follow, and the source does not say how many (a profile's "et al.")."""
    abstract: str | None = None
    """The abstract as the source gives it, one line of plain text."""

    @property
    def link(self) -> str | None:
        """Where the title links when the site has no digest: arXiv, else the DOI, else the
        source's page."""
        if self.arxiv is not None:
            return f"https://arxiv.org/abs/{self.arxiv.full}"
        if self.doi is not None:
            return f"https://doi.org/{self.doi}"
        return self.url


@dataclass(frozen=True)
class WorksFile:
    """The content of a works file."""

    source: str
    """``openalex``, ``semantic-scholar``, or the name of a page copied by hand."""
    as_of: dt.date
    """The day the works were read."""
    works: tuple[Work, ...] = ()
    """Newest first (undated works last), then by title; at most ``MAX_WORKS``."""
    counts_by_year: tuple[tuple[int, int], ...] = ()
    """(year, citations received that year), ascending years."""
    source_url: str | None = None
    """Where the works were read (an API address, or the page copied by hand)."""
    total: int | None = None
    """How many works the source counts for the author (``works`` may hold fewer)."""

    @property
    def hand_copied(self) -> bool:
        """True when ``source`` names a page rather than a service."""
        return self.source not in SOURCES

    @classmethod
    def of(cls, source: str, as_of: dt.date, works: Iterable[Work],
           counts_by_year: Iterable[tuple[int, int]] = (), *, source_url: str | None = None,
           total: int | None = None) -> WorksFile:
        """A works file in the canonical order: works sorted newest first, a second work with
        the same arXiv id dropped (a preprint listed twice), cut to the newest
        ``MAX_WORKS``; counts sorted by year, the last count of a year kept."""
        kept: list[Work] = []
        seen: set[str] = set()
        for work in sorted(works, key=work_order):
            if work.arxiv is not None:
                if work.arxiv.base in seen:
                    continue
                seen.add(work.arxiv.base)
            kept.append(work)
        years = dict(counts_by_year)
        return cls(source, as_of, tuple(kept[:MAX_WORKS]), tuple(sorted(years.items())),
                   source_url, total)


def work_order(work: Work) -> tuple[bool, int, str, str]:
    """Sort key of works: newest first, undated last, then by title."""
    ordinal = work.date.toordinal() if work.date is not None else 0
    return (work.date is None, -ordinal, work.title.casefold(), work.title)


_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_UNSHOWN = ("Cc", "Cs", "Co", "Cn")
"""Control, surrogate, private-use and unassigned: never text; invisible ones are
``schema.is_invisible``."""


def plain_text(raw: str) -> str:
    """A title or venue as an API gives it, made plain: inline tags (``<i>``, ``<sub>``)
    dropped, entities decoded, invisible and control characters removed, spaces collapsed,
    NFC. For the clients that write works files; the result passes ``parse_works``'s text
    rules unless it is empty or too long."""
    text = html.unescape(_TAG.sub("", raw))
    text = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or not (s.is_invisible(ch)
                                           or unicodedata.category(ch) in _UNSHOWN))
    return unicodedata.normalize("NFC", " ".join(text.split()))


# --- writing -------------------------------------------------------------------------------


def dump_works(value: WorksFile) -> str:
    """The works file's text: deterministic, so that a refresh diff shows only what changed.

    The text is read back with ``parse_works`` before it is returned, so a file written from
    it always passes the check; values are written as the check leaves them (NFC, trimmed,
    URLs percent-encoded), so dumping what was read gives the same bytes.

    Raises:
        ValueError: ``value`` breaks a rule of the format (the message names the first
            problem, e.g. a title holding a line break); clean API text with ``plain_text``
            and build the value with ``WorksFile.of`` (order, duplicates, the 200 limit).
    """
    if len(value.works) > MAX_WORKS or len(value.counts_by_year) > MAX_YEARS:
        raise ValueError(f"a works file holds at most {MAX_WORKS} works and {MAX_YEARS} years")
    parsed, problems = parse_works(_text(value), "works file")
    if parsed is None:
        raise ValueError(str(problems[0]))
    return _text(parsed)


def _text(value: WorksFile) -> str:
    data: dict[str, Any] = {
        "source": value.source,
        "as_of": value.as_of.isoformat(),
        "works": [_work_json(w) for w in sorted(value.works, key=work_order)],
        "counts_by_year": [{"year": y, "citations": c} for y, c in sorted(value.counts_by_year)],
    }
    data.update({k: v for k, v in (("source_url", value.source_url), ("total", value.total))
                 if v is not None})
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _work_json(work: Work) -> dict[str, Any]:
    shown = {"title": work.title, "date": work.date.isoformat() if work.date else None,
             "venue": work.venue, "arxiv": work.arxiv.full if work.arxiv else None,
             "doi": work.doi, "code": work.code, "citations": work.citations,
             "openalex": work.openalex, "s2": work.s2, "url": work.url,
             "authors": list(work.authors) or None, "more_authors": work.more_authors,
             "et_al": work.et_al or None, "abstract": work.abstract}
    return {k: v for k, v in shown.items() if v is not None}


# --- reading -------------------------------------------------------------------------------

_FIX = "run `paperdigest authors refresh` to write it again"


def _bounded(what: str, limit: int) -> s.Checker:
    def check(value: Any) -> str:
        text = s.text(value, what)
        if len(text) > limit:
            raise s.Invalid(f"is {len(text):,} characters long; the limit is {limit}: "
                            "shorten it")
        for message in textclass.text_problems("abstract", text):  # the rule of prose fields
            raise s.Invalid(message)
        return text

    return check


def _source(value: Any) -> str:
    text = s.text(value, "a source")
    if len(text) > MAX_SOURCE:
        raise s.Invalid(f"is {len(text):,} characters long; the limit is {MAX_SOURCE}: name "
                        "the service or the page in a few words")
    for message in textclass.text_problems("name", text):  # a name: plain text, no markup
        raise s.Invalid(message)
    return text


_OPENALEX_WORK = re.compile(r"W\d{1,12}")
_S2_PAPER = re.compile(r"[0-9a-f]{40}")


def _id(pattern: re.Pattern[str], example: str, what: str) -> s.Checker:
    def check(value: Any) -> str:
        text = s.text(value, what)
        if not pattern.fullmatch(text):
            raise s.Invalid(f"'{text[:60]}' is not {what}: write it like {example}")
        return text

    return check


def _authors(value: Any) -> list[str]:
    names = _list(value)
    if len(names) > SHOWN_AUTHORS:
        raise s.Invalid(f"holds {len(names)} names; keep the first {SHOWN_AUTHORS} and write "
                        "how many follow in more_authors")
    return [_bounded("a name", MAX_NAME)(name) for name in names]


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise s.Invalid(f"expected true or false, got {s.describe(value)}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise s.Invalid(f"expected a list, got {s.describe(value)}")
    return value


_FILE_RULES: Mapping[str, s.Checker] = {
    "source": _source, "as_of": s.date, "works": _list, "counts_by_year": _list,
    "source_url": s.url, "total": figure(MAX_COUNT),
}
_REQUIRED = ("source", "as_of", "works")
_WORK_RULES: Mapping[str, s.Checker] = {
    "title": _bounded("a title", MAX_TITLE), "date": s.date,
    "venue": _bounded("a venue", MAX_VENUE), "arxiv": s.arxiv_id, "doi": s.doi,
    "code": s.url, "citations": figure(MAX_COUNT),
    "openalex": _id(_OPENALEX_WORK, "W2954130009", "an OpenAlex work id"),
    "s2": _id(_S2_PAPER, "the 40 hex digits of a paperId", "a Semantic Scholar paperId"),
    "url": s.url, "authors": _authors, "more_authors": figure(MAX_COUNT), "et_al": _flag,
    "abstract": _bounded("an abstract", MAX_ABSTRACT),
}
_YEAR_RULES: Mapping[str, s.Checker] = {"year": s.integer, "citations": figure(MAX_COUNT)}


def parse_works(text: str, path: str) -> tuple[WorksFile | None, list[Problem]]:
    """Read a works file strictly; return its value (``None`` on any error) and every
    problem, each with its line. ``path`` names the file in the problems."""
    problems = text_problems(text, path, MAX_FILE_BYTES)
    if problems:
        return None, problems
    try:
        data, lines = strictjson.load(text, path, what="works file", fix=_FIX,
                                      max_depth=MAX_DEPTH)
    except ContentError as exc:
        return None, [exc.problem]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, None, "is not a valid works file: expected an object "
                              f"{{\"source\": …}}, got {s.describe(data)}; {_FIX}")]
    top, problems = s.check_mapping(data, _FILE_RULES, path=path, lines=lines, line_offset=0,
                                    required=_REQUIRED, what="a works file")
    works = _works(top.get("works", []), path, lines, problems)
    counts = _counts(top.get("counts_by_year", []), top.get("as_of"), path, lines, problems)
    problems.sort(key=Problem.sort_key)
    if has_errors(problems):
        return None, problems
    return WorksFile(top["source"], top["as_of"], tuple(sorted(works, key=work_order)),
                     counts, top.get("source_url"), top.get("total")), problems


def load_works(path: Path, root: Path, problems: list[Problem]) -> tuple[str, WorksFile] | None:
    """Read one works file: (record id, its works), or ``None`` with the problems appended."""
    rel = relpath(path, root)
    text = read_text(path, rel, problems, MAX_FILE_BYTES)
    if text is None:
        return None
    value, found = parse_works(text, rel)
    problems.extend(found)
    return None if value is None else (path.name[: -len(SUFFIX)], value)


def _items(raw: list[Any], key: str, limit: int, path: str, lines: Lines,
           problems: list[Problem]) -> list[tuple[int, dict[str, Any], Lines]]:
    """The objects of the list ``key`` with their index and their own lines; what is not an
    object is a problem, and so is a list over ``limit``."""
    if len(raw) > limit:
        problems.append(Problem(path, lines.get((key,)), key, f"holds {len(raw):,} entries; "
                                f"the limit is {limit}: keep the newest"))
        return []
    own: dict[int, Lines] = {}
    for place, line in lines.items():  # one pass: per-object lines for every object at once
        if len(place) >= 2 and place[0] == key and isinstance(place[1], int):
            own.setdefault(place[1], {})[place[2:]] = line
    out = []
    for index, item in enumerate(raw):
        if isinstance(item, dict):
            out.append((index, item, own.get(index, {})))
        else:
            problems.append(Problem(path, lines.get((key, index)), f"{key}[{index}]",
                                    f"expected an object {{…}}, got {s.describe(item)}"))
    return out


def _works(raw: list[Any], path: str, lines: Lines, problems: list[Problem]) -> list[Work]:
    out: list[Work] = []
    first: dict[str, int] = {}
    for index, item, sub in _items(raw, "works", MAX_WORKS, path, lines, problems):
        where = f"works[{index}]"
        fields, found = s.check_mapping(item, _WORK_RULES, path=path, lines=sub,
                                        line_offset=0, required=("title",), what=where)
        problems.extend(_named(found, where))
        if "title" not in fields:
            continue
        arxiv: ArxivId | None = fields.get("arxiv")
        if arxiv is not None and arxiv.base in first:
            problems.append(Problem(path, lines.get(("works", index, "arxiv")),
                                    f"{where}.arxiv", f"{arxiv.base} is also "
                                    f"works[{first[arxiv.base]}]: keep one of them"))
            continue
        if arxiv is not None:
            first[arxiv.base] = index
        if "authors" in fields:
            fields["authors"] = tuple(fields["authors"])
        out.append(Work(**fields))
    return out


def _named(found: list[Problem], where: str) -> list[Problem]:
    """Problems of one object of a list, their field named with the object's place."""
    return [Problem(p.path, p.line, f"{where}.{p.field}" if p.field else where, p.message,
                    p.severity, p.column) for p in found]


def _counts(raw: list[Any], as_of: dt.date | None, path: str, lines: Lines,
            problems: list[Problem]) -> tuple[tuple[int, int], ...]:
    last_year = as_of.year if as_of is not None else dt.date.max.year
    span = f"from 1900 to {last_year} (the year of as_of)" if as_of else "from 1900 on"
    out: list[tuple[int, int]] = []
    for index, item, sub in _items(raw, "counts_by_year", MAX_YEARS, path, lines, problems):
        where = f"counts_by_year[{index}]"
        fields, found = s.check_mapping(item, _YEAR_RULES, path=path, lines=sub,
                                        line_offset=0, required=tuple(_YEAR_RULES), what=where)
        problems.extend(_named(found, where))
        if len(fields) < len(_YEAR_RULES):
            continue
        year, line = fields["year"], sub.get(("year",))
        if not 1900 <= year <= last_year:
            problems.append(Problem(path, line, f"{where}.year", f"{year} is not a year "
                                    f"{span}"))
        elif out and year <= out[-1][0]:
            problems.append(Problem(path, line, f"{where}.year", f"{year} comes after "
                                    f"{out[-1][0]}: list the years once each, ascending"))
        else:
            out.append((year, fields["citations"]))
    return tuple(out)
