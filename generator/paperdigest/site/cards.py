"""Share cards: card text in, a 1200×630 PNG out (what X and others show for a shared link).

Pure: no model, no cache, no disk beyond reading the font file. ``break_lines`` is Japanese
line breaking (kinsoku: no line starts with 。、」） and the like, none ends with 「（); a text
too long for its box is shortened with "…" at a character boundary, never inside one.
``layout`` places every line and ``draw`` paints them; the same text, font file and Pillow
give the same bytes (the PNG carries no time or other metadata).
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import emoji
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
"""The size X's ``summary_large_image`` and Open Graph consumers expect (1.91:1)."""
ELLIPSIS = "…"

# Kinsoku shori (JIS X 4051): characters that may not start a line ...
NO_START = frozenset(
    "、。，．,.・：；:;？！?!‼⁇⁈⁉゛゜ヽヾゝゞ々〻ー－‐゠–—〜～…‥"
    "’”）〕］｝〉》」』】〙〗〟｠»)]}"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ％%"
)
# ... and that may not end one (openings, and a hashtag sign cut off from its tag).
NO_END = frozenset("（〔［｛〈《「『【〘〖〝｟«‘“([{#＃")
# Latin words, numbers and URLs break only at spaces.
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                  "-_./'’&+@:%=~αβγδεθλμπσφω")

Measure = Callable[[str], float]


@dataclass(frozen=True)
class CardText:
    """What one card shows; every field is plain text."""

    site: str
    """The site's name, top left."""
    label: str
    """Top right: date and category of a paper, "著者", "タグ"."""
    title: str
    body: str
    """The blurb of a paper; a line about an author or a tag."""
    footer: str
    """Bottom line: the authors of a paper ("A, B ほか N名")."""


@dataclass(frozen=True)
class Fonts:
    """The font files cards are drawn with (a collection needs the face index)."""

    bold: str
    regular: str
    bold_index: int = 0
    regular_index: int = 0


@dataclass(frozen=True)
class Line:
    """One placed line: its text, font, top-left corner and measured width."""

    text: str
    bold: bool
    size: int
    x: int
    y: int
    width: float
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Box:
    """A text box: where its lines may go."""

    x: int
    y: int
    width: int
    height: int


# --- characters and lines ------------------------------------------------------------------
def clusters(text: str) -> list[str]:
    """``text`` in user-perceived characters: a base with its combining marks, variation
    selectors and ZWJ-joined or skin-tone parts, and regional-indicator pairs stay whole."""
    out: list[str] = []
    joined = False
    for ch in text:
        cp = ord(ch)
        attach = out and (
            joined or unicodedata.combining(ch) or cp == 0x200D or 0xFE00 <= cp <= 0xFE0F
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F
            or (0x1F1E6 <= cp <= 0x1F1FF and len(out[-1]) == 1
                and 0x1F1E6 <= ord(out[-1]) <= 0x1F1FF)
        )
        if attach:
            out[-1] += ch
        else:
            out.append(ch)
        joined = cp == 0x200D
    return out


def _tokens(text: str) -> list[str]:
    """Break units: a Latin word, a space, or one other character."""
    tokens: list[str] = []
    for c in clusters(" ".join(text.split())):
        if tokens and ((c[0] in _WORD and tokens[-1][-1] in _WORD)
                       or (tokens[-1][0] in "#＃" and _in_hashtag(c))):
            tokens[-1] += c
        else:
            tokens.append(c)
    return tokens


def _in_hashtag(c: str) -> bool:
    # A hashtag stays whole like a word (it breaks only when wider than the box).
    return c[0] in "_ー" or unicodedata.category(c[0])[0] in "LMN"


def _fit_pieces(token: str, width: float, measure: Measure) -> list[str]:
    """A token wider than the box, cut into pieces that fit (between characters)."""
    pieces, piece = [], ""
    for c in clusters(token):
        if piece and measure(piece + c) > width:
            pieces.append(piece)
            piece = ""
        piece += c
    return [*pieces, piece] if piece else pieces


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """``text`` broken into lines no wider than ``width``, following kinsoku rules.

    Greedy, with *oidashi*: when the next line would start with a character of ``NO_START``
    (or this one end with one of ``NO_END``), the last unit moves down to the next line.
    Spaces at the ends of lines are dropped.
    """
    tokens: list[str] = []
    for token in _tokens(text):
        tokens.extend(_fit_pieces(token, width, measure) if measure(token) > width else [token])
    lines: list[str] = []
    start = i = 0
    while i < len(tokens):
        if i == start and tokens[i] == " ":
            start = i = i + 1
            continue
        if i == start or measure("".join(tokens[start:i + 1])) <= width:
            i += 1
            continue
        cut = i
        # Move the break back while it would be illegal; a break at a space always is legal.
        while cut - start > 1 and _illegal_break(tokens[cut - 1], tokens[cut]):
            cut -= 1
        lines.append("".join(tokens[start:cut]).strip(" "))
        start = i = cut
    if start < len(tokens):
        lines.append("".join(tokens[start:]).strip(" "))
    return [line for line in lines if line]


def _illegal_break(before: str, after: str) -> bool:
    if before == " " or after == " ":
        return False
    return after[0] in NO_START or before[-1] in NO_END


def shorten(line: str, width: float, measure: Measure) -> str:
    """``line`` cut to fit ``width`` with "…" at its end, at a character boundary."""
    parts = clusters(line)
    while parts and (measure("".join(parts) + ELLIPSIS) > width or parts[-1] == " "
                     or parts[-1][-1] in NO_END):
        parts.pop()
    return "".join(parts).rstrip() + ELLIPSIS


def wrap(text: str, width: float, measure: Measure, max_lines: int) -> list[str]:
    """At most ``max_lines`` lines of ``text``; the last ends with "…" when text was left."""
    if max_lines < 1:
        return []
    lines = break_lines(text, width, measure)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    rest = kept[-1] + ELLIPSIS
    kept[-1] = rest if measure(rest) <= width else shorten(kept[-1], width, measure)
    return kept


def fit_line(text: str, width: float, measure: Measure) -> str:
    """One line: ``text`` as it is when it fits, else shortened with "…"."""
    text = " ".join(text.split())
    return text if measure(text) <= width else shorten(text, width, measure)


# --- layout and drawing ----------------------------------------------------------------------
BACKGROUND = (17, 24, 39)
TITLE_COLOR = (255, 255, 255)
BODY_COLOR = (214, 219, 228)
MUTED = (156, 163, 175)
ACCENT = (129, 140, 248)  # Material's indigo, lightened for a dark ground
PAD = 72
SITE_SIZE, LABEL_SIZE, TITLE_SIZE, BODY_SIZE, FOOTER_SIZE = 30, 28, 52, 34, 28
TITLE_LEADING, BODY_LEADING = 68, 52
TITLE_LINES = 3
TEXT_BOX = Box(PAD, PAD, WIDTH - 2 * PAD, HEIGHT - 2 * PAD)
"""Every line of a card lies inside this box (tests check it)."""


class _Widths:
    """``getlength`` summed over characters, each measured once.

    With the basic layout the width of a run is the sum of its characters' advances (no
    kerning across them), so line breaking needs each character measured only once.
    """

    def __init__(self, face: ImageFont.FreeTypeFont) -> None:
        self.face = face
        self.known: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        known, total = self.known, 0.0
        for ch in text:
            width = known.get(ch)
            if width is None:
                width = known[ch] = self.face.getlength(ch)
            total += width
        return total


@lru_cache(maxsize=32)
def _widths(path: str, index: int, size: int) -> _Widths:
    return _Widths(_font(path, index, size))


@lru_cache(maxsize=32)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: no shaping is needed for Japanese and Latin, and it does not depend on
    # whether Pillow was built with libraqm, so the bytes are the same everywhere.
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


def font(fonts: Fonts, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The bold or regular face of ``fonts`` at ``size`` pixels (loaded once per process)."""
    if bold:
        return _font(fonts.bold, fonts.bold_index, size)
    return _font(fonts.regular, fonts.regular_index, size)


def _drawable(text: str) -> str:
    # The CJK fonts have no emoji: drop them rather than draw empty boxes.
    return " ".join(emoji.replace_emoji(text, "").split())


def layout(card: CardText, fonts: Fonts) -> list[Line]:
    """Every line of ``card``, placed inside ``TEXT_BOX``."""
    box = TEXT_BOX
    lines: list[Line] = []

    def add(text: str, bold: bool, size: int, x: int, y: int,
            color: tuple[int, int, int]) -> None:
        width = font(fonts, bold, size).getlength(text)
        lines.append(Line(text, bold, size, x, y, width, color))

    def measure_of(bold: bool, size: int) -> Measure:
        if bold:
            return _widths(fonts.bold, fonts.bold_index, size)
        return _widths(fonts.regular, fonts.regular_index, size)

    label_m, site_m = measure_of(False, LABEL_SIZE), measure_of(True, SITE_SIZE)
    inner = box.width - 4  # a glyph's ink may reach past its advance width
    label = fit_line(_drawable(card.label), box.width * 0.5, label_m)
    # Right-aligned by its ink, which may reach a pixel past the advance width.
    label_w = max(label_m(label), font(fonts, False, LABEL_SIZE).getbbox(label)[2]) if label else 0
    site = fit_line(_drawable(card.site), box.width - label_w - 32, site_m)
    add(site, True, SITE_SIZE, box.x, box.y, ACCENT)
    if label:
        add(label, False, LABEL_SIZE, box.x + box.width - math.ceil(label_w), box.y + 2, MUTED)
    y = box.y + SITE_SIZE + 40
    for text in wrap(_drawable(card.title), inner, measure_of(True, TITLE_SIZE),
                     TITLE_LINES):
        add(text, True, TITLE_SIZE, box.x, y, TITLE_COLOR)
        y += TITLE_LEADING
    # The footer's lowest glyph (descenders included) sits on the bottom of the box.
    footer_y = box.y + box.height - int(font(fonts, False, FOOTER_SIZE).getbbox("gjpyあ")[3])
    y += 24
    # Lines whose glyphs (BODY_SIZE + descent) end at least 12 px above the footer.
    room = max(0, (footer_y - 12 - (BODY_SIZE + 10) - y) // BODY_LEADING + 1)
    for text in wrap(_drawable(card.body), inner, measure_of(False, BODY_SIZE), room):
        add(text, False, BODY_SIZE, box.x, y, BODY_COLOR)
        y += BODY_LEADING
    footer = fit_line(_drawable(card.footer), inner, measure_of(False, FOOTER_SIZE))
    if footer:
        add(footer, False, FOOTER_SIZE, box.x, footer_y, MUTED)
    return lines


def line_box(line: Line, fonts: Fonts) -> tuple[int, int, int, int]:
    """The pixels a drawn line covers: (left, top, right, bottom)."""
    left, top, right, bottom = font(fonts, line.bold, line.size).getbbox(line.text)
    return (line.x + int(left), line.y + int(top), line.x + int(right), line.y + int(bottom))


_COLORS = (TITLE_COLOR, BODY_COLOR, MUTED, ACCENT)
_LEVELS = 32
"""Shades of each colour over the ground: enough for smooth glyph edges."""


def _palette() -> list[int]:
    palette: list[int] = []
    for color in _COLORS:
        for level in range(_LEVELS):
            palette.extend(round(b + (c - b) * level / (_LEVELS - 1))
                           for b, c in zip(BACKGROUND, color, strict=True))
    return palette


_PALETTE = _palette()
_SHIFT = 8 - (_LEVELS - 1).bit_length()


def draw(card: CardText, fonts: Fonts) -> bytes:
    """The card as PNG bytes: light text on a dark ground, an accent bar at the top.

    Glyphs are drawn as coverage into a grey mask, then each line's coverage becomes shades
    of its colour in a palette image (level 0 of every colour is the ground; lines never
    overlap): a quarter of the pixels of RGB to compress, and a smaller file.
    """
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
    pen = ImageDraw.Draw(mask)
    placed = layout(card, fonts)
    for line in placed:
        pen.text((line.x, line.y), line.text, font=font(fonts, line.bold, line.size), fill=255)
    image = mask.point([v >> _SHIFT for v in range(256)]).convert("P")
    for line in placed:
        shade = _COLORS.index(line.color) * _LEVELS
        left, top, right, bottom = line_box(line, fonts)
        region = (max(0, left), max(0, top), min(WIDTH, right + 1), min(HEIGHT, bottom + 1))
        part = mask.crop(region).point([shade + (v >> _SHIFT) for v in range(256)])
        image.paste(part, region[:2])
    ImageDraw.Draw(image).rectangle((0, 0, WIDTH - 1, 11),
                                    fill=_COLORS.index(ACCENT) * _LEVELS + _LEVELS - 1)
    image.putpalette(_PALETTE)
    return png_bytes(image)


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as PNG without metadata chunks (no time, no text): same pixels, same bytes."""
    out = io.BytesIO()
    # Level 3: half the encoding time of the default 6 for about 15% more bytes.
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def authors_line(names: Sequence[str], width: float, measure: Measure) -> str:
    """As many names as fit, the rest as "ほか N名" (``measure``: the footer font's)."""
    if not names:
        return ""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = ", ".join(names[:shown]) + (f" ほか {rest}名" if rest else "")
        if measure(text) <= width:
            return text
    return fit_line(names[0], width - measure(f" ほか {len(names) - 1}名"), measure) + (
        f" ほか {len(names) - 1}名" if len(names) > 1 else "")
