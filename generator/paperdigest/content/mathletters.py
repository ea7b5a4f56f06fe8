"""Math letter styles as Unicode characters, so every browser draws them.

KaTeX writes ``\\mathbf{x}`` as ``<mi mathvariant="bold">x</mi>``. MathML Core, the MathML
that Chromium and WebKit implement, ignores ``mathvariant`` (only ``normal`` is kept), so
``\\mathcal{L}``, ``\\mathbb{E}`` and ``\\mathbf{x}`` came out as plain L, E and x. Unicode
has the styled letters themselves (Mathematical Alphanumeric Symbols, U+1D400 on): 𝓛, 𝔼, 𝐱.
``styled`` rewrites each token element with a style into those characters and drops the
attribute; characters with no styled form (punctuation, ``+``) keep it, for browsers that
still read it. A few letters predate the block and live in Letterlike Symbols (ℒ, ℝ, ℎ …):
the block leaves holes there, filled from ``_HOLES``.
"""

from __future__ import annotations

import html
import re

_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_GREEK = ("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡϴΣΤΥΦΧΨΩ∇αβγδεζηθικλμνξοπρςστυφχψω∂ϵϑϰϕϱϖ")
"""The order of every Greek run in the block (58 characters)."""

_STARTS: dict[str, tuple[int | None, int | None, int | None]] = {
    # mathvariant: first code point of its Latin, digit and Greek runs (None: no such run)
    "bold": (0x1D400, 0x1D7CE, 0x1D6A8),
    "italic": (0x1D434, None, 0x1D6E2),
    "bold-italic": (0x1D468, None, 0x1D71C),
    "script": (0x1D49C, None, None),
    "bold-script": (0x1D4D0, None, None),
    "fraktur": (0x1D504, None, None),
    "double-struck": (0x1D538, 0x1D7D8, None),
    "bold-fraktur": (0x1D56C, None, None),
    "sans-serif": (0x1D5A0, 0x1D7E2, None),
    "bold-sans-serif": (0x1D5D4, 0x1D7EC, 0x1D756),
    "sans-serif-italic": (0x1D608, None, None),
    "sans-serif-bold-italic": (0x1D63C, None, 0x1D790),
    "monospace": (0x1D670, 0x1D7F6, None),
}

_HOLES: dict[tuple[str, str], str] = {
    ("italic", "h"): "ℎ",
    **{("script", k): v for k, v in zip("BEFHILMRego", "ℬℰℱℋℐℒℳℛℯℊℴ", strict=True)},
    **{("fraktur", k): v for k, v in zip("CHIRZ", "ℭℌℑℜℨ", strict=True)},
    **{("double-struck", k): v for k, v in zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True)},
}
"""Letters Unicode had before the block: their places in it are unassigned."""


def _table(variant: str) -> dict[str, str]:
    latin, digits, greek = _STARTS[variant]
    table: dict[str, str] = {}
    for start, chars in ((latin, _LATIN), (digits, _DIGITS), (greek, _GREEK)):
        if start is not None:
            table.update({c: chr(start + i) for i, c in enumerate(chars)})
    table.update({c: v for (name, c), v in _HOLES.items() if name == variant})
    return table


TABLES: dict[str, dict[str, str]] = {variant: _table(variant) for variant in _STARTS}
"""mathvariant -> {plain character: styled character}."""

_TOKEN = re.compile(r'<(mi|mn|mo|mtext|ms)(\s[^<>]*?)?\smathvariant="([a-z-]+)"([^<>]*)>'
                    r"([^<>]*)</\1>")


def style(text: str, variant: str) -> str | None:
    """``text`` in the letters of ``variant`` (spaces kept); ``None`` when a character has no
    such letter."""
    table = TABLES.get(variant)
    if table is None:
        return None
    out = [table.get(c, c if c.isspace() else None) for c in text]
    if not text.strip() or None in out:
        return None
    return "".join(out)  # type: ignore[arg-type]


def _restyle(match: re.Match[str]) -> str:
    tag, before, variant, after, text = match.groups()
    styled = style(html.unescape(text), variant)
    if styled is None:
        return match.group(0)
    return f"<{tag}{before or ''}{after}>{html.escape(styled, quote=False)}</{tag}>"


_TOKEN_TAGS = {name: re.compile(f"<{name}(?=[\\s>])[^<>]*>|</{name}>")
               for name in ("mi", "mo", "mn", "mtext")}


def _unnest(mathml: str, name: str) -> str:
    """A token element ``name`` that holds elements, as an ``mrow``.

    KaTeX writes ``\\boldsymbol{00}`` and ``\\boldsymbol{<0}`` as elements inside an ``mi``
    or ``mo``; a token holds only text, so the sanitiser empties it and the formula loses
    them."""
    out: list[str] = []
    wrappers: list[bool] = []
    last = 0
    for tag in _TOKEN_TAGS[name].finditer(mathml):
        out.append(mathml[last:tag.start()])
        last = tag.end()
        if tag.group(0) == f"</{name}>":
            out.append("</mrow>" if wrappers and wrappers.pop() else tag.group(0))
            continue
        wrapper = mathml.startswith("<", tag.end()) and not mathml.startswith("</", tag.end())
        wrappers.append(wrapper)
        out.append("<mrow" + tag.group(0)[len(name) + 1:] if wrapper else tag.group(0))
    out.append(mathml[last:])
    return "".join(out)


def styled(mathml: str) -> str:
    """KaTeX's MathML with every styled token written in Unicode's styled letters (and no
    token holding elements)."""
    for name in _TOKEN_TAGS:
        mathml = _unnest(mathml, name)
    return _TOKEN.sub(_restyle, mathml) if "mathvariant" in mathml else mathml
