"""Researcher profiles as readers see them: figures as tiles, the citations chart and the works
list fit a phone (375 px) and a desktop (1280 px) without sideways scrolling, measured by the
boxes the browser lays out; the profile, the queue and the ranking pass axe-core."""

from __future__ import annotations

from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from paperdigest.content.model import Author, Site
from playwright.sync_api import Page, ViewportSize, expect

from .conftest import DESKTOP, PHONE, NewPage, screenshot
from .test_a11y import BLOCKING, SCHEMES, WCAG_TAGS, describe
from .test_pages import page_widths, url_of

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}


def profile_author(site: Site) -> Author:
    """The shipped author with the most works among those with figures and a chart."""
    full = [a for a in site.authors.values()
            if a.works and a.citations_by_year and a.metrics is not None]
    assert full, "no shipped author has a works file with citations and a metrics block"
    return max(full, key=lambda a: (len(a.works), a.slug))


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    """Laid-out boxes (left, right, top, width) of every element ``selector`` matches."""
    found: list[dict[str, float]] = page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, width: r.width};
    })""")
    return found


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_profile_fits_the_screen(new_page: NewPage, shipped_site: Site, size: str) -> None:
    author = profile_author(shipped_site)
    viewport = VIEWPORTS[size]
    page = new_page(viewport=viewport)
    page.goto(url_of("authors", author.slug))
    tiles = page.locator(".pd-tiles .pd-tile")
    expect(tiles).to_have_count(3 + len(author.metrics.extra if author.metrics else ()))
    expect(tiles.first.locator(".pd-tile__value")).to_be_visible()
    chart = page.locator(f"svg#pd-citations-{author.slug}")
    expect(chart).to_be_visible()
    works = page.locator("article.pd-work")
    expect(works).to_have_count(len(author.works))
    screenshot(page, f"profile-{size}")

    scroll, width = page_widths(page)
    assert scroll <= width, f"the page scrolls sideways at {width} px: {scroll} px wide"
    for selector in (".pd-tiles", ".pd-tile", f"svg#pd-citations-{author.slug}",
                     "article.pd-work", ".pd-work__title", ".pd-work__wanted code"):
        found = boxes(page, selector)
        assert found, f"nothing matches {selector}"
        outside = [b for b in found if b["left"] < 0 or b["right"] > width + 0.5]
        assert not outside, f"{selector} leaves the {width} px viewport: {outside[:3]}"
    tile_boxes = boxes(page, ".pd-tile")
    rows = sorted({round(b["top"]) for b in tile_boxes})
    if size == "desktop":
        assert len(rows) == 1, f"the figures should fit one row at 1280 px, got rows {rows}"
    else:  # a phone wraps the tiles, each at least a third of the text column wide
        column = boxes(page, ".pd-tiles")[0]["width"]
        assert min(b["width"] for b in tile_boxes) >= column / 3 - 8
    chart_box = boxes(page, f"svg#pd-citations-{author.slug}")[0]
    assert chart_box["width"] >= min(300.0, width * 0.5)  # drawn readable, not a thumbnail


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("kind", ["profile", "wanted", "ranking"])
def test_profile_pages_are_accessible(new_page: NewPage, shipped_site: Site, kind: str,
                                      scheme: Literal["light", "dark"]) -> None:
    page = new_page(color_scheme=scheme)
    target = {"profile": url_of("authors", profile_author(shipped_site).slug),
              "wanted": "wanted/", "ranking": "ranking/"}[kind]
    page.goto(target)
    expect(page.locator("h1")).to_be_visible()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        screenshot(page, f"a11y-{kind}-{scheme}")
    assert not blocking, f"{kind} ({scheme}):\n{describe(blocking)}"
