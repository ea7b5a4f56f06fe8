"""Page head metadata of built sites: share cards (Open Graph, X), Google Scholar, JSON-LD."""

from __future__ import annotations

import json
import shutil
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SITE_URL, digest, write_tree
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from paperdigest.content.loader import check_content
from paperdigest.content.model import Site
from paperdigest.site.gate import ScriptPolicy, scan_page
from test_site_build import build

Make = Callable[[Mapping[str, str | bytes]], Path]

HOSTILE_TITLE = "</script><script>alert(1)</script><!-- & 'q' \"dq\""
HOSTILE_NAME = "Eve <!--<script>"
FRONT = (
    'arxiv: "2503.04504"\nauthors:\n  - Sunghyun Ahn\n  - Youngwan Jo\n  - Kijung Lee\n'
    "date: 2025-03-06\ncategory: cs.CV\ntags: [LLM]\n"
)
HOSTILE_FRONT = (
    'arxiv: "2501.00001"\nauthors:\n  - Eve\n  - Bob\n'
    "date: 2025-01-02\ncategory: cs.CL\n"
)
BLURB = "再学習なしで異常検知 #異常検知 #ZeroShot"


class Head(HTMLParser):
    """The ``<meta>`` tags and JSON-LD blocks of a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and "content" in a:
            self.meta.append((a.get("property") or a.get("name") or "", a["content"] or ""))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"
        if self._in_ld:
            self.ld.append("")

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.meta if k == name]


def head_of(page: Path) -> Head:
    head = Head()
    head.feed(page.read_text(encoding="utf-8"))
    return head


def hostile(site: Site) -> Site:
    """``site`` with a title and an author name that content validation would refuse.

    Validation keeps ``<`` out of names and titles; the page head must be safe without it.
    """
    papers = list(site.papers)
    at = next(i for i, p in enumerate(papers) if p.arxiv.base == "2501.00001")
    papers[at] = replace(papers[at], title=HOSTILE_TITLE)
    authors = dict(site.authors)
    slug = papers[at].authors[0]
    authors[slug] = replace(authors[slug], name=HOSTILE_NAME)
    return replace(site, papers=tuple(papers), authors=authors)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One small site, built for real in this process, with one hostile digest."""
    root = tmp_path_factory.mktemp("meta")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "site_url: https://paperdigest.example.org/", f"site_url: {SITE_URL}")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    write_tree(root, {
        "mkdocs.yml": config,
        "content/pages/about.md": "# About\n\nサンプル。\n",
        "content/papers/a.md": digest(front=FRONT),
        "content/papers/b.md": digest("2501.00001", front=HOSTILE_FRONT, title="Plain"),
        "content/authors/sunghyun-ahn.yaml": "name: Sunghyun Ahn\naffiliation: Korea Univ.\n",
    })
    real = check_content

    def check(*args: Any, **kwargs: Any) -> Any:
        site, problems = real(*args, **kwargs)
        return (hostile(site) if site is not None else None), problems

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("paperdigest.site.outputs.check_content", check)
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"),
                                 strict=True))
    yield root / "site"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_paper_page_share_meta(built: Path) -> None:
    head = head_of(built / "papers" / "2503.04504" / "index.html")
    image = f"{SITE_URL}assets/cards/papers/2503.04504.png"
    assert head.values("og:type") == ["article"]
    assert head.values("og:image") == [image]
    assert head.values("og:image:width") == ["1200"]
    assert head.values("og:image:height") == ["630"]
    assert head.values("og:image:alt") == ["AnyAnomaly — paperdigest のダイジェスト"]
    assert head.values("twitter:card") == ["summary_large_image"]
    assert head.values("twitter:image") == [image]
    assert head.values("description") == [BLURB]
    assert head.values("og:description") == [BLURB]
    assert head.values("article:published_time") == ["2025-03-06"]
    assert head.values("article:tag") == ["LLM", "異常検知", "ZeroShot"]
    assert png_size(built / "assets" / "cards" / "papers" / "2503.04504.png") == (1200, 630)


def test_author_and_tag_pages_have_cards(built: Path) -> None:
    author = head_of(built / "authors" / "sunghyun-ahn" / "index.html")
    assert author.values("og:image") == [f"{SITE_URL}assets/cards/authors/sunghyun-ahn.png"]
    assert author.values("twitter:card") == ["summary_large_image"]
    assert author.values("description") == ["Sunghyun Ahn の論文ダイジェスト 1 本"]
    tag = head_of(built / "tags" / "llm" / "index.html")
    assert tag.values("og:image") == [f"{SITE_URL}assets/cards/tags/llm.png"]
    for path in ("authors/sunghyun-ahn.png", "tags/llm.png"):
        assert png_size(built / "assets" / "cards" / path) == (1200, 630)


def test_other_pages_keep_the_site_description(built: Path) -> None:
    head = head_of(built / "about" / "index.html")
    assert head.values("description") == ["研究論文のダイジェスト — 8 つの問いと 140 字の要約"]
    assert head.values("og:description") == ["研究論文のダイジェスト — 8 つの問いと 140 字の要約"]
    assert head.values("og:title") == ["このサイトについて"]  # its title in the nav
    assert head.values("og:image") == [f"{SITE_URL}assets/cards/site.png"]


SHARE_META = ("og:title", "og:description", "og:image", "og:url", "twitter:card")


def test_every_page_has_absolute_share_meta(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    kinds = {p.relative_to(built).parts[0] for p in pages}
    assert {"index.html", "papers", "tags", "authors", "categories", "archive", "stats",
            "wanted", "ranking", "blurbs", "about", "404.html"} <= kinds
    for page in pages:
        rel = page.relative_to(built).as_posix()
        head = head_of(page)
        for name in SHARE_META:
            assert len(head.values(name)) == 1 and head.values(name)[0].strip(), (rel, name)
        image, url = head.values("og:image")[0], head.values("og:url")[0]
        assert image.startswith(SITE_URL) and image.endswith(".png"), rel
        assert (built / image.removeprefix(SITE_URL)).is_file(), rel
        own = SITE_URL + rel.removesuffix("index.html") if rel != "404.html" else SITE_URL
        assert url == own, rel
        assert head.values("twitter:card") == ["summary_large_image"], rel
    assert png_size(built / "assets" / "cards" / "site.png") == (1200, 630)
    home = head_of(built / "index.html")
    assert home.values("og:image") == [f"{SITE_URL}assets/cards/site.png"]
    assert home.values("og:description")[0].startswith("paperdigest: 論文ダイジェスト 2 本")


def test_google_scholar_tags(built: Path) -> None:
    head = head_of(built / "papers" / "2503.04504" / "index.html")
    assert [(k, v) for k, v in head.meta if k.startswith("citation_")] == [
        ("citation_title", "AnyAnomaly"),
        ("citation_author", "Sunghyun Ahn"),
        ("citation_author", "Youngwan Jo"),
        ("citation_author", "Kijung Lee"),
        ("citation_publication_date", "2025/03/06"),
        ("citation_arxiv_id", "2503.04504"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2503.04504v1"),
        ("citation_doi", "10.48550/arXiv.2503.04504"),
    ]


def test_json_ld_scholarly_article(built: Path) -> None:
    head = head_of(built / "papers" / "2503.04504" / "index.html")
    assert len(head.ld) == 1
    assert json.loads(head.ld[0]) == {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": "AnyAnomaly",
        "headline": "AnyAnomaly",
        "author": [{"@type": "Person", "name": n}
                   for n in ("Sunghyun Ahn", "Youngwan Jo", "Kijung Lee")],
        "datePublished": "2025-03-06",
        "identifier": ["arXiv:2503.04504", "doi:10.48550/arXiv.2503.04504"],
        "url": "https://arxiv.org/abs/2503.04504",
        "sameAs": "https://doi.org/10.48550/arXiv.2503.04504",
        "encoding": {"@type": "MediaObject", "encodingFormat": "application/pdf",
                     "contentUrl": "https://arxiv.org/pdf/2503.04504v1"},
        "keywords": ["LLM", "異常検知", "ZeroShot"],
        "review": {"@type": "Review", "url": f"{SITE_URL}papers/2503.04504/",
                   "inLanguage": "ja", "reviewBody": BLURB,
                   "publisher": {"@type": "Organization", "name": "paperdigest"}},
    }


def test_hostile_title_and_name_cannot_leave_the_json_ld(built: Path) -> None:
    html = (built / "papers" / "2501.00001" / "index.html").read_text(encoding="utf-8")
    head = head_of(built / "papers" / "2501.00001" / "index.html")
    assert len(head.ld) == 1
    data = json.loads(head.ld[0])
    assert data["name"] == HOSTILE_TITLE
    assert [a["name"] for a in data["author"]] == [HOSTILE_NAME, "Bob"]
    start = html.index('<script type="application/ld+json">')
    block = html[start:html.index("</script>", start)]
    assert "<!--" not in block and "<script" not in block[8:]
    assert head.values("citation_title") == [HOSTILE_TITLE]
    assert head.values("citation_author") == [HOSTILE_NAME, "Bob"]
    # Every <script> of the page is the theme's or this one: the hostile title added none.
    assert html.count("<script") == html.count("</script>")
    assert "<script>alert(1)" not in html


def test_cards_can_be_turned_off(project: Make) -> None:
    root = project({"content/papers/a.md": digest(front=FRONT)})
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("  - paperdigest\n",
                                                      "  - paperdigest:\n      cards: false\n")
    config.write_text(text, encoding="utf-8")
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    head = head_of(root / "site" / "papers" / "2503.04504" / "index.html")
    assert head.values("og:image") == []
    assert head.values("twitter:card") == ["summary"]
    assert head.values("description") == [BLURB]
    assert not (root / "site" / "assets" / "cards").exists()


# --- the gate accepts exactly JSON data blocks ----------------------------------------------
POLICY = ScriptPolicy(files=frozenset())
LD = '<script type="application/ld+json">{}</script>'


@pytest.mark.parametrize(("script", "found"), [
    ('<script type="application/ld+json">{"name": "\\u003c/script\\u003e"}</script>', False),
    ('<script id="__config" type="application/json">{"base": ".."}</script>', False),
    ('<script type="application/ld+json">alert(1)</script>', True),
    ('<script type="application/ld+json">{"a": "<!--"}</script>', True),
    ('<script type="application/ld+json">{"a": "<script>"}</script>', True),
    ('<script type="application/ld+json" src="https://evil.example/x.js"></script>', True),
    ('<script type="application/ld+json" nonce="x">{}</script>', True),
    ('<script type="text/javascript">{}</script>', True),
], ids=["escaped", "material-config", "code", "comment-opener", "script-opener", "src",
        "other-attribute", "javascript"])
def test_gate_accepts_only_json_data_blocks(script: str, found: bool) -> None:
    page = f"<html><head>{script}</head><body><p>x</p></body></html>"
    assert bool(scan_page(page, "papers/x/index.html", POLICY)) is found
