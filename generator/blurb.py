"""Blurbs: length exactly as X counts it (twitter-text v3), hashtags, cleaning, share links.

X's rules (twitter-text ``config/v3.json``): the text is NFC-normalised; code points in
U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all others 2;
an emoji sequence of any length weighs 2; a URL weighs 23; the limit is 280. So "140字"
is 140 full-width characters. A post of blurb + " " + page URL must fit, which leaves
256 for the blurb itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import emoji

LIMIT = 280
URL_WEIGHT = 23
SHARE_LIMIT = LIMIT - URL_WEIGHT - 1
_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_INVALID = {"\ufffe": "U+FFFE", "\ufeff": "U+FEFF (byte-order mark)", "\uffff": "U+FFFF"}

# Top-level domains recognised in URLs written without a scheme (``arxiv.org``). A short
# list of the common generic and country domains, not twitter-text's full table: an
# unknown TLD is counted as text, which can only under-count by the difference.
_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|ai|dev|app|co|me|tv|ly|gl|gg|so|sh|cc|xyz|"
    "jp|us|uk|de|fr|cn|kr|tw|hk|in|ca|au|nz|br|ru|it|es|nl|se|ch|eu|be|at|dk|fi|no|pl|"
    "cz|il|sg|id|th|vn|my|ph|mx|ar|cl|za|ie|pt|gr|tr|ua|is|lu|ee|lv|lt|ro|hu|sk|si|hr"
)
_URL = re.compile(
    r"https?://[^\s<>\"'「」『』（）()【】、。！？]+"
    r"|(?<![A-Za-z0-9@#＃$._-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    rf"(?:{_TLDS})(?![A-Za-z0-9-])(?::\d{{1,5}})?(?:/[A-Za-z0-9\-._~%!$&'*+,;=:@/?#]*)?",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?'\")]}"


@dataclass(frozen=True)
class TweetCount:
    """The result of counting a text as X does."""

    weighted_length: int
    valid: bool
    """``0 < weighted_length <= 280`` and no invalid character."""
    permillage: int
    valid_range_end: int
    """UTF-16 offset of the last character that still fits in 280."""
    display_range_end: int
    """UTF-16 offset of the last character."""


@dataclass(frozen=True)
class Hashtag:
    """A hashtag as X parses it: ``text`` without the ``#``, character offsets."""

    text: str
    start: int
    end: int


def _weight(ch: str) -> int:
    cp = ord(ch)
    return 100 if any(lo <= cp <= hi for lo, hi in _RANGES) else _DEFAULT_WEIGHT


def url_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the URLs in ``text`` (with or without a scheme)."""
    spans = []
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        spans.append((m.start(), end))
    return spans


# Every emoji sequence contains at least one of these code points; text without any (most
# Japanese prose) skips the costly emoji scan.
_MAYBE_EMOJI = re.compile(
    "[\u00a9\u00ae\u200d\u203c-\u2bff\u3030\u303d\u3297\u3299\ufe0f"
    "\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)


def _units(text: str) -> list[tuple[int, int, int]]:
    """(start, end, weight) for every counted unit: URLs, emoji sequences, code points."""
    special: dict[int, tuple[int, int]] = {}
    for start, end in url_spans(text):
        special[start] = (end, URL_WEIGHT * _SCALE)
    found_emoji = emoji.emoji_list(text) if _MAYBE_EMOJI.search(text) else []
    for found in found_emoji:
        start = found["match_start"]
        if not any(s <= start < e for s, (e, _) in special.items()):
            special[start] = (found["match_end"], _DEFAULT_WEIGHT)
    units = []
    i = 0
    while i < len(text):
        if i in special:
            end, weight = special[i]
            units.append((i, end, weight))
            i = end
        else:
            units.append((i, i + 1, _weight(text[i])))
            i += 1
    return units


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def count(text: str) -> TweetCount:
    """Count ``text`` as X counts a post."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    valid_end = -1
    for start, end, weight in _units(text):
        total += weight
        if total // _SCALE <= LIMIT:
            valid_end = _utf16(text[:end]) - 1
    length = total // _SCALE
    invalid = any(ch in text for ch in _INVALID)
    return TweetCount(
        weighted_length=length,
        valid=0 < length <= LIMIT and not invalid,
        permillage=length * 1000 // LIMIT,
        valid_range_end=valid_end,
        display_range_end=_utf16(text) - 1,
    )


def weighted_length(text: str) -> int:
    """The length of ``text`` as X counts it."""
    return count(text).weighted_length


def _tag_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M" or ch in "〜～ゞ・"


def extract_hashtags(text: str) -> list[Hashtag]:
    """Hashtags as X finds them: ``#`` or ``＃`` at the start or after a space or punctuation.

    ``日本語#タグ`` is not a hashtag (a letter precedes ``#``); a tag of digits only is not one.
    """
    urls = url_spans(text)
    tags: list[Hashtag] = []
    for m in re.finditer(r"[#＃]", text):
        i = m.start()
        if any(s <= i < e for s, e in urls):
            continue
        if i > 0 and (_tag_char(text[i - 1]) or text[i - 1] in "&#＃"):
            continue
        end = i + 1
        while end < len(text) and _tag_char(text[end]) and text[end] != "・":
            end += 1
        body = text[i + 1:end]
        if body and any(ch.isalpha() for ch in body) and not (
            end < len(text) and text[end] in "#＃"
        ):
            tags.append(Hashtag(body, i, end))
    return tags


_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_QUOTES = (("「", "」"), ("『", "』"), ("“", "”"), ('"', '"'), ("'", "'"), ("‘", "’"))


def clean_blurb(raw: str) -> str:
    """Section 8 as one line: fence remnants dropped, lines joined, quotes trimmed."""
    lines = [line.strip() for line in raw.splitlines()]
    lines = [x for x in lines if x and not re.fullmatch(r"(`{3,}|'{3,}|~{3,})\s*\w*", x)]
    text = ""
    for line in lines:
        if text and not (_CJK.match(text[-1]) and _CJK.match(line[0])):
            text += " "
        text += line
    changed = True
    while changed and len(text) >= 2:
        changed = False
        for left, right in _QUOTES:
            if text.startswith(left) and text.endswith(right) and len(text) > 2:
                inner = text[len(left):-len(right)]
                if left not in inner and right not in inner:
                    text, changed = inner.strip(), True
    return text


def share_text_problems(text: str) -> list[str]:
    """What stops ``text`` from being posted whole with the page link; ``[]`` if nothing."""
    if not text.strip():
        return ["is empty: write a summary of at most 140 full-width characters"]
    problems = []
    for ch, name in _INVALID.items():
        if ch in text:
            problems.append(f"contains the character {name} at position {text.index(ch) + 1}, "
                            "which X refuses: delete it")
    n = weighted_length(text)
    if n > LIMIT:
        problems.append(f"is {n} long as X counts it; the limit is {LIMIT} (140 full-width "
                        f"characters): shorten it by {n - LIMIT}")
    elif n > SHARE_LIMIT:
        problems.append(f"is {n} long; with the page link ({URL_WEIGHT}) a post allows "
                        f"{SHARE_LIMIT}: shorten it by {n - SHARE_LIMIT}")
    return problems


def intent_url(text: str, url: str) -> str:
    """The X web-intent link that opens a post of ``text`` followed by ``url``."""
    return "https://x.com/intent/tweet?" + urlencode({"text": text, "url": url}, quote_via=quote)
