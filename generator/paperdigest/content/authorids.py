"""Author ids at OpenAlex and Semantic Scholar: one reading, shared by every tool.

The record schema (``openalex:``, ``semantic_scholar:``), ``authors add`` and ``authors
refresh`` all go through ``normalize``, so an id that one accepts the others accept too, and
they agree on its bare form (``A5023888391``, ``1741101``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENALEX, S2 = "openalex", "semantic-scholar"


@dataclass(frozen=True)
class AuthorIdKind:
    """How one source writes its author ids."""

    name: str
    """The source as people call it."""
    pattern: re.Pattern[str]
    """An id or a profile URL; group 1 is the bare id."""
    hint: str
    """How to write one, for messages."""
    example: str


# Ids are up to 15 digits without a leading zero: OpenAlex's are 10 today and Semantic
# Scholar's already 13 for new authors; a leading zero is a typo neither source ever sends.
KINDS = {
    OPENALEX: AuthorIdKind(
        "OpenAlex",
        re.compile(r"(?i)(?:(?:https?://)?(?:api\.)?openalex\.org/(?:authors/)?)?"
                   r"(a[1-9]\d{0,14})/?"),
        "write it as A followed by digits, e.g. A5023888391", "A5023888391"),
    S2: AuthorIdKind(
        "Semantic Scholar",
        re.compile(r"(?i)(?:(?:https?://)?(?:www\.)?semanticscholar\.org/author/(?:[^/?#\s]+/)?)?"
                   r"([1-9]\d{0,14})/?"),
        "write the number at the end of the author's page URL, e.g. 1741101", "1741101"),
}


def normalize(source: str, author_id: str) -> str | None:
    """The bare id (``A5023888391``, ``1741101``) of an id or profile URL; ``None`` if it is
    not one. ``source`` is ``openalex`` or ``semantic-scholar``."""
    match = KINDS[source].pattern.fullmatch(author_id.strip())
    return None if match is None else match.group(1).upper()


def problem(source: str, author_id: str) -> str:
    """Why ``author_id`` is not an id of ``source``, in the words the tools print."""
    kind = KINDS[source]
    article = "an" if kind.name[0] in "AEIOU" else "a"
    return f"{author_id!r} is not {article} {kind.name} author id: {kind.hint}"
