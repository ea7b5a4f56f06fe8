"""Citations: a BibTeX entry for the paper and a line citing the digest itself.

The entry follows what arXiv's own export gives (``@misc`` with ``eprint``, ``archivePrefix``,
``primaryClass``) plus the DataCite DOI every arXiv paper has, ``10.48550/arXiv.<id>``.
"""

from __future__ import annotations

import re
import unicodedata

from ..content import ids
from ..content.model import Paper, Site

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# LaTeX specials that break a BibTeX value or the LaTeX run that uses it.
_LATEX_SPECIAL = re.compile(r"([&%$#_])")
_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "for", "in", "to", "and", "with"})


def doi(paper: Paper) -> str:
    """arXiv's DataCite DOI of the paper (the version is not part of it)."""
    return f"10.48550/arXiv.{paper.arxiv.base}"


def _value(text: str) -> str:
    """Text safe inside a braced BibTeX value: balanced braces, LaTeX specials escaped."""
    text = text.replace("\\", "").replace("{", "").replace("}", "")
    return _LATEX_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def citation_key(paper: Paper) -> str:
    """``ahn2025anyanomaly``: first author's surname, year, first title word (ASCII).

    Falls back to ``arxiv`` + the id when the name or title has no Latin letters.
    """
    year = paper.date.year
    surname = _ascii_word(paper.author_names[0].split()[-1]) if paper.author_names else ""
    words = [_ascii_word(w) for w in re.split(r"[\s:,\-–—]+", paper.title)]
    first = next((w for w in words if w and w not in _STOPWORDS), "")
    if not surname or not first:
        return "arxiv" + re.sub(r"[^0-9a-z]", "", paper.arxiv.base.lower())
    return f"{surname}{year}{first}"


def bibtex(paper: Paper) -> str:
    """The ``@misc`` entry of the paper, ending with a newline."""
    fields: list[tuple[str, str]] = [
        ("title", "{" + _value(paper.title) + "}"),  # inner braces keep the title's case
        ("author", " and ".join(_value(n) for n in paper.author_names)),
        ("year", str(paper.date.year)),
        ("month", _MONTHS[paper.date.month - 1]),
        ("eprint", paper.arxiv.base),
        ("archivePrefix", "arXiv"),
    ]
    if paper.category:
        fields.append(("primaryClass", paper.category))
    fields += [("doi", doi(paper)), ("url", ids.abs_url(ids.ArxivId(paper.arxiv.base)))]
    width = max(len(k) for k, _ in fields)
    lines = []
    for key, value in fields:
        if not value:
            continue
        shown = value if key == "month" else "{" + value + "}"  # month is a BibTeX macro
        lines.append(f"  {key.ljust(width)} = {shown},")
    return f"@misc{{{citation_key(paper)},\n" + "\n".join(lines) + "\n}\n"


def digest_line(paper: Paper, site: Site, page_url: str, site_name: str) -> str:
    """One plain-text line citing the digest page (for blog posts, slides, notes)."""
    names = [site.authors[s].name for s in paper.authors]
    who = (names[0] + " ほか") if len(names) > 2 else "・".join(names)
    by = f"{who} ({paper.date.year}). " if who else ""
    return (f"{site_name}「{paper.title}」の論文ダイジェスト. {page_url} "
            f"（原論文: {by}arXiv:{paper.arxiv.base}, doi:{doi(paper)}）")
