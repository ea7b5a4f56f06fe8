"""Researcher profiles as readers see them: figures as tiles, the citations chart and the works
list fit a phone (375 px) and a desktop (1280 px) without sideways scrolling, measured by the
boxes the browser lays out; the profile, the queue and the ranking pass axe-core.

The shipped profiles carry hand-copied figures and works but no yearly citations (no source
gave any), so the chart is looked at on a site built from the golden test content."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from conftest import DATA, REPO
from paperdigest.content.loader import load_site
from paperdigest.content.model import Author, Site
from paperdigest.site import profile
from paperdigest.site.render import METRIC_LABELS
from playwright.sync_api import Browser, Page, ViewportSize, expect
from test_site_build import build

from .conftest import DESKTOP, PHONE, NewPage, _Handler, screenshot
from .test_a11y import BLOCKING, SCHEMES, WCAG_TAGS, describe
from .test_pages import page_widths, url_of

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}
GOLDEN = DATA / "golden" / "basic"


def profile_author(site: Site) -> Author:
    """The shipped author with the most works among those with sourced figures."""
    full = [a for a in site.authors.values()
            if a.works and profile.tiles(a, METRIC_LABELS)]
    assert full, "no shipped author has a works file and sourced figures"
    return max(full, key=lambda a: (len(a.works), a.slug))


@pytest.fixture(scope="module")
def chart_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Author]]:
    """The golden content (an author with yearly citations) built and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("chart-site")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copytree(GOLDEN / "content", root / "content")
    works = root / "content" / "authors" / "takuya-akiba.works.json"
    data = json.loads(works.read_text(encoding="utf-8"))  # eight years, as a real profile has
    data["counts_by_year"] = [{"year": y, "citations": 100 * (y - 2018)} for y in range(2019, 2027)]
    works.write_text(json.dumps(data), encoding="utf-8")
    (root / "content" / "pages").mkdir(exist_ok=True)
    (root / "content" / "pages" / "about.md").write_text("# About\n", encoding="utf-8")
    result = build(root / "mkdocs.yml", root / "site")
    assert result.returncode == 0, result.stderr
    author = load_site(root / "content", root=root).authors["takuya-akiba"]
    handler = functools.partial(_Handler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", author
    server.shutdown()
    server.server_close()


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
    expect(tiles).to_have_count(len(profile.tiles(author, METRIC_LABELS)))
    expect(tiles.first.locator(".pd-tile__value")).to_be_visible()
    expect(page.locator(".pd-metrics-source").first).to_contain_text("出典")
    works = page.locator("article.pd-work")
    expect(works).to_have_count(len(author.works))
    screenshot(page, f"profile-{size}")

    scroll, width = page_widths(page)
    assert scroll <= width, f"the page scrolls sideways at {width} px: {scroll} px wide"
    for selector in (".pd-tiles", ".pd-tile", "article.pd-work", ".pd-work__title",
                     ".pd-work__authors"):
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


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_citations_chart_fits_the_screen(browser: Browser, chart_site: tuple[str, Author],
                                         size: str) -> None:
    base, author = chart_site
    viewport = VIEWPORTS[size]
    context = browser.new_context(base_url=base, viewport=viewport, locale="ja-JP",
                                  reduced_motion="reduce")
    context.route(lambda url: not url.startswith(base), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(url_of("authors", author.slug))
        chart = page.locator(f"svg#pd-citations-{author.slug}")
        expect(chart).to_be_visible()
        expect(page.locator("article.pd-work")).to_have_count(len(author.works))
        expect(page.locator(".pd-work__wanted code").first).to_be_visible()
        screenshot(page, f"profile-chart-{size}")
        scroll, width = page_widths(page)
        assert scroll <= width, f"the page scrolls sideways at {width} px: {scroll} px wide"
        for selector in (f"svg#pd-citations-{author.slug}", ".pd-work__wanted code"):
            outside = [b for b in boxes(page, selector)
                       if b["left"] < 0 or b["right"] > width + 0.5]
            assert not outside, f"{selector} leaves the {width} px viewport: {outside[:3]}"
        chart_box = boxes(page, f"svg#pd-citations-{author.slug}")[0]
        assert chart_box["width"] >= min(300.0, width * 0.5)  # drawn readable, not a thumbnail
    finally:
        context.close()


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
