"""Every page path and link of the site. The only module that builds one.

Pages are addressed by their MkDocs source URI (``papers/2503.04504.md``); MkDocs turns
them into directory URLs (``papers/2503.04504/``). Links between generated pages are
relative ``.md`` links, so ``mkdocs build --strict`` validates every one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..content.ids import RESERVED_AUTHOR_SLUGS, RESERVED_TAG_SLUGS
from ..content.model import Author, Paper, Tag
from ..content.pages import RESERVED

__all__ = ["RESERVED_AUTHOR_SLUGS", "RESERVED_TAG_SLUGS"]

HOME = "index.md"
PAPERS = "papers/index.md"
AUTHORS = "authors/index.md"
TAGS = "tags/index.md"
BLURBS = "blurbs/index.md"
ARCHIVE = "archive/index.md"
CATEGORIES = "categories/index.md"
STATS = "stats/index.md"
WANTED = "wanted/index.md"
"""Works of recorded authors that have no digest yet: the contributors' queue."""
RANKING = "ranking/index.md"
"""Digests ordered by their ``score:``."""

# Files that are not pages (feeds, exports): site-relative output paths, not source URIs.
FEED = "feed.xml"
JSON_FEED = "feed.json"
PAPERS_JSON = "papers.json"



SITE_LEVEL = frozenset({"assets", "search", "pagefind", "404.md", "404.html", "sitemap.xml",
                        "sitemap.xml.gz", "robots.txt"})
"""Top-level names that stay at the site's top whatever ``root:`` says (theme and paperdigest
assets, the search index, the 404 page and MkDocs' sitemap)."""
_MOUNT_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

# An empty, "." or ".." segment, a leading "/", a backslash, NUL or another control character.
_UNSAFE_PATH = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|[\x00-\x1f\x7f\\]")


def inside(path: str) -> str:
    """``path`` itself, after making sure it stays inside the output tree.

    Slugs are validated long before this (ids by regex, slugs built from letters and
    digits); this is the last guard, so a future bug cannot write outside ``site/``.

    Raises:
        ValueError: on ``..``, an absolute path, a backslash, NUL or a control character.
    """
    if _UNSAFE_PATH.search(path):
        raise ValueError(f"generated path {path!r} would leave the output tree")
    return path


def paper(p: Paper) -> str:
    return inside(f"papers/{p.slug}.md")


def author(a: Author | str) -> str:
    return inside(f"authors/{a if isinstance(a, str) else a.slug}.md")


def tag(t: Tag | str) -> str:
    return inside(f"tags/{t if isinstance(t, str) else t.slug}.md")


def authors_initial(initial: str) -> str:
    return f"authors/initial/{initial}.md"


def archive_month(year: int, month: int) -> str:
    return f"archive/{year:04d}-{month:02d}.md"


def category(name: str) -> str:
    """Page of an arXiv category (``cs.CV`` -> ``categories/cs.cv.md``)."""
    return inside(f"categories/{name.lower()}.md")


def author_feed(a: Author | str) -> str:
    """Atom feed of an author, beside the author's page (``authors/<slug>/feed.xml``)."""
    return f"authors/{a if isinstance(a, str) else a.slug}/feed.xml"


def tag_feed(t: Tag | str) -> str:
    return f"tags/{t if isinstance(t, str) else t.slug}/feed.xml"


CARDS = "assets/cards"
"""Folder of the share cards (PNG), by kind: ``papers/``, ``authors/``, ``tags/``."""


def paper_card(p: Paper) -> str:
    """Share card of a paper: ``assets/cards/papers/2503.04504.png``."""
    return inside(f"{CARDS}/papers/{p.slug}.png")


def author_card(a: Author | str) -> str:
    return inside(f"{CARDS}/authors/{a if isinstance(a, str) else a.slug}.png")


def tag_card(t: Tag | str) -> str:
    return inside(f"{CARDS}/tags/{t if isinstance(t, str) else t.slug}.png")


SITE_CARD = f"{CARDS}/site.png"
"""The site's own card: ``og:image`` of every page without a card of its own."""


def mount_point(root: str) -> str:
    """The ``root:`` setting as a folder path (``papers``, ``docs/papers``; ``""``: the top).

    Raises:
        ValueError: a segment that is ``..`` or not a plain name (letters, digits, ``-``,
            ``_``, ``.``), or a first folder the site keeps for itself (``assets``).
    """
    root = root.strip().strip("/")
    if not root:
        return ""
    for part in root.split("/"):
        if not _MOUNT_PART.fullmatch(part) or part in (".", ".."):
            raise ValueError(f"root: {root!r} is not a folder path: use names of letters, "
                             "digits, '-', '_' and '.' joined by '/', e.g. root: papers")
    if root.split("/")[0] in SITE_LEVEL:
        raise ValueError(f"root: {root!r} is where the site keeps its "
                         f"'{root.split('/')[0]}': choose another folder")
    return root


def reserved(mount: str) -> frozenset[str]:
    """First path parts a hand-written page may not take, for the ``root:`` folder ``mount``.

    At the top (``""``) the site's own ``index.md`` is allowed: it is the home page, and the
    digest home yields to it. Under a folder, only that folder and the site-level names."""
    if not mount:
        return RESERVED - {HOME}
    return SITE_LEVEL | {mount.split("/")[0]}


def mounted(mount: str, path: str) -> str:
    """Where a generated page or file (``papers/2503.04504.md``, ``feed.xml``) sits in the
    site: under the ``root:`` folder."""
    return inside(f"{mount}/{path}" if mount else path)


def base_url(site_url: str, mount: str) -> str:
    """Absolute URL of the generated pages' root: ``site_url`` plus the ``root:`` folder."""
    return site_url.rstrip("/") + "/" + (f"{mount}/" if mount else "")


def absolute_file(site_url: str, path: str) -> str:
    """Absolute URL of a non-page file (feed, ``papers.json``)."""
    return site_url.rstrip("/") + "/" + path


def page_n(first: str, n: int) -> str:
    """Page ``n`` (1-based) of a paginated listing whose first page is ``first``."""
    if n == 1:
        return first
    stem = first[: -len("/index.md")] if first.endswith("/index.md") else first[: -len(".md")]
    return f"{stem}/page/{n}.md"


def url(src_uri: str) -> str:
    """Site-relative directory URL of a page: ``papers/2503.04504/``, ``""`` for home."""
    if src_uri == HOME:
        return ""
    if src_uri.endswith("/index.md"):
        return src_uri[: -len("index.md")]
    return src_uri[: -len(".md")] + "/"


def absolute(site_url: str, src_uri: str) -> str:
    """Absolute URL of a page, for share links and feeds."""
    return site_url.rstrip("/") + "/" + url(src_uri)


@dataclass(frozen=True)
class Linker:
    """Relative links from one page; templates get one bound to the page they render.

    A link is the way up to the docs root followed by the target's source URI
    (``../papers/2503.04504.md``): no path arithmetic per link, and MkDocs normalises and
    validates each one.
    """

    here: str
    """Source URI of the page being rendered."""

    @property
    def up(self) -> str:
        """``../`` once per folder level of ``here``."""
        return "../" * self.here.count("/")

    def __call__(self, target: str) -> str:
        return self.up + target

    def paper(self, p: Paper) -> str:
        return self.up + paper(p)

    def author(self, a: Author | str) -> str:
        return self.up + author(a)

    def tag(self, t: Tag | str) -> str:
        return self.up + tag(t)


_PROFILE_URLS = {
    "homepage": "{}",
    "x": "https://x.com/{}",
    "github": "https://github.com/{}",
    "orcid": "https://orcid.org/{}",
    "google_scholar": "https://scholar.google.com/citations?user={}",
    "semantic_scholar": "https://www.semanticscholar.org/author/{}",
    "openalex": "https://openalex.org/{}",
}


def profile_url(kind: str, value: str) -> str:
    """URL of an author's profile of the given kind (``x``, ``orcid``, …)."""
    if kind == "openalex" and value.startswith("https://"):
        return value
    return _PROFILE_URLS[kind].format(value.lstrip("@"))
