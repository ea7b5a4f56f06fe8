"""What a reader sees at 375 and 1280 px: boxes measured in Chromium, not markup inspected.

Hashtags stay whole, the BibTeX entry wraps in its box, chart labels are titled, sparse,
legible on a phone and never overlap, the author index is compact, search finds nothing for
nonsense and shows no button text or empty image column, author and tag pages ask for no
sitemap beside them, and the wide screen has no sidebar holding only the page's own name.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from paperdigest.content.model import Site
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, PHONE, NewPage, screenshot

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
ARTICLE = "article.md-content__inner"


def busiest_author_slug(site: Site) -> str:
    return max(site.papers_by_author, key=lambda s: (len(site.papers_by_author[s]), s))


def busiest_tag_slug(site: Site) -> str:
    return max(site.papers_by_tag, key=lambda s: (len(site.papers_by_tag[s]), s))


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] if page.viewport_size else True, width


@WIDTHS
@pytest.mark.parametrize("where", ["", "blurbs/", "papers/", "paper", "tag"])
def test_hashtags_are_never_broken_across_lines(new_page: NewPage, shipped_site: Site,
                                                viewport: Any, where: str) -> None:
    page = new_page(viewport=viewport)
    if where == "paper":
        where = f"papers/{shipped_site.papers[0].slug}/"
    elif where == "tag":
        where = f"tags/{busiest_tag_slug(shipped_site)}/"
    page.goto(where)
    tags = page.locator(".pd-tag, .pd-hashtag")
    assert tags.count() > 0
    broken = page.eval_on_selector_all(
        ".pd-tag, .pd-hashtag",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)")
    assert broken == []
    no_sideways_scroll(page)


@WIDTHS
def test_bibtex_wraps_inside_its_box(new_page: NewPage, shipped_site: Site,
                                     viewport: Any) -> None:
    page = new_page(viewport=viewport)
    longest = max(shipped_site.papers, key=lambda p: len(p.authors))
    page.goto(f"papers/{longest.slug}/")
    sizes = page.eval_on_selector_all(
        ".pd-cite pre, .pd-cite code", "els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert sizes and all(scroll <= client for scroll, client in sizes), sizes
    no_sideways_scroll(page)


CHART_TEXT = """els => els.map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  let heading = svg.closest('.pd-chart-box').previousElementSibling;
  while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
  const lines = [...svg.querySelectorAll('line')];
  const base = Math.max(...lines.map(l => l.getBoundingClientRect().bottom));
  return {
    id: svg.id, heading: heading ? heading.firstChild.textContent.trim() : null,
    texts: [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      const size = parseFloat(t.getAttribute('font-size') || svg.getAttribute('font-size'));
      return {text: t.textContent, left: r.left, right: r.right, top: r.top,
              bottom: r.bottom, px: size * scale, axis: r.top >= base - 1};
    }),
  };
})"""


@WIDTHS
def test_stats_charts_are_titled_legible_and_never_overlap(new_page: NewPage,
                                                            viewport: Any) -> None:
    page = new_page(viewport=viewport)
    page.goto("stats/")
    charts = page.eval_on_selector_all("svg.pd-chart", CHART_TEXT)
    assert [c["heading"] for c in charts] == [
        "月別の論文数", "年別の論文数", "よく使われるタグ", "ダイジェストの多い著者"]
    for chart in charts:
        texts = chart["texts"]
        assert min(t["px"] for t in texts) >= 9.5, chart["id"]  # not ~4 px on a phone
        axis = [t for t in texts if t["axis"]]
        if chart["id"] in ("pd-chart-months", "pd-chart-years"):
            assert 1 <= len(axis) <= 8, [t["text"] for t in axis]
        # No two labels on one line touch ("19971998…" was every year run together).
        for a in texts:
            for b in texts:
                same_line = a is not b and a["top"] < b["bottom"] and b["top"] < a["bottom"]
                if same_line and a["left"] <= b["left"]:
                    assert a["right"] <= b["left"] + 0.5, (chart["id"], a["text"], b["text"])
    no_sideways_scroll(page)
    screenshot(page, f"stats-{viewport['width']}")


@WIDTHS
def test_author_index_is_compact_and_filed_by_family_name(new_page: NewPage,
                                                           shipped_site: Site,
                                                           viewport: Any) -> None:
    page = new_page(viewport=viewport)
    page.goto("authors/")
    items = page.locator(".pd-author-index li")
    assert items.count() == len(shipped_site.authors)
    columns = page.eval_on_selector_all(
        ".pd-author-index li",
        "els => new Set(els.map(e => Math.round(e.getBoundingClientRect().left))).size")
    assert columns >= (2 if viewport == PHONE else 4)
    # Under 25 px a name on a phone, headings included (the tables took 100 px a name).
    height = page.evaluate(
        "document.querySelector('.pd-author-index').getBoundingClientRect().height")
    assert height <= 25 * len(shipped_site.authors), height
    # Native names are never split inside a word; every heading is a letter.
    split = page.eval_on_selector_all(
        ".pd-author-index .pd-native",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)")
    assert split == []
    headings = [h.replace("¶", "").strip()
                for h in page.locator(".pd-author-index h3").all_inner_texts()]
    assert all(re.fullmatch(r"[A-Z]|その他", h) for h in headings), headings
    akiba = page.get_by_role("link", name="Akiba, Takuya", exact=True)
    expect(akiba).to_be_visible()
    under = akiba.evaluate(
        "a => a.closest('ul').previousElementSibling.firstChild.textContent.trim()")
    assert under == "A"
    no_sideways_scroll(page)
    screenshot(page, f"authors-{viewport['width']}")


def open_search(page: Page, query: str) -> None:
    page.goto("about/")
    page.locator("[data-pd-search-open]").click()
    box = page.locator("#pd-search input")
    expect(box).to_be_visible()
    box.fill(query)
    expect(page.locator(".pagefind-ui__message")).to_contain_text(query)


def test_search_finds_nothing_for_nonsense(page: Page) -> None:
    open_search(page, "zqxjv")
    expect(page.locator(".pagefind-ui__result")).to_have_count(0)


@WIDTHS
def test_search_results_have_no_button_text_no_repeated_title_no_image_column(
        new_page: NewPage, viewport: Any) -> None:
    page = new_page(viewport=viewport)
    open_search(page, "LoRA")
    results = page.locator(".pagefind-ui__result")
    expect(results.first).to_be_visible()
    expect(page.locator(".pagefind-ui__result-thumb")).to_have_count(0)
    for result in results.all():
        title = result.locator(".pagefind-ui__result-title").first.inner_text().strip()
        excerpt = result.locator(".pagefind-ui__result-excerpt").first.inner_text()
        assert not re.match(r"\s*(arXiv|PDF|コード|X でポスト|コピー)\b", excerpt), excerpt
        subs = result.locator(".pagefind-ui__result-nested .pagefind-ui__result-title")
        assert title not in [s.strip() for s in subs.all_inner_texts()]
    no_sideways_scroll(page)


@pytest.mark.parametrize("kind", ["authors", "tags"])
def test_author_and_tag_pages_request_no_sitemap(page: Page, shipped_site: Site,
                                                  kind: str) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    slug = (busiest_author_slug(shipped_site) if kind == "authors"
            else busiest_tag_slug(shipped_site))
    page.goto(f"{kind}/{slug}/", wait_until="networkidle")
    assert [u for u in asked if u.endswith("sitemap.xml")] == []
    # The feed is still announced for feed readers.
    feed = page.locator('head link[type="application/atom+xml"][href="feed.xml"]')
    expect(feed).to_have_attribute("rel", "alternate feed")


def test_wide_screen_gives_the_sidebar_width_to_the_page(new_page: NewPage,
                                                         shipped_site: Site) -> None:
    page = new_page(viewport=DESKTOP)
    page.goto(f"papers/{shipped_site.papers[0].slug}/")
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    content = page.locator(".md-content").bounding_box()
    assert content is not None and content["width"] >= 900
    tabs = [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()]
    assert "このサイトについて" in tabs and "About" not in tabs


def test_phone_keeps_the_menu_drawer(new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    page.goto("stats/")
    page.locator('label.md-header__button[for="__drawer"]').click()
    expect(page.locator(".md-sidebar--primary")).to_be_visible()
    expect(page.locator(".md-sidebar--primary").get_by_text("このサイトについて")).to_be_visible()
