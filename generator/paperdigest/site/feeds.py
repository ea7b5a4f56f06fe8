"""Atom feeds (site, per author, per tag) and a JSON Feed of the newest digests.

Feeds are built from the model alone: every date is the day a digest was added (``added:``,
else the day git first saw its file, else the paper's date), never the clock, so the same
content gives the same bytes; entries come newest added first, so a digest of an old paper
added today leads. Entry ids are the permanent page URLs (RFC 4287 §4.2.6
asks for an IRI that never changes; the page URL is derived from the arXiv id, which does
not change either).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..content import ids
from ..content.model import SECTION_TITLES, Paper, Site
from . import paths

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_ENTRIES = 50
"""Newest papers per feed: readers poll feeds, so they stay small whatever the site size."""
EPOCH = dt.date(1970, 1, 1)
"""``updated`` of a feed without entries (RFC 4287 requires one; the clock is not used)."""

# Characters XML 1.0 forbids even when escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")



@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    title: str
    page: str
    """Source URI of the HTML page the feed mirrors (home, author or tag page)."""
    path: str
    """Site-relative path of the feed file."""
    subtitle: str | None = None


def timestamp(day: dt.date) -> str:
    """RFC 3339 timestamp of the start of a day in UTC (Atom and JSON Feed both take it)."""
    return f"{day.isoformat()}T00:00:00Z"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _x(value: str) -> str:
    return escape(_text(value))


def _a(value: str) -> str:
    return quoteattr(_text(value))


def atom(site: Site, papers: Sequence[Paper], info: FeedInfo, site_url: str,
         site_name: str, entries: dict[str, str] | None = None) -> bytes:
    """An Atom 1.0 document of the newest ``FEED_ENTRIES`` of ``papers`` (newest first).

    ``entries`` caches each paper's ``<entry>``: a paper appears in the site feed and in the
    feed of each of its authors and tags, and is written out only once.
    """
    cache = entries if entries is not None else {}
    chosen = list(papers[:FEED_ENTRIES])
    page_url = paths.absolute(site_url, info.page)
    updated = max((p.added_on for p in chosen), default=EPOCH)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="ja">',
        f"  <id>{_x(page_url)}</id>",
        f"  <title>{_x(info.title)}</title>",
    ]
    if info.subtitle:
        head.append(f"  <subtitle>{_x(info.subtitle)}</subtitle>")
    head += [
        f"  <updated>{timestamp(updated)}</updated>",
        f'  <link rel="self" type="application/atom+xml" '
        f"href={_a(paths.absolute_file(site_url, info.path))} />",
        f'  <link rel="alternate" type="text/html" href={_a(page_url)} />',
        # A feed-level author makes every entry valid even when a paper lists none (§4.1.1).
        f"  <author>\n    <name>{_x(site_name)}</name>\n  </author>",
        "  <generator>paperdigest</generator>",
    ]
    body = []
    for paper in chosen:
        text = cache.get(paper.slug)
        if text is None:
            text = cache[paper.slug] = _entry(site, paper, site_url)
        body.append(text)
    return ("\n".join([*head, *body, "</feed>"]) + "\n").encode("utf-8")


def _entry(site: Site, paper: Paper, site_url: str) -> str:
    url = paths.absolute(site_url, paths.paper(paper))
    out = [
        "  <entry>",
        f"    <id>{_x(url)}</id>",
        f"    <title>{_x(paper.title)}</title>",
        f"    <published>{timestamp(paper.added_on)}</published>",
        f"    <updated>{timestamp(paper.added_on)}</updated>",
        f'    <link rel="alternate" type="text/html" href={_a(url)} />',
        f'    <link rel="related" type="text/html" href={_a(ids.abs_url(paper.arxiv))} '
        f"title={_a('arXiv:' + paper.arxiv.full)} />",
    ]
    for slug in paper.authors:
        out += ["    <author>", f"      <name>{_x(site.authors[slug].name)}</name>",
                f"      <uri>{_x(paths.absolute(site_url, paths.author(slug)))}</uri>",
                "    </author>"]
    if paper.category:
        out.append(f'    <category term={_a(paper.category)} scheme="https://arxiv.org/archive/" '
                   f"label={_a(paper.category)} />")
    tags_scheme = _a(paths.absolute(site_url, paths.TAGS))
    for slug in paper.tags:
        name = site.tags[slug].name
        out.append(f"    <category term={_a(name)} scheme={tags_scheme} label={_a('#' + name)} />")
    summary = paper.blurb if not paper.blurb_en else f"{paper.blurb}\n\n{paper.blurb_en}"
    out += [f'    <summary type="text">{_x(summary)}</summary>', "  </entry>"]
    return "\n".join(out)


def json_feed(site: Site, site_url: str, site_name: str) -> bytes:
    """A JSON Feed 1.1 of the newest digests of the whole site."""
    items = []
    for paper in site.papers[:FEED_ENTRIES]:
        url = paths.absolute(site_url, paths.paper(paper))
        items.append({
            "id": url,
            "url": url,
            "external_url": ids.abs_url(paper.arxiv),
            "title": paper.title,
            "summary": paper.blurb,
            "content_text": paper.blurb if not paper.blurb_en
            else f"{paper.blurb}\n\n{paper.blurb_en}",
            "date_published": timestamp(paper.added_on),
            "date_modified": timestamp(paper.added_on),
            "authors": [{"name": site.authors[s].name,
                         "url": paths.absolute(site_url, paths.author(s))} for s in paper.authors],
            "tags": [site.tags[t].name for t in paper.tags],
            "language": "ja",
        })
    doc = {
        "version": JSON_FEED_VERSION,
        "title": site_name,
        "home_page_url": paths.absolute(site_url, paths.HOME),
        "feed_url": paths.absolute_file(site_url, paths.JSON_FEED),
        "language": "ja",
        "authors": [{"name": site_name}],
        "items": items,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def site_feeds(site: Site, site_url: str, site_name: str) -> dict[str, bytes]:
    """Every feed of the site: ``{site-relative path: bytes}``, in a stable order."""
    entries: dict[str, str] = {}
    out = {
        paths.FEED: atom(site, site.papers,
                         FeedInfo(site_name, paths.HOME, paths.FEED, "新着の論文ダイジェスト"),
                         site_url, site_name, entries),
        paths.JSON_FEED: json_feed(site, site_url, site_name),
    }
    for slug, author in site.authors.items():
        info = FeedInfo(f"{author.name} — {site_name}", paths.author(slug),
                        paths.author_feed(slug), f"{author.name} の論文ダイジェスト")
        out[info.path] = atom(site, site.papers_by_author.get(slug, ()), info, site_url,
                              site_name, entries)
    for slug, tag in site.tags.items():
        info = FeedInfo(f"#{tag.name} — {site_name}", paths.tag(slug), paths.tag_feed(slug),
                        f"タグ #{tag.name} の論文ダイジェスト")
        out[info.path] = atom(site, site.papers_by_tag.get(slug, ()), info, site_url, site_name,
                              entries)
    return out


PAPERS_JSON_VERSION = 1


def papers_json(site: Site, site_url: str) -> bytes:
    """``papers.json``: one record per digest, newest added first, for reuse by other tools."""
    records = []
    for paper in site.papers:
        records.append({
            "id": paper.arxiv.base,
            "version": paper.arxiv.version,
            "title": paper.title,
            "authors": [site.authors[s].name for s in paper.authors],
            "author_names": list(paper.author_names),
            "date": paper.date.isoformat(),
            "date_is_estimated": paper.date_is_estimated,
            # Only a known day: a reader of the file can tell it from the paper's date.
            "added": paper.added.isoformat() if paper.added else None,
            "category": paper.category,
            "tags": [site.tags[t].name for t in paper.tags],
            "blurb": paper.blurb,
            "blurb_en": paper.blurb_en,
            "code": paper.code,
            "doi": paper.doi,
            "url": paths.absolute(site_url, paths.paper(paper)),
            "arxiv_url": ids.abs_url(paper.arxiv),
            "sections": [{"number": s.number, "title": SECTION_TITLES[s.number],
                          "heading": s.heading, "markdown": s.body} for s in paper.sections],
        })
    doc = {"format": PAPERS_JSON_VERSION, "site": site_url, "count": len(records),
           "papers": records}
    # One record per line: diffs of the file stay readable, and it streams.
    body = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    head = json.dumps({k: v for k, v in doc.items() if k != "papers"}, ensure_ascii=False)
    return (head[:-1] + ', "papers": [\n' + body + "\n]}\n").encode("utf-8")
