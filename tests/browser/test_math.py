"""LaTeX math in the shipped digests, as Chromium lays it out: MathML, no raw TeX, prices kept."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from paperdigest.content.math import to_mathml
from PIL import Image

from .conftest import PHONE, NewPage, screenshot
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


STYLES = ["L", r"\mathbf{L}", r"\mathcal{L}", r"\mathbb{L}", r"\mathfrak{L}", r"\mathsf{L}",
          r"\mathtt{L}", r"\boldsymbol{L}", r"\mathbb{R}", r"\mathcal{E}", r"\mathbf{x}",
          r"\mathbb{E}"]
"""Styled letters, the plain one first; ℝ and ℰ come from Letterlike Symbols, not the block."""
NOTDEF = "\U0001d455"
"""The italic h's place in the block: unassigned (ℎ is U+210E), so fonts draw a missing box."""


def _inject(page: Page, html: str) -> None:
    page.evaluate("""html => {
        const box = document.createElement('div');
        box.id = 'pd-test-math';
        box.innerHTML = html;
        document.querySelector('article.md-content__inner').prepend(box);
    }""", html)


def test_styled_letters_are_drawn_at_375_px(new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    page.goto(url_of("papers", "2006.11239"))
    cells = [to_mathml(tex, False) for tex in STYLES]
    cells.append(f'<span class="katex"><math><mi>{NOTDEF}</mi></math></span>')
    _inject(page, "".join(f'<span class="pd-cell" style="display:inline-block;font-size:36px;'
                          f'margin:0 8px">{c}</span>' for c in cells))
    page.evaluate("document.fonts.ready")
    shots = [page.locator("#pd-test-math .pd-cell math").nth(i).screenshot()
             for i in range(len(cells))]
    screenshot(page, "math-styled-letters-375", full_page=False)
    glyphs = [_glyph(shot) for shot in shots]
    drawn, missing = glyphs[:-1], glyphs[-1]
    for tex, glyph in zip(STYLES, drawn, strict=True):
        assert glyph.width > 8 and glyph.height > 8, f"{tex} left no ink"
        assert _differ(glyph, missing) > 0.35, f"{tex} is drawn as a missing glyph"
    # Each style is drawn as itself, not as the italic L that KaTeX's mathvariant alone gave
    # (0.05 to 0.25 from it then; 0.4 and more now). Plain, bold, script, double-struck and
    # fraktur are each unlike the others (a font may draw sans-serif and monospace L alike).
    for i in range(1, 8):
        assert _differ(drawn[0], drawn[i]) > 0.35, f"{STYLES[i]} looks like a plain L"
    for i in range(5):
        for j in range(i + 1, 5):
            assert _differ(drawn[i], drawn[j]) > 0.15, f"{STYLES[i]} looks like {STYLES[j]}"


def _glyph(png: bytes) -> Image.Image:
    """The ink of a screenshot: grey levels, cropped to the dark pixels."""
    image = Image.open(io.BytesIO(png)).convert("L")
    ink = image.point(lambda v: 255 if v < 160 else 0)
    box = ink.getbbox()
    assert box is not None, "nothing drawn"
    return image.crop(box)


def _differ(a: Image.Image, b: Image.Image) -> float:
    """How unlike two glyphs are, 0 (the same shape) to 1: the share of ink that is in one
    but not the other, the two scaled to one box (1 when their boxes differ in size)."""
    if abs(a.width - b.width) > 3 or abs(a.height - b.height) > 3:
        return 1.0
    ink_a = [v < 160 for v in a.tobytes()]
    ink_b = [v < 160 for v in b.resize(a.size).tobytes()]
    union = sum(x or y for x, y in zip(ink_a, ink_b, strict=True))
    both = sum(x and y for x, y in zip(ink_a, ink_b, strict=True))
    return 1 - both / union


def test_a_wide_formula_scrolls_with_a_cue_at_375_px(new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    page.goto(url_of("papers", "2006.11239"))
    wide = " + ".join(f"x_{{{i}}}^{{2}}" for i in range(40))
    _inject(page, to_mathml(wide, True))
    formula = page.locator('#pd-test-math math[display="block"]')
    sizes = formula.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] > sizes[1] * 2  # wider than its box: it scrolls …
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # … the page does not
    box = formula.bounding_box()
    assert box is not None
    edge = {"x": box["x"] + box["width"] - 6, "y": box["y"], "width": 6,
            "height": box["height"]}
    at_start = page.screenshot(clip=edge)
    screenshot(page, "math-wide-375", full_page=False)
    formula.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    at_end = page.screenshot(clip=edge)
    # The right edge is shaded while more of the formula lies beyond it, and clear at the end.
    assert _shade(at_start) > _shade(at_end) + 8, (_shade(at_start), _shade(at_end))


def _shade(png: bytes) -> float:
    """How much darker than white the darkest column of a strip is, on average (0 to 255)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    columns = [[image.getpixel((x, y)) for y in range(image.height)]
               for x in range(image.width)]
    return max(255 - sorted(c)[len(c) // 2] for c in columns)  # type: ignore[operator]
