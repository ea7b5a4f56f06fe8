"""Atom feeds, the JSON Feed and papers.json, read back with real parsers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import DATA
from paperdigest.content.loader import load_site
from paperdigest.content.model import Site
from paperdigest.site import feeds, paths
from paperdigest.site.render import render_files
from paperdigest.site.settings import default_project

ATOM = "{http://www.w3.org/2005/Atom}"
OPTIONS = default_project(DATA, site_url="https://example.org/digest/",
                          site_name="論文ダイジェスト")


@pytest.fixture(scope="module")
def site() -> Site:
    root = DATA / "reader"
    return load_site(root / "content", root=root)


@pytest.fixture(scope="module")
def files(site: Site) -> dict[str, str | bytes]:
    return render_files(site, OPTIONS)


def test_every_feed_is_listed(files: dict[str, str | bytes]) -> None:
    assert list(files) == [
        "feed.xml", "feed.json",
        "authors/alice-smith/feed.xml", "authors/bob-jones/feed.xml",
        "authors/carol-white/feed.xml", "authors/dan-brown/feed.xml",
        "tags/llm/feed.xml", "tags/rl/feed.xml", "tags/vision/feed.xml",
        "papers.json",
    ]


def test_site_feed_parses_as_atom(files: dict[str, str | bytes]) -> None:
    parsed = feedparser.parse(files["feed.xml"])
    assert parsed.bozo is False
    assert parsed.version == "atom10"
    assert parsed.feed.title == "論文ダイジェスト"
    assert parsed.feed.id == "https://example.org/digest/"
    assert parsed.feed.updated == "2025-03-15T00:00:00Z"
    assert [e.title for e in parsed.entries] == [
        "大規模言語モデルの視覚拡張", "Alpha: Scaling Reward Models & Tokens",
        "Beta Language Models", "Gamma Policy Search", "Delta Vision {Backbones}",
    ]
    first = parsed.entries[0]
    assert first.id == "https://example.org/digest/papers/2503.00005/"
    assert first.link == "https://example.org/digest/papers/2503.00005/"
    assert first.summary == "視覚と言語をつなぐ #LLM"
    assert [a.name for a in first.authors] == ["Bob Jones", "Carol White"]
    assert [t.term for t in first.tags] == ["cs.CL", "LLM", "Vision"]
    assert first.published == "2025-03-15T00:00:00Z"


def test_atom_has_every_required_element(files: dict[str, str | bytes]) -> None:
    """RFC 4287: feed and entries need id, title, updated; an author somewhere; self link."""
    for path in (p for p in files if p.endswith(".xml")):
        data = files[path]
        assert isinstance(data, bytes)
        feed = ET.fromstring(data)
        assert feed.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{name}") is not None, (path, name)
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None
        assert self_link.get("href") == "https://example.org/digest/" + path
        ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
        assert ids and len(ids) == len(set(ids))
        for entry in feed.iter(f"{ATOM}entry"):
            for name in ("id", "title", "updated", "summary"):
                assert entry.find(f"{ATOM}{name}") is not None, (path, name)
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None


def test_author_and_tag_feeds_hold_only_their_papers(files: dict[str, str | bytes]) -> None:
    alice = feedparser.parse(files["authors/alice-smith/feed.xml"])
    assert alice.feed.title == "Alice Smith — 論文ダイジェスト"
    assert alice.feed.link == "https://example.org/digest/authors/alice-smith/"
    assert [e.id.rsplit("/", 2)[1] for e in alice.entries] == ["2503.00001", "2502.00002"]
    vision = feedparser.parse(files["tags/vision/feed.xml"])
    assert [e.id.rsplit("/", 2)[1] for e in vision.entries] == ["2503.00005", "2412.00004"]
    assert vision.feed.updated == "2025-03-15T00:00:00Z"


def test_feed_is_capped_and_empty_feed_is_still_valid(site: Site) -> None:
    info = feeds.FeedInfo("t", paths.HOME, paths.FEED)
    empty = ET.fromstring(feeds.atom(site, (), info, "https://e.org/", "s"))
    assert empty.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    many = ET.fromstring(feeds.atom(site, site.papers * 20, info, "https://e.org/", "s"))
    assert len(many.findall(f"{ATOM}entry")) == feeds.FEED_ENTRIES


def test_json_feed_structure(files: dict[str, str | bytes]) -> None:
    doc = json.loads(files["feed.json"])
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == "https://example.org/digest/feed.json"
    assert doc["home_page_url"] == "https://example.org/digest/"
    item = doc["items"][1]
    assert item == {
        "id": "https://example.org/digest/papers/2503.00001/",
        "url": "https://example.org/digest/papers/2503.00001/",
        "external_url": "https://arxiv.org/abs/2503.00001v1",
        "title": "Alpha: Scaling Reward Models & Tokens",
        "summary": "報酬モデルを拡張 #LLM",
        "content_text": "報酬モデルを拡張 #LLM",
        "date_published": "2025-03-01T00:00:00Z",
        "date_modified": "2025-03-01T00:00:00Z",
        "authors": [
            {"name": "Alice Smith", "url": "https://example.org/digest/authors/alice-smith/"},
            {"name": "Bob Jones", "url": "https://example.org/digest/authors/bob-jones/"},
        ],
        "tags": ["LLM", "RL"],
        "language": "ja",
    }


def test_papers_json_matches_the_content(files: dict[str, str | bytes], site: Site) -> None:
    data = files["papers.json"]
    assert isinstance(data, bytes)
    doc = json.loads(data)
    assert doc["count"] == len(site.papers) == len(doc["papers"])
    assert [r["id"] for r in doc["papers"]] == [p.arxiv.base for p in site.papers]
    record = doc["papers"][1]
    paper = site.papers[1]
    assert record["title"] == paper.title
    assert record["authors"] == ["Alice Smith", "Bob Jones"]
    assert record["date"] == "2025-03-01"
    assert record["added"] is None  # not known: no added: and no git history here
    assert record["tags"] == ["LLM", "RL"]
    assert record["category"] == "cs.CL"
    assert record["blurb"] == "報酬モデルを拡張 #LLM"
    assert record["url"] == "https://example.org/digest/papers/2503.00001/"
    assert [s["number"] for s in record["sections"]] == list(range(1, 9))
    assert record["sections"][1]["markdown"] == paper.sections[1].body
    assert record["sections"][1]["title"] == "どのようなアプローチでそれを解決しようとしたか"


def test_output_is_deterministic(site: Site) -> None:
    assert render_files(site, OPTIONS) == render_files(site, OPTIONS)


def test_control_characters_never_reach_the_xml(site: Site) -> None:
    info = feeds.FeedInfo("bad\x01title", paths.HOME, paths.FEED)
    doc = feeds.atom(site, site.papers, info, "https://e.org/", "s")
    assert ET.fromstring(doc).findtext(f"{ATOM}title") == "badtitle"

