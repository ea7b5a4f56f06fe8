"""LaTeX math: which text is math (pandoc's dollar rules), KaTeX's MathML, the golden page,
warnings from check, and a real strict build that never fails on bad LaTeX."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import markdown
import pytest
from conftest import DATA, SECTIONS, digest, without_added
from growth import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.loader import check_content
from paperdigest.content.math import MathError, to_mathml
from paperdigest.content.mathspans import find_math, mask_math
from paperdigest.content.safety import body_problems
from paperdigest.site.sanitize import clean_html
from test_site_build import build

Make = Callable[[Mapping[str, str | bytes]], Path]

# What the site's markdown_extensions are (mkdocs.yml) plus the math extension.
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc",
              "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.superfences",
              "paperdigest.site.math"]


@pytest.mark.parametrize(("text", "found"), [
    ("約$0.01。…約$940。", []),
    ("1サンプルあたり$0.002、総額$1,200", []),
    ("$5 and $10", []),
    ("$5-$10", []),
    ("US$1,000 to US$2,000", []),
    ("$A_{mn} = \\sum_{k=m+1}^n a_k$", [("A_{mn} = \\sum_{k=m+1}^n a_k", False)]),
    ("a $x$, b $$y$$", [("x", False), ("y", True)]),
    ("\\(a+b\\) and \\[ c \\]", [("a+b", False), (" c ", True)]),
    ("cite \\[1\\], \\[2, 3\\] and \\[4–6\\]", []),
    ("\\$5 and \\$x\\$ stay dollars", []),
    ("$ x$ and $x $ are not math", []),
    ("$x$5 is not math", []),
    ("$\\$$ is a dollar sign", [("\\$", False)]),
    ("$a\n\nb$", []),
    ("$$\nE = mc^2\n$$", [("\nE = mc^2\n", True)]),
    ("\\\\(x\\\\) is two backslashes", []),
    ("$x$ and $y$", [("x", False), ("y", False)]),
])
def test_which_text_is_math(text: str, found: list[tuple[str, bool]]) -> None:
    assert [(s.tex, s.display) for s in find_math(text)] == found


AMOUNT = st.builds(lambda whole, cents, sep: f"{whole:,}{sep}{cents:02d}" if sep else f"{whole:,}",
                   st.integers(0, 10**7), st.integers(0, 99), st.sampled_from(["", "."]))
PROSE = st.sampled_from(["約", "合計で", "は", "、", "。", " ", "…", "per hour ", "で", "から"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PROSE, AMOUNT.map(lambda a: "$" + a), AMOUNT.map(lambda a: "US$" + a)),
                max_size=12).map("".join))
def test_prices_are_never_math(text: str) -> None:
    """A closing $ is never followed by a digit, and a price never ends in a $."""
    assert find_math(text) == []


FORMULAS = ["x", "A_{mn}", "\\frac{a}{b}", "\\mathbb{R}^d", "\\sum_{i=1}^n x_i", "e^{i\\pi}",
            "\\text{損失}", "\\lVert x \\rVert_2", "p(x \\mid y)", "\\{1, 2\\}"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["本文", "、", " text ", "約$5。", "。"]),
                          st.sampled_from(FORMULAS),
                          st.sampled_from([("$", "$"), ("$$", "$$"), ("\\(", "\\)"),
                                           ("\\[", "\\]")])),
                min_size=1, max_size=6))
def test_every_formula_embedded_in_prose_is_found(parts: list[tuple[str, str, tuple[str, str]]]
                                                  ) -> None:
    text = "".join(f"{prose} {left}{tex}{right} " for prose, tex, (left, right) in parts)
    assert [s.tex for s in find_math(text)] == [tex for _, tex, _ in parts]
    masked = mask_math(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert all(tex not in masked for _, tex, _ in parts if len(tex) > 1)


@pytest.mark.parametrize("unit", ["$", "\\(", "\\[", "$$", "$x", "\\( x \\)\n\n"])
def test_finding_math_stays_linear(unit: str) -> None:
    """Hostile runs of openers: doubling the text at most ~2.5x the time."""
    assert_linear(lambda n: find_math(unit * n), 10_000, label=unit)


@pytest.mark.parametrize("tex", [*FORMULAS, "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
                                 "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
                                 "\\left( \\frac{1}{2} \\right)", "\\hat{y} \\bar{x} \\vec{v}",
                                 "\\text{<script>alert(1)</script>}", "a < b > c"])
def test_mathml_passes_the_sanitiser_unchanged(tex: str) -> None:
    for display in (False, True):
        html = to_mathml(tex, display)
        assert html.startswith('<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML"')
        assert clean_html(html) == html
        assert "<script" not in html and "annotation-xml" not in html


@pytest.mark.parametrize(("tex", "message"), [
    ("\\frac{1}{", "Unexpected end of input in a macro argument, expected '}' at end of input: "
                   "\\frac{1}{"),
    ("\\undefinedthing", "Undefined control sequence: \\undefinedthing at position 1: "
                         "\\undefinedthing"),
    ("\\href{javascript:alert(1)}{x}", "it uses a command that is not allowed here (links, "
                                      "classes, styles and images are refused)"),
    ("\\htmlClass{x}{y}", "it uses a command that is not allowed here (links, classes, styles "
                          "and images are refused)"),
    ("\\def\\a{\\a\\a}\\a", "Too many expansions: infinite loop or need to increase maxExpand "
                           "setting"),
])
def test_latex_katex_refuses_is_an_error_with_its_reason(tex: str, message: str) -> None:
    with pytest.raises(MathError) as info:
        to_mathml(tex, False)
    assert str(info.value) == message


def test_deep_nesting_ends_as_a_message() -> None:
    with pytest.raises(MathError):
        to_mathml("{" * 20000 + "x" + "}" * 20000, False)


MATH_BODY = """\
インライン $A_{mn} = \\sum_{k=m+1}^n a_k$ と \\(e^{i\\pi} + 1 = 0\\)。

- 入れ子のリスト
    - 内側 $x_{k=m+1}$ は属性リストではない

$$
\\mathcal{L} = \\mathbb{E}\\left[\\lVert \\epsilon - \\epsilon_\\theta \\rVert^2\\right]
$$

\\[ p(x) = \\frac{1}{Z} e^{-E(x)} \\]

価格は1サンプルあたり約$0.01。合計で約$940。\\$5 はそのまま。

コードの `$x_1$` と

```python
cost = "$5"  # $x$ はコード
```

壊れた式 $\\frac{1}{$ はコードとして表示。
"""


def test_math_golden_page(update_goldens: bool) -> None:
    html = markdown.markdown(MATH_BODY, extensions=EXTENSIONS)
    golden = DATA / "golden-math" / "body.html"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), "differs from its golden (--update-goldens)"
    assert html.count("<math ") == 5
    assert "約$0.01。合計で約$940。$5 はそのまま。" in html
    assert "<code>$x_1$</code>" in html and "$x$ はコード" in html
    assert '<code class="pd-math-error">$\\frac{1}{$</code>' in html


def _sections_with(body: str) -> str:
    return SECTIONS.replace("UBnormalで最高精度。", body)


def test_check_warns_about_latex_it_cannot_show(project: Make) -> None:
    root = project({"content/papers/a.md": digest(sections=_sections_with(MATH_BODY))})
    site, problems = check_content(root / "content", root=root)
    problems = without_added(problems)
    assert site is not None
    assert [str(p) for p in problems] == [
        "content/papers/a.md:44: warning: math: '\\frac{1}{' cannot be shown as math "
        "(Unexpected end of input in a macro argument, expected '}' at end of input: "
        "\\frac{1}{): fix the LaTeX, or write \\$ for a literal dollar; until then the page "
        "shows it as code"]


def test_math_hides_nothing_from_the_safety_check() -> None:
    """Only real formulas are masked: markup outside math is still refused."""
    body = "$x$ <img src=x onerror=alert(1)> $5 and $10 [a](javascript:alert(1))\n"
    messages = [p.message for p in body_problems("a.md", body)]
    assert len(messages) == 2
    assert messages[0].startswith("raw HTML '<img src=x onerror=alert(1)>'")
    assert messages[1].startswith("the link 'javascript:alert(1)' uses the 'javascript:'")
    assert body_problems("a.md", "- item\n    - $x_{k=m+1}$ and $\\{a: b\\}$\n") == []


@pytest.mark.slow
def test_a_strict_build_shows_math_and_never_fails_on_bad_latex(project: Make,
                                                                 tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest(sections=_sections_with(MATH_BODY))})
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "papers" / "2503.04504" / "index.html").read_text("utf-8")
    assert page.count("<math ") == 5
    assert '<code class="pd-math-error">$\\frac{1}{$</code>' in page
    assert "約$0.01。合計で約$940。$5 はそのまま。" in page
