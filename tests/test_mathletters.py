"""Styled math letters as Unicode characters: every table entry is the right, assigned
character, and KaTeX's MathML keeps no ``mathvariant`` that a letter could replace."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.math import to_mathml
from paperdigest.content.mathletters import TABLES, style, styled
from paperdigest.site.sanitize import clean_html

NAME_WORDS = {
    "bold": ["BOLD"], "italic": ["ITALIC"], "bold-italic": ["BOLD ITALIC"],
    "script": ["SCRIPT"], "bold-script": ["BOLD SCRIPT"],
    "fraktur": ["FRAKTUR", "BLACK-LETTER"], "bold-fraktur": ["BOLD FRAKTUR"],
    "double-struck": ["DOUBLE-STRUCK"], "sans-serif": ["SANS-SERIF"],
    "bold-sans-serif": ["SANS-SERIF BOLD"], "sans-serif-italic": ["SANS-SERIF ITALIC"],
    "sans-serif-bold-italic": ["SANS-SERIF BOLD ITALIC"], "monospace": ["MONOSPACE"],
}


@pytest.mark.parametrize("variant", sorted(TABLES))
def test_every_styled_letter_is_assigned_and_is_its_letter(variant: str) -> None:
    table = TABLES[variant]
    assert len(set(table.values())) == len(table)  # no two letters share a character
    for plain, fancy in table.items():
        name = unicodedata.name(fancy)  # raises on an unassigned code point (a hole)
        # The compatibility form of a styled letter is the letter (ℝ -> R, 𝛝 -> θ).
        assert unicodedata.normalize("NFKC", fancy) == unicodedata.normalize("NFKC", plain)
        assert any(w in name for w in NAME_WORDS[variant]) or fancy == "ℎ", (plain, name)


@pytest.mark.parametrize(("tex", "letters"), [
    (r"\mathcal{L}", "ℒ"), (r"\mathscr{F}", "ℱ"), (r"\mathcal{B E H I M R}", "ℬℰℋℐℳℛ"),
    (r"\mathbb{E}", "𝔼"), (r"\mathbb{R C N Z Q H P}", "ℝℂℕℤℚℍℙ"), (r"\mathbb{1}", "𝟙"),
    (r"\mathbf{x}", "𝐱"), (r"\mathbf{0}", "𝟎"), (r"\mathbf{\Sigma}", "𝚺"),
    (r"\boldsymbol{\theta}", "𝜽"), (r"\bm{x}", "𝒙"), (r"\mathfrak{g}", "𝔤"),
    (r"\mathfrak{C H I R Z}", "ℭℌℑℜℨ"), (r"\mathsf{A}", "𝖠"), (r"\mathtt{x1}", "𝚡𝟷"),
    (r"\mathcal{e g o}", "ℯℊℴ"),
])
def test_katex_styles_become_letters(tex: str, letters: str) -> None:
    mathml = to_mathml(tex, False)
    tokens = re.findall(r"<m[ino]>([^<]*)</m[ino]>", mathml)
    assert "".join(tokens) == letters
    assert "mathvariant" not in mathml
    assert f'<annotation encoding="application/x-tex">{tex}</annotation>' in mathml


def test_what_has_no_letter_keeps_its_mathvariant() -> None:
    assert '<mo mathvariant="bold-italic"' in to_mathml(r"\boldsymbol{+}", False)
    mixed = to_mathml(r"\mathbf{x\&y}", False)
    assert "<mi>𝐱</mi>" in mixed and '<mi mathvariant="bold">&amp;</mi>' in mixed
    assert '<mi mathvariant="normal">d</mi>' in to_mathml(r"\mathrm{d}x", False)
    assert "<mtext>𝐛𝐨𝐥𝐝</mtext>" in to_mathml(r"\textbf{bold}", False)


COMMANDS = ["mathbf", "mathcal", "mathbb", "mathfrak", "mathscr", "mathsf", "mathtt",
            "mathit", "boldsymbol", "bm", "mathrm", "textbf", "textit", "text"]


@given(command=st.sampled_from(COMMANDS),
       body=st.text(st.sampled_from("abcxyzABCXYZ0129 +-&<>"), min_size=1, max_size=12))
@settings(max_examples=200, deadline=None)
def test_styled_mathml_stays_clean_and_keeps_its_source(command: str, body: str) -> None:
    escaped = body.replace("&", r"\&")
    tex = f"\\{command}{{{escaped}}}"
    try:
        mathml = to_mathml(tex, False)
    except ValueError:
        return  # LaTeX KaTeX refuses is shown as code, not as MathML
    # The sanitiser keeps every element (it writes a no-break space as &nbsp;).
    assert html.unescape(clean_html(mathml)) == html.unescape(mathml)
    # No token keeps a style a letter could carry: only characters without one keep it.
    for variant, text in re.findall(r'mathvariant="([a-z-]+)"[^>]*>([^<]*)<', mathml):
        assert variant == "normal" or style(text.replace("&amp;", "&").replace(
            "&lt;", "<").replace("&gt;", ">"), variant) is None, (variant, text)


def test_styled_leaves_other_markup_alone() -> None:
    text = ('<annotation encoding="application/x-tex">&lt;mi mathvariant="bold"&gt;x'
            "&lt;/mi&gt;</annotation>")
    assert styled(text) == text
    assert styled('<mi class="c" mathvariant="bold" id="i">ab</mi>') == (
        '<mi class="c" id="i">𝐚𝐛</mi>')


@pytest.mark.parametrize(("tex", "kept"), [
    (r"\boldsymbol{00}", "<mn>𝟎𝟎</mn>"), (r"\boldsymbol{0<}", "<mn>𝟎</mn><mo>&lt;</mo>"),
    (r"\boldsymbol{<0}", "<mo>&lt;</mo><mn>𝟎</mn>"),
])
def test_what_katex_nests_in_a_token_survives_the_sanitiser(tex: str, kept: str) -> None:
    # KaTeX wrote these inside an <mi> or <mo>, which the sanitiser emptied: "00" vanished.
    assert kept in clean_html(to_mathml(tex, False))
