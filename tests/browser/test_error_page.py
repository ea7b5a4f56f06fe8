"""The page ``mkdocs serve`` shows while the content has errors, as Chromium lays it out:
every line wraps, so the fix at the end of a long problem is on screen at 375 and 1280 px."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import digest
from test_serve_errors import serve_build

from .conftest import DESKTOP, PHONE, _Handler, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
Make = Callable[[Mapping[str, str | bytes]], Path]
LONG = "Foo: " + "とても長いタイトル" * 6 + "WithAVeryLongUnbrokenWordThatNeverEnds" * 3
FIX = "put the value in quotes"


@pytest.fixture
def error_site(project: Make) -> Iterator[str]:
    """A project whose digest has a YAML error, built as serve builds it, on 127.0.0.1."""
    root = project({"content/papers/2503.04504.md":
                    digest(front=f"arxiv: '2503.04504'\ntitle: {LONG}\n")})
    out = serve_build(root)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_error_page_wraps_every_line(browser: Browser, error_site: str,
                                         viewport: Any) -> None:
    context = browser.new_context(base_url=error_site, viewport=viewport)
    context.route(lambda url: not url.startswith(error_site), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto("/")
        block = page.locator("pre.pd-problems code")
        assert FIX in block.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        widths = block.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1], widths  # nothing hidden to the right of the block
        # Every piece of the fix lies inside the block and the window.
        rects = block.evaluate("""(e, fix) => {
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.data.indexOf(fix);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(n, at);
                range.setEnd(n, n.data.length);
                const box = e.getBoundingClientRect();
                return [...range.getClientRects()].map(r => [r.left, r.right, box.left,
                                                             box.right]);
            }
            return null;
        }""", FIX)
        assert rects, "the fix is not in the block"
        for left, right, box_left, box_right in rects:
            assert box_left - 0.5 <= left and right <= box_right + 0.5, (left, right)
            assert right <= viewport["width"]
        screenshot(page, f"error-page-{viewport['width']}")
    finally:
        context.close()
