"""The one declaration of every field: name, checker, text class, model attribute.

``PAPER_FIELDS``, ``AUTHOR_FIELDS`` and ``METRIC_FIELDS`` list every key a digest, an
author record or its ``metrics:`` block may hold (hand-written pages: ``pages``); the
loaders, the text rules (``textclass``) and the tools read these tables, the checkers come
from ``schema`` and the bounds of figures from ``figures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .figures import MAX_COUNT, MAX_H_INDEX, figure
from .provenance import provenance
from .schema import (
    Checker,
    ListOf,
    added,
    arxiv_id,
    boolean,
    category,
    date,
    doi,
    google_scholar,
    handle,
    institution,
    name,
    openalex,
    orcid,
    prose,
    score,
    semantic_scholar,
    text,
    url,
)


class TextClass(Enum):
    """Which markup a string field may hold; ``textclass`` judges by it."""

    NAME = "name"
    """Plain text on one line (a title, a DOI): no ``<``, ``>`` or backtick."""
    IDENTITY = "identity"
    """A name that becomes a page or an identity (authors, tags): a NAME without any
    invisible character."""
    PROSE = "prose"
    """Free text: a lone ``<`` (``p < 0.05``) is fine, an HTML tag is not."""
    CHECKED = "checked"
    """Not free text: the checker admits only its own form (an id, a URL, a date, a number)."""


@dataclass(frozen=True)
class Field:
    """One front-matter or record key: everything about it, declared once."""

    name: str
    check: Checker
    text: TextClass
    attr: str | None
    """The model attribute (``Paper`` or ``Author``) it fills; ``None``: read by the loader
    only (``draft``)."""
    copied: bool = False
    """The checked value goes to ``attr`` as it is (else the loader derives the attribute)."""


PAPER_FIELDS: tuple[Field, ...] = (
    Field("arxiv", arxiv_id, TextClass.CHECKED, "arxiv"),
    Field("title", text, TextClass.NAME, "title"),
    Field("authors", ListOf(name, "names"), TextClass.IDENTITY, "author_names"),
    Field("date", date, TextClass.CHECKED, "date"),
    Field("category", category, TextClass.CHECKED, "category", copied=True),
    Field("tags", ListOf(text, "tags"), TextClass.IDENTITY, "tags"),
    Field("code", url, TextClass.CHECKED, "code", copied=True),
    Field("blurb", prose, TextClass.PROSE, "blurb"),
    Field("blurb_en", prose, TextClass.PROSE, "blurb_en", copied=True),
    Field("draft", boolean, TextClass.CHECKED, None),
    Field("abstract", prose, TextClass.PROSE, "abstract", copied=True),
    Field("comment", prose, TextClass.PROSE, "comment", copied=True),
    Field("doi", doi, TextClass.NAME, "doi", copied=True),
    Field("affiliations", ListOf(institution, "institutions"), TextClass.PROSE, "affiliations"),
    Field("score", score, TextClass.CHECKED, "score", copied=True),
    Field("added", added, TextClass.CHECKED, None),
    # A mapping checked whole by its checker (its model name as a title); the loader derives
    # the attribute (a draft's provenance says it is not reviewed yet).
    Field("provenance", provenance, TextClass.CHECKED, "provenance"),
)
"""The keys of a digest's front matter."""

AUTHOR_FIELDS: tuple[Field, ...] = (
    Field("name", name, TextClass.IDENTITY, "name", copied=True),
    Field("native_name", name, TextClass.IDENTITY, "native_name", copied=True),
    Field("sort_name", name, TextClass.NAME, "sort_name", copied=True),
    Field("aliases", ListOf(name, "names"), TextClass.IDENTITY, "aliases"),
    Field("affiliation", text, TextClass.PROSE, "affiliation", copied=True),
    Field("homepage", url, TextClass.CHECKED, "links"),
    Field("x", handle, TextClass.CHECKED, "links"),
    Field("github", handle, TextClass.CHECKED, "links"),
    Field("orcid", orcid, TextClass.CHECKED, "links"),
    Field("openalex", openalex, TextClass.CHECKED, "links"),
    Field("semantic_scholar", semantic_scholar, TextClass.CHECKED, "links"),
    Field("google_scholar", google_scholar, TextClass.CHECKED, "links"),
    Field("bio", prose, TextClass.PROSE, "bio", copied=True),
    # Checked key by key by the records loader, with METRIC_FIELDS and their nested lines.
    Field("metrics", lambda v: v, TextClass.CHECKED, "metrics"),
)
"""The keys of an author record, in the order profile links are shown."""

METRIC_FIELDS: tuple[Field, ...] = (
    Field("h_index", figure(MAX_H_INDEX), TextClass.CHECKED, "h_index", copied=True),
    Field("citations", figure(MAX_COUNT), TextClass.CHECKED, "citations", copied=True),
    Field("papers", figure(MAX_COUNT), TextClass.CHECKED, "papers", copied=True),
    Field("as_of", date, TextClass.CHECKED, "as_of", copied=True),
    Field("source", text, TextClass.NAME, "source", copied=True),
    Field("source_url", url, TextClass.CHECKED, "source_url", copied=True),
)
"""The known keys of a record's ``metrics:`` block."""

EXTRA_METRIC = Field("*", text, TextClass.NAME, "extra")
"""Any other key of ``metrics:`` (``novelty: 49%``): a figure shown as written."""

LINK_KEYS = tuple(f.name for f in AUTHOR_FIELDS if f.attr == "links")
"""Record keys that are profile links, in the order an author page shows them."""

_OTHER_TEXT = {"hashtag": TextClass.IDENTITY, "metrics.*": EXTRA_METRIC.text}
"""Text judged like a field that is not one key: hashtags of the body (they become tags) and
the figures of ``metrics:`` beyond the known keys."""


def rules(fields: tuple[Field, ...]) -> dict[str, Checker]:
    """``{key: checker}`` of a table, for ``check_mapping``."""
    return {f.name: f.check for f in fields}


def text_class(key: str) -> TextClass:
    """The text class of a front-matter or record key (``authors``, ``metrics.source``).

    Raises:
        KeyError: ``key`` is declared nowhere: every field must say which text it holds.
    """
    return _TEXT_CLASSES[key]


_TEXT_CLASSES: dict[str, TextClass] = {
    **{f.name: f.text for table in (PAPER_FIELDS, AUTHOR_FIELDS) for f in table},
    **{f"metrics.{f.name}": f.text for f in METRIC_FIELDS},
    **_OTHER_TEXT,
}
