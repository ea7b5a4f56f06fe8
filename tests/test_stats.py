"""Stats charts (inline SVG), archive and category groupings, reading time."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from conftest import DATA
from paperdigest.content.loader import load_site
from paperdigest.content.model import Section, Site
from paperdigest.site import stats
from paperdigest.site.render import RenderOptions, render_site

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def site() -> Site:
    root = DATA / "reader"
    return load_site(root / "content", root=root)


def test_charts_are_well_formed_svg_with_text(site: Site) -> None:
    charts = stats.charts(site)
    assert list(charts) == ["months", "years", "tags", "authors"]
    for chart in charts.values():
        svg = ET.fromstring(chart.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
        assert svg.get("role") == "img"
        assert svg.get("fill") == "currentColor"  # follows light and dark palettes
        assert svg.find(f"{SVG}title") is not None
        assert "\n\n" not in chart  # a blank line would end the raw HTML block
    tags = charts["tags"]
    assert "<title>#LLM: 3 本</title>" in tags
    assert tags.index("#LLM") < tags.index("#RL")
    assert "<title>Alice Smith: 2 本</title>" in charts["authors"]
    assert "<title>2025-03: 2 本</title>" in charts["months"]
    assert "var(--md-accent-fg-color,currentColor)" in tags


def test_charts_are_deterministic(site: Site) -> None:
    assert stats.charts(site) == stats.charts(site)


def test_month_series_fills_gaps_with_zeros(site: Site) -> None:
    series = stats.month_series(site.papers, months=5)
    assert series == [("2024-11", 0), ("2024-12", 1), ("2025-01", 1), ("2025-02", 1),
                      ("2025-03", 2)]
    assert stats.year_series(site.papers) == [("2024", 1), ("2025", 4)]
    assert stats.month_series(()) == []


def test_groupings(site: Site) -> None:
    assert [(ym, len(p)) for ym, p in stats.by_month(site.papers)] == [
        ((2025, 3), 2), ((2025, 2), 1), ((2025, 1), 1), ((2024, 12), 1)]
    assert [(c, len(p)) for c, p in stats.by_category(site.papers)] == [
        ("cs.CL", 3), ("cs.CV", 1), ("cs.LG", 1)]
    mixed = [dataclasses.replace(p, category="cs.cl") if p.slug == "2502.00002" else p
             for p in site.papers]
    name, papers = stats.by_category(mixed)[0]
    assert (name, len(papers)) == ("cs.CL", 3)


def test_reading_time_counts_japanese_by_characters(site: Site) -> None:
    long = next(p for p in site.papers if p.slug == "2503.00001")  # ~1,100 Japanese chars
    short = next(p for p in site.papers if p.slug == "2502.00002")
    assert stats.reading_minutes(long) == 3
    assert stats.reading_minutes(short) == 1
    english = dataclasses.replace(short, blurb="", sections=(
        Section(1, "h", " ".join(["word"] * 450), 1),))
    assert stats.reading_minutes(english) == 3  # 450 words at 200 per minute


def test_reader_pages_are_rendered(site: Site) -> None:
    pages = render_site(site, RenderOptions(per_page=1))
    assert "[3 月 (2)](../archive/2025-03.md)" in pages["archive/index.md"]
    assert pages["archive/index.md"].index("## 2025 年") < pages["archive/index.md"].index(
        "## 2024 年")
    assert "archive/2025-03/page/2.md" in pages
    assert "| [cs\\.CL](../categories/cs.cl.md) | 3 |" in pages["categories/index.md"]
    assert "categories/cs.cl/page/3.md" in pages
    stats_page = pages["stats/index.md"]
    assert stats_page.count("<svg ") == 4
    assert "[#LLM](../tags/llm.md){ .pd-tag } (3)" in stats_page
    paper = pages["papers/2503.00001.md"]
    assert "**読了目安**: 約 3 分" in paper
    assert "[cs\\.CL](../categories/cs.cl.md)" in paper
    assert "- [大規模言語モデルの視覚拡張](../papers/2503.00005.md)" in paper
    assert "@misc{smith2025alpha," in paper
    assert "[Atom フィード](../authors/alice-smith/feed.xml)" in pages["authors/alice-smith.md"]
    assert 'pd_feed: "tags/llm/feed.xml"' in pages["tags/llm.md"]
