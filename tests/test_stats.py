"""Stats charts (inline SVG), archive and category groupings, reading time."""

from __future__ import annotations

import dataclasses
import itertools
import xml.etree.ElementTree as ET

import pytest
from conftest import DATA
from paperdigest.content.loader import load_site
from paperdigest.content.model import Section, Site
from paperdigest.site import stats
from paperdigest.site.render import render_site
from paperdigest.site.settings import default_project

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
    pages = render_site(site, default_project(per_page=1))
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


@pytest.mark.parametrize("years", [1, 2, 5, 9, 29, 60, 130, 1000])
def test_year_axis_has_at_most_eight_round_labels_with_room(years: int) -> None:
    labels = [str(1990 + i) for i in range(years)]
    pitch = min(40.0, (stats.CHART_WIDTH - 30) / years)
    chosen = stats.axis_labels(labels, pitch)
    assert 1 <= len(chosen) <= stats.MAX_AXIS_LABELS
    positions = sorted(chosen)
    gaps = {b - a for a, b in itertools.pairwise(positions)}
    assert len(gaps) <= 1  # evenly spaced, like a ruler
    if gaps:
        assert gaps.pop() * pitch >= 4 * stats.AXIS_FONT * 0.6 + 6  # "2000" never touches
    if years >= 29:
        assert all(int(chosen[i]) % 5 == 0 for i in positions)


@pytest.mark.parametrize("months", [1, 6, 12, 36])
def test_month_axis_labels(months: int) -> None:
    labels = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(months)]
    pitch = min(40.0, (stats.CHART_WIDTH - 50) / months)
    chosen = stats.axis_labels(labels, pitch)
    assert 1 <= len(chosen) <= stats.MAX_AXIS_LABELS
    assert set(chosen.values()) <= set(labels)


def test_year_chart_of_a_long_range_labels_round_years_only() -> None:
    rows = [(str(y), 1 if y in (1997, 2025) else 0) for y in range(1997, 2026)]
    chart = stats.column_chart("c", "年別の論文数", rows)
    under = [t for t in chart.split("<text")[1:] if 'font-size="11">' in t and "</text>" in t]
    shown = [t.split(">", 1)[1].split("<", 1)[0] for t in under]
    assert [s for s in shown if len(s) == 4] == ["2000", "2005", "2010", "2015", "2020", "2025"]
    assert "19971998" not in chart


def test_month_chart_starts_at_the_first_month_with_papers(site: Site) -> None:
    series = stats.month_series(site.papers)
    assert series[0] == ("2024-10", 0)  # six months at least, not thirty-six
    assert series[-1] == ("2025-03", 2)
    assert len(series) == 6
    assert "月別の論文数（2024-10 〜 2025-03）" in stats.charts(site)["months"]


def test_charts_are_drawn_at_a_phone_width(site: Site) -> None:
    # 380 units on a 343 px column: 11-unit text is still 10 px on a phone.
    for chart in stats.charts(site).values():
        width = float(chart.split('viewBox="0 0 ', 1)[1].split(" ", 1)[0])
        assert width <= stats.CHART_WIDTH
    assert stats.AXIS_FONT * 343 / stats.CHART_WIDTH >= 9.9


def test_stats_page_titles_every_chart(site: Site) -> None:
    page = render_site(site, default_project())["stats/index.md"]
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings[:4] == ["## 月別の論文数", "## 年別の論文数", "## よく使われるタグ",
                            "## ダイジェストの多い著者"]
    assert page.count('<svg class="pd-chart"') == 4
