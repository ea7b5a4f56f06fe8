"""Metadata for indexers: Google Scholar's ``citation_*`` tags and schema.org JSON-LD.

Both describe the paper a digest is about (Google Scholar indexes the paper, its PDF and
DOI); the JSON-LD adds the digest itself as a ``Review`` of that paper. The values are
plain data here; the theme override writes them, escaping each for its place (``| e`` in
attributes, ``| tojson`` inside the ``<script>``, which turns ``<``, ``>`` and ``&`` into
``\\u003c`` and the like, so no text can close the script or open a comment).
"""

from __future__ import annotations

import json
from typing import Any

from ..content import ids
from ..content.model import Paper, Site
from . import cite

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def citation_meta(paper: Paper, site: Site) -> list[list[str]]:
    """``[name, content]`` pairs of the ``citation_*`` meta tags, in Google Scholar's order."""
    pairs = [["citation_title", paper.title]]
    pairs += [["citation_author", site.authors[slug].name] for slug in paper.authors]
    # Google Scholar asks for year/month/day; an estimated date is only a year and month.
    date = paper.shown_date.replace("-", "/")
    pairs += [["citation_publication_date", date],
              ["citation_arxiv_id", paper.arxiv.base],
              ["citation_pdf_url", ids.pdf_url(paper.arxiv)],
              ["citation_doi", paper.doi or cite.doi(paper)]]
    return pairs


def scholarly_article(paper: Paper, site: Site, page_url: str, site_name: str
                      ) -> dict[str, Any]:
    """schema.org ``ScholarlyArticle`` of the paper, with this digest as its ``review``."""
    date = paper.shown_date
    doi = paper.doi or cite.doi(paper)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title,
        "author": [{"@type": "Person", "name": site.authors[slug].name}
                   for slug in paper.authors],
        "datePublished": date,
        "identifier": [f"arXiv:{paper.arxiv.base}", f"doi:{doi}"],
        "url": ids.abs_url(ids.ArxivId(paper.arxiv.base)),
        "sameAs": f"https://doi.org/{doi}",
        "encoding": {"@type": "MediaObject", "encodingFormat": "application/pdf",
                     "contentUrl": ids.pdf_url(paper.arxiv)},
        "keywords": [site.tags[slug].name for slug in paper.tags],
        "review": {
            "@type": "Review",
            "url": page_url,
            "inLanguage": "ja",
            "reviewBody": paper.blurb,
            "publisher": {"@type": "Organization", "name": site_name},
        },
    }
    return article


def front_matter_json(value: object) -> str:
    """``value`` as one line of JSON, which is also a YAML flow value for front matter.

    YAML reads U+2028, U+2029 and U+0085 as line breaks even inside quotes; escaped, they
    reach the page unchanged.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=False).translate(_LINE_BREAKS)
