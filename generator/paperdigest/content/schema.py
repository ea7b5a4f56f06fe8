"""Field rules for digest front matter and author records.

A checker takes a raw YAML value and returns it clean or raises ``Invalid`` in plain words;
``check_mapping`` applies a table and collects every problem with its line.

The tables that say which checker and which text class each key has are in ``fields``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import Problem
from . import authorids
from .ids import RESERVED_CATEGORY_SLUGS, ArxivId, parse_arxiv_id
from .yamlsafe import Lines


class Invalid(Exception):
    """A value broke a rule; the message says what was expected and how to fix it."""


Checker = Callable[[Any], Any]

# Hangul fillers render as blanks though their category is a letter's.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?")
_HANDLE = re.compile(r"@?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38})")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_SCHOLAR = re.compile(r"[A-Za-z0-9_-]{12}")


def describe(value: Any) -> str:
    """How a wrong value is named in a message."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the number {value}"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` is shown as nothing and can disguise text: format characters
    (zero-width, bidi controls, BOM, tags), line and paragraph separators, Hangul fillers.
    The one definition; control characters (Cc) are judged apart, with their own message."""
    return unicodedata.category(ch) in ("Cf", "Zl", "Zp") or ch in _FILLERS


def invisible(value: str) -> str | None:
    """The first invisible character of ``value`` (see ``is_invisible``), if any."""
    return next((ch for ch in value if is_invisible(ch)), None)


def invisible_message(ch: str) -> str:
    """How an invisible character is reported (after the value, when it is shown)."""
    return (f"contains the invisible character U+{ord(ch):04X} "
            f"({unicodedata.name(ch, 'unnamed')}): delete it")


def text(value: Any, what: str = "text", *, lines: bool = False) -> str:
    """Plain text, NFC, without invisible or control characters; one line unless ``lines``.

    Control characters (C0, DEL, C1) are refused: they cannot be written back into the
    front matter of a generated page, and they hide text from readers.
    """
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise Invalid(f"expected {what}, got {describe(value)}")
    if isinstance(value, int):
        raise Invalid(f"expected {what}, got {describe(value)}: quote it if it is meant as text")
    s = unicodedata.normalize("NFC", str(value)).strip()
    if not s:
        raise Invalid(f"expected {what}, got an empty value")
    bad = invisible(s)
    if bad:
        raise Invalid(invisible_message(bad))
    control = (_CONTROL_IN_LINES if lines else _CONTROL).search(s)
    if control:
        ch = control.group()
        hint = "write it on one line" if ch in "\n\r" else "delete it"
        raise Invalid(f"contains the control character U+{ord(ch):04X} at character "
                      f"{control.start() + 1}: {hint}")
    return s


def prose(value: Any) -> str:
    """Free text that may run over several lines (a blurb, an abstract, a bio)."""
    return text(value, lines=True)


def name(value: Any) -> str:
    shown = text(value, "a name")
    if " - " in shown:
        # A list item indented one space too far continues the item above it: YAML reads
        # "  - A\n   - B" as the one name "A - B".
        first, _, rest = shown.partition(" - ")
        raise Invalid(f"'{shown}' reads as one name: the '- {rest}' line is indented more "
                      f"than the '- {first}' line above it, so YAML joined them; put every "
                      "'- ' of the list at the same indent")
    return shown


def institution(value: Any) -> str:
    return text(value, "an institution")


def arxiv_id(value: Any) -> ArxivId:
    s = text(value, "an arXiv id")
    parsed = parse_arxiv_id(s)
    if parsed is None:
        raise Invalid(
            f"'{s}' is not an arXiv id: write it like 2503.04504, 2503.04504v2 or hep-th/9901001"
        )
    return parsed


def date(value: Any) -> dt.date:
    s = text(value, "a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(s) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else _bad_date(s)
    except ValueError:
        raise Invalid(f"'{s}' is not a real date: write it as YYYY-MM-DD") from None


def _bad_date(s: str) -> dt.date:
    raise Invalid(f"'{s}' is not a date: write it as YYYY-MM-DD, e.g. 2025-03-06")


def today() -> dt.date:
    """This machine's date: what tools write as ``added:``, the latest ``added:`` accepted
    (not ``SOURCE_DATE_EPOCH``: it pins a build's bytes, not the calendar)."""
    return dt.date.today()


def added(value: Any) -> dt.date:
    """The day a digest joined the site: a real date, not after tomorrow (the writer's
    time zone may be a day ahead of the checker's)."""
    day = date(value)
    latest = today() + dt.timedelta(days=1)
    if day > latest:
        raise Invalid(f"'{day.isoformat()}' is in the future: write the day the digest was "
                      f"added, at the latest {today().isoformat()}")
    return day


def category(value: Any) -> str:
    s = text(value, "an arXiv category")
    if not _CATEGORY.fullmatch(s):
        raise Invalid(f"'{s}' is not an arXiv category: write it like cs.CL or hep-th")
    if s.lower() in RESERVED_CATEGORY_SLUGS:
        raise Invalid(f"'{s}' is the name of a listing page, not an arXiv category: write the "
                      "paper's primary category, e.g. cs.CL")
    return s


def url(value: Any) -> str:
    """An http(s) URL, parsed and written back with every character that means something
    to Markdown or HTML percent-encoded, so it can only ever be a link target."""
    s = text(value, "a URL")
    if any(ch.isspace() for ch in s):
        raise Invalid(f"'{s}' contains a space: write the address without spaces (%20)")
    parts = urlsplit(s)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(f"'{s}' is not an http(s) URL: write the full address, https://…")
    if parts.username is not None or parts.password is not None:
        raise Invalid(f"'{s}' carries a user name before '@': link the page itself")
    try:
        port = parts.port
    except ValueError:
        raise Invalid(f"'{s}' has an invalid port: remove it") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host += f":{port}" if port is not None else ""
    return urlunsplit((parts.scheme.lower(), host, _quote(parts.path), _quote(parts.query),
                       _quote(parts.fragment)))


def _quote(part: str) -> str:
    """``part`` with characters that Markdown or HTML would read percent-encoded."""
    return quote(part, safe="/:@!$&*+,;=-._~%?#")


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {describe(value)}")


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected a whole number, got {describe(value)}")
    if value < 0:
        raise Invalid(f"expected a number of 0 or more, got {value}")
    return value


_SCORE = re.compile(r"\d{1,6}(?:\.\d)?")


def score(value: Any) -> float:
    """A score such as ``76.0``: 0 or more, at most one decimal (cards show one decimal,
    so a second one would be rounded away). YAML keeps ``76.0`` as text; it is read here."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(f"expected a number such as 76.5, got {describe(value)}")
    shown = str(value).strip()
    if not _SCORE.fullmatch(shown):
        raise Invalid(f"'{shown}' is not a score: write a number of 0 or more with at most "
                      "one decimal, such as 76.5")
    return float(shown)


def pattern(regex: re.Pattern[str], example: str) -> Checker:
    def check(value: Any) -> str:
        s = text(str(value) if isinstance(value, int) and not isinstance(value, bool) else value)
        if not regex.fullmatch(s):
            raise Invalid(f"'{s}' does not look right: expected something like {example}")
        return s

    return check


doi = pattern(re.compile(r"10\.\d{4,9}/[^\s\"'<>`{}|\\^]+"), "10.1145/3292500.3330701")
handle = pattern(_HANDLE, "hillbig (without @)")
orcid = pattern(_ORCID, "0000-0002-1825-0097")


def author_id(source: str, example: str) -> Checker:
    """An OpenAlex or Semantic Scholar author id (or profile URL), read as ``authors add``
    and ``authors refresh`` read it; the value is the bare id."""
    def check(value: Any) -> str:
        s = text(str(value) if isinstance(value, int) and not isinstance(value, bool) else value)
        bare = authorids.normalize(source, s)
        if bare is None:
            raise Invalid(f"'{s}' does not look right: expected something like {example}")
        return bare

    return check


openalex = author_id(authorids.OPENALEX, "A5023888391")
semantic_scholar = author_id(authorids.S2, '"1741101" (digits)')
google_scholar = pattern(_SCHOLAR, "a 12-character id such as xxxxxxxxAAAJ")


@dataclass(frozen=True)
class ListOf:
    """A list of values each checked by ``item``; a single value is not accepted."""

    item: Checker
    what: str

    def __call__(self, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(f"expected a list of {self.what}, got {describe(value)}: "
                          "write one item per line starting with '- '")
        return value


def check_mapping(
    data: Any,
    rules: Mapping[str, Checker],
    *,
    path: str,
    lines: Lines,
    line_offset: int,
    required: tuple[str, ...] = (),
    what: str,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check every key of ``data`` against ``rules``; return clean values and all problems."""
    problems: list[Problem] = []

    def at(*key: str | int) -> int | None:
        line = lines.get(tuple(key))
        return None if line is None else line + line_offset

    if not isinstance(data, dict):
        problems.append(Problem(path, at() or 1 + line_offset, None,
                                f"{what} must be a mapping of 'key: value' lines, "
                                f"got {describe(data)}"))
        return {}, problems
    clean: dict[str, Any] = {}
    for key, value in data.items():
        key_s = str(key)
        rule = rules.get(key_s)
        if rule is None:
            guess = difflib.get_close_matches(key_s, list(rules), n=1, cutoff=0.6)
            hint = f": did you mean '{guess[0]}'?" if guess else (
                f": known keys are {', '.join(sorted(rules))}")
            problems.append(Problem(path, at(key_s), key_s, f"unknown key{hint}"))
            continue
        if isinstance(rule, ListOf):
            try:
                items = rule(value)
            except Invalid as exc:
                problems.append(Problem(path, at(key_s), key_s, str(exc)))
                continue
            out = []
            for index, item in enumerate(items):
                try:
                    out.append(rule.item(item))
                except Invalid as exc:
                    problems.append(Problem(path, at(key_s, index) or at(key_s),
                                            f"{key_s}[{index}]", str(exc)))
            clean[key_s] = out
            continue
        try:
            clean[key_s] = rule(value)
        except Invalid as exc:
            problems.append(Problem(path, at(key_s), key_s, str(exc)))
    for key_s in required:
        if key_s not in data:
            problems.append(Problem(path, at() or 1 + line_offset, key_s,
                                    f"is required: add '{key_s}: …'"))
    return clean, problems
