"""LaTeX math in the shipped digests, as Chromium lays it out: MathML, no raw TeX, prices kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import screenshot
from .test_pages import ARTICLE, search, url_of

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_formulas_are_laid_out_as_math(page: Page) -> None:
    page.goto(url_of("papers", "2006.11239"))
    formulas = page.locator(f"{ARTICLE} math")
    assert formulas.count() >= 10
    for i in range(formulas.count()):
        box = formulas.nth(i).bounding_box()
        assert box is not None and box["width"] > 4 and box["height"] > 4, i
    display = page.locator(f'{ARTICLE} math[display="block"]')
    assert display.count() >= 3
    assert display.first.evaluate("e => getComputedStyle(e).display") == "block math"
    text = page.locator(ARTICLE).inner_text()
    for raw in ("$", "\\frac", "\\sqrt", "\\("):
        assert raw not in text, raw
    screenshot(page, "math-desktop")


def test_prices_stay_text_beside_math(page: Page) -> None:
    page.goto(url_of("papers", "2106.09685"))
    assert page.locator(f"{ARTICLE} math").count() >= 8
    cost = page.locator("#section-6 + ul")
    expect_text = cost.inner_text()
    assert "$32 の GPU ノード" in expect_text and "約$960" in expect_text
    assert cost.locator("math").count() == 2  # r = 4 and W_q, W_v


def test_search_finds_a_paper_by_the_latex_of_its_formulas(page: Page) -> None:
    """The MathML carries its source (annotation), which the index reads."""
    target = "/papers/2006.11239/"
    found = search(page, "mathcal", target)  # only in LaTeX
    assert target in found, sorted(found)
