"""The tag index as a reader sees it: compact columns like the author index; 追加日 on cards
stays on the card at 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from paperdigest.content.model import Site

from .conftest import DESKTOP, PHONE, NewPage, screenshot

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])


@WIDTHS
def test_tag_index_is_compact_columns(new_page: NewPage, shipped_site: Site,
                                      viewport: Any) -> None:
    page = new_page(viewport=viewport)
    page.goto("tags/")
    items = page.locator(".pd-tag-index li")
    assert items.count() == len(shipped_site.tags)
    columns = page.eval_on_selector_all(
        ".pd-tag-index li",
        "els => new Set(els.map(e => Math.round(e.getBoundingClientRect().left))).size")
    assert columns >= (2 if viewport == PHONE else 4)
    height = page.evaluate(
        "document.querySelector('.pd-tag-index').getBoundingClientRect().height")
    assert height <= 25 * len(shipped_site.tags), height  # a table row took about 50 px
    # No tag is split over two columns (a fragmented block has a box in each).
    split = page.eval_on_selector_all(
        ".pd-tag-index li", "els => els.filter(e => e.getClientRects().length > 1).length")
    assert split == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"tags-{viewport['width']}")


def test_the_day_added_stays_inside_the_card_on_a_phone(new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    page.goto("")
    added = page.locator(".pd-card .pd-added")
    assert added.count() >= 1
    for box, card in page.eval_on_selector_all(
            ".pd-card .pd-added",
            "els => els.map(e => [e.getBoundingClientRect().right, "
            "e.closest('.pd-card').getBoundingClientRect().right])"):
        assert box <= card + 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
