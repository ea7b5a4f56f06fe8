"""Identifiers: arXiv ids, slugs and comparison keys. Pure functions, stdlib only.

Everything that turns user text into something used in a URL or a file name goes through
this module, so the rules (ASCII, no ``..``, no separators) live in one place.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# New-style ids (2007-04 onwards): YYMM.NNNN (until 2014-12) or YYMM.NNNNN, optional version.
_NEW_ID = re.compile(r"(?P<base>(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5})(?P<version>v[1-9]\d*)?")
# Old-style ids: archive[.SUBJECT]/YYMMNNN, e.g. hep-th/9901001, math.AG/0601001.
_OLD_ID = re.compile(
    r"(?P<base>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})\d{3})"
    r"(?P<version>v[1-9]\d*)?"
)
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE
)


@dataclass(frozen=True, order=True)
class ArxivId:
    """A validated arXiv identifier."""

    base: str
    """The id without version: ``2503.04504`` or ``hep-th/9901001``."""
    version: str | None = None
    """``v2`` and the like, when the id named one."""

    @property
    def full(self) -> str:
        """The id as written, version included."""
        return self.base + (self.version or "")

    @property
    def year_month(self) -> tuple[int, int]:
        """Submission year and month, read from the id itself."""
        m = _NEW_ID.fullmatch(self.base) or _OLD_ID.fullmatch(self.base)
        assert m is not None
        yy, mm = int(m["yy"]), int(m["mm"])
        return (1900 + yy if yy >= 91 else 2000 + yy), mm

    @property
    def is_old_style(self) -> bool:
        return "/" in self.base

    def __str__(self) -> str:
        return self.full


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse an arXiv id or abs/pdf URL; ``None`` when it is not one.

    >>> parse_arxiv_id("http://arxiv.org/abs/2503.04504v1")
    ArxivId(base='2503.04504', version='v1')
    >>> parse_arxiv_id("hep-th/9901001").base
    'hep-th/9901001'
    """
    s = _URL_PREFIX.sub("", text.strip())
    if s.lower().endswith(".pdf"):
        s = s[:-4]
    s = s.rstrip("/")
    s = re.sub(r"^arxiv:", "", s, flags=re.IGNORECASE)
    for pattern in (_NEW_ID, _OLD_ID):
        m = pattern.fullmatch(s)
        if m:
            month = int(m["mm"])
            if not 1 <= month <= 12:
                return None
            if pattern is _NEW_ID and not _new_id_width_ok(m["base"]):
                return None
            return ArxivId(m["base"], m["version"])
    return None


def _new_id_width_ok(base: str) -> bool:
    """YYMM.NNNN from 0704 to 1412, YYMM.NNNNN from 1501 on (arXiv's scheme)."""
    yymm, number = base.split(".")
    return len(number) == (5 if yymm >= "1501" else 4) and yymm >= "0704"


def abs_url(arxiv_id: ArxivId) -> str:
    """The arXiv abstract page of the id (version kept when given)."""
    return f"https://arxiv.org/abs/{arxiv_id.full}"


def pdf_url(arxiv_id: ArxivId) -> str:
    """The arXiv PDF of the id (version kept when given)."""
    return f"https://arxiv.org/pdf/{arxiv_id.full}"


def text_key(text: str) -> str:
    """Comparison key for names and tags: NFKC, casefold, single spaces.

    Never stored or shown; only used to decide that two spellings are the same thing.

    >>> text_key("  Takuya  AKIBA ") == text_key("takuya akiba")
    True
    >>> text_key("ＬＬＭ") == text_key("llm")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def tag_key(text: str) -> str:
    """Key of a tag: ``#LLM``, ``LLM``, ``＃ＬＬＭ`` are one tag."""
    return text_key(text.lstrip("#＃ ").strip())


_ASCII_SLUG_DROP = re.compile(r"[^a-z0-9]+")
# Characters kept in a Unicode slug: letters, marks and digits of any script.
_SLUG_OK_CATEGORIES = ("L", "M", "N")


def ascii_slug(text: str) -> str:
    """Lower-case ASCII slug (``Takuya Akiba`` -> ``takuya-akiba``); may be empty."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _ASCII_SLUG_DROP.sub("-", ascii_text).strip("-")[:64].strip("-")


def unicode_slug(text: str) -> str:
    """Readable slug that keeps non-Latin letters (``異常検知`` stays ``異常検知``).

    Separators, punctuation, symbols and control characters become ``-``; the result can
    never contain ``/``, ``\\``, ``.`` or NUL, so it cannot leave the output folder.
    """
    key = tag_key(text)
    out: list[str] = []
    for ch in key:
        if ch.isascii():
            out.append(ch if ch.isalnum() else "-")
        elif unicodedata.category(ch)[0] in _SLUG_OK_CATEGORIES:
            out.append(ch)
        else:
            out.append("-")
    slug = re.sub(r"-{2,}", "-", "".join(out)).strip("-")
    return slug[:64].strip("-")


def hashed_slug(text: str, prefix: str) -> str:
    """Stable ASCII slug for text that has no ASCII form."""
    digest = hashlib.sha1(text_key(text).encode("utf-8")).hexdigest()[:10]
    return f"{prefix}-{digest}"


AUTHOR_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""What an author record's file stem (its id) must look like."""

RESERVED_AUTHOR_SLUGS = frozenset({"index", "initial", "page"})
"""Author slugs that would clash with listing pages under ``authors/``."""
RESERVED_TAG_SLUGS = frozenset({"index", "page"})
"""Tag slugs that would clash with listing pages under ``tags/``."""
RESERVED_CATEGORY_SLUGS = frozenset({"index", "page"})
"""Categories whose page would clash with listing pages under ``categories/``."""
