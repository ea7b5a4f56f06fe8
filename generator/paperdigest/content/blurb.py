"""Blurbs: length exactly as X counts it (twitter-text v3), hashtags, cleaning, share links.

X's rules (twitter-text ``config/v3.json`` and ``parseTweet``): the text is NFC-normalised;
code points in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all
others 2; an emoji sequence of any length weighs 2; a URL weighs 23; the limit is 280. So
"140字" means 140 full-width characters. A post of blurb + " " + page URL must fit, which
leaves 256 for the blurb itself.

URL and hashtag finding follow twitter-text's extractors (``extractUrlsWithIndices``,
``extractHashtagsWithIndices``) closely, with two deliberate differences, both noted where
they live: a compact top-level-domain list instead of the full IANA table, and emoji data from
the ``emoji`` package (current Unicode) instead of the older twemoji table.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

import emoji

from .xurls import ASTRAL, url_spans, utf16_length

LIMIT = 280
"""``maxWeightedTweetLength``."""
URL_WEIGHT = 23
"""``transformedURLLength``: every URL counts this much, whatever its length."""
SHARE_LIMIT = LIMIT - URL_WEIGHT - 1
"""What is left for the blurb when the share link adds a space and the page URL."""
MAX_CHARS = 2000
"""Longer text is refused before counting: no URL makes 2,000 characters fit in a post."""

_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_INVALID_NAMES = {"\ufffe": "U+FFFE", "\ufeff": "U+FEFF (byte-order mark)", "\uffff": "U+FFFF"}


@dataclass(frozen=True)
class TweetCount:
    """The result of counting a text as X does (the fields of twitter-text's ``parseTweet``)."""

    weighted_length: int
    valid: bool
    """``0 < weighted_length <= 280`` and no invalid character (U+FFFE, U+FEFF, U+FFFF)."""
    permillage: int
    """``weighted_length`` in thousandths of the limit, rounded down."""
    valid_range_end: int
    """UTF-16 offset (inclusive) of the last character that still fits; the range starts at 0."""
    display_range_end: int
    """UTF-16 offset (inclusive) of the last character of the text as given; 0 when empty."""


@dataclass(frozen=True)
class Hashtag:
    """A hashtag as X parses it: ``text`` without the ``#``; code-point offsets in the text."""

    text: str
    start: int
    end: int


# --- counting ---------------------------------------------------------------------------
# Every emoji sequence contains at least one of these code points; text without any (most
# Japanese prose) skips the slower emoji scan.
_MAYBE_EMOJI = re.compile(
    "[\u00a9\u00ae\u200d\u203c-\u2bff\u3030\u303d\u3297\u3299\ufe0f"
    "\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)


def _emoji_spans(text: str) -> dict[int, int]:
    if not _MAYBE_EMOJI.search(text):
        return {}
    spans = {}
    for found in emoji.emoji_list(text):
        # X's emoji table counts © and ® as emoji only with U+FE0F; bare, they are text (1).
        if found["emoji"] in ("©", "®"):
            continue
        spans[found["match_start"]] = found["match_end"]
    return spans


def _weight(ch: str) -> int:
    cp = ord(ch)
    return 100 if any(lo <= cp <= hi for lo, hi in _RANGES) else _DEFAULT_WEIGHT


# Plain text between URLs and emoji is weighed a run at a time: the characters of weight 100
# and the astral ones (two UTF-16 units) are counted by regex, not one Python step each.
_LIGHT = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _RANGES) + "]")
_ANY_INVALID = re.compile("[" + "".join(_INVALID_NAMES) + "]")


def _pieces(normal: str, urls: dict[int, int], emojis: dict[int, int]
            ) -> Iterator[tuple[int, int, int | None]]:
    """(start, end, weight) of each URL and emoji, and (start, end, None) of the text between."""
    marks = sorted((start, end, URL_WEIGHT * _SCALE if start in urls else _DEFAULT_WEIGHT)
                   for start, end in {**emojis, **urls}.items())
    i = 0
    for start, end, weight in marks:
        if start < i:
            continue  # inside an earlier piece (the reference never starts one there)
        if start > i:
            yield i, start, None
        yield start, end, weight
        i = end
    if i < len(normal):
        yield i, len(normal), None


@lru_cache(maxsize=8192)
def count(text: str) -> TweetCount:
    """Count ``text`` as X counts a post (twitter-text ``parseTweet`` with config v3).

    Cached: the check, the cards and the thread kit count the same blurbs again.
    """
    normal = unicodedata.normalize("NFC", text)
    urls = dict(url_spans(normal))
    emojis = _emoji_spans(normal)
    total = 0
    valid = True
    valid_end = 0
    offset16 = 0
    limit = LIMIT * _SCALE
    for start, end, weight in _pieces(normal, urls, emojis):
        piece = normal[start:end]
        if weight is None:
            light = len(_LIGHT.findall(piece))
            weight = light * 100 + (len(piece) - light) * _DEFAULT_WEIGHT
            if valid and (total + weight > limit or _ANY_INVALID.search(piece)):
                # The valid range ends inside this run: find where, one character at a time.
                for ch in piece:
                    total += _weight(ch)
                    offset16 += 2 if ord(ch) > 0xFFFF else 1
                    valid = valid and ch not in _INVALID_NAMES
                    if valid and total <= limit:
                        valid_end = offset16 - 1
                continue
        total += weight
        offset16 += len(piece) + len(ASTRAL.findall(piece))
        # As in the reference, the valid range stops at the first invalid character.
        valid = valid and piece[-1] not in _INVALID_NAMES
        if valid and total <= limit:
            valid_end = offset16 - 1
    length = total // _SCALE
    # Float arithmetic on purpose: the reference computes Math.floor(n / 280 * 1000).
    permillage = math.floor(length / LIMIT * 1000)
    return TweetCount(
        weighted_length=length,
        valid=valid and 0 < length <= LIMIT,
        permillage=permillage,
        valid_range_end=valid_end + utf16_length(text) - utf16_length(normal),
        display_range_end=max(utf16_length(text) - 1, 0),
    )


def weighted_length(text: str) -> int:
    """The length of ``text`` as X counts it."""
    return count(text).weighted_length


# --- hashtags ---------------------------------------------------------------------------
_HASH_SIGNS = "#＃"
_HASHTAG_SPECIAL = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b"
    "\u0f0c\u00b7"
)


def _tag_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _tag_char(ch: str) -> bool:
    return _tag_letter(ch) or unicodedata.category(ch) == "Nd" or ch in _HASHTAG_SPECIAL


def extract_hashtags(text: str) -> list[Hashtag]:
    """Hashtags as X finds them.

    A ``#`` or ``＃`` counts at the start of the text or after a character that cannot be part
    of a tag (space, punctuation, emoji), so ``日本語#タグ`` is not a hashtag. The tag runs
    over letters, marks, digits and ``_``, ``〜``, ``～``, ``・`` and a few more; ``。`` ends
    it; it needs at least one letter; one followed by ``#`` or ``://`` or inside a URL is
    not a hashtag.
    """
    if not any(sign in text for sign in _HASH_SIGNS):
        return []
    tags: list[Hashtag] = []
    for i, ch in enumerate(text):
        if ch not in _HASH_SIGNS:
            continue
        if i > 0 and text[i - 1] not in "\ufe0e\ufe0f" and (
            text[i - 1] == "&" or _tag_char(text[i - 1])
        ):
            continue
        if text[i + 1:i + 2] in ("\ufe0f", "\u20e3"):
            continue
        end = i + 1
        while end < len(text) and _tag_char(text[end]):
            end += 1
        body = text[i + 1:end]
        if not any(_tag_letter(c) for c in body) or text.startswith(("#", "＃", "://"), end):
            continue
        tags.append(Hashtag(body, i, end))
    urls = url_spans(text) if tags else []
    if not urls:
        return tags
    # twitter-text's removeOverlappingEntities: in start order, an entity that overlaps the
    # last kept one is dropped, so a URL swallows a "#fragment" inside it.
    entities: list[tuple[int, int, Hashtag | None]] = [(t.start, t.end, t) for t in tags]
    entities += [(s, e, None) for s, e in urls]
    entities.sort(key=lambda entity: entity[0])
    kept: list[Hashtag] = []
    last_end = -1
    for start, end, tag in entities:
        if start < last_end:
            continue
        last_end = end
        if tag is not None:
            kept.append(tag)
    return kept


# --- blurb text -------------------------------------------------------------------------
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FENCE_REMNANT = re.compile(r"(`{3,}|'{3,}|~{3,})\s*[\w+#.-]*")
_QUOTES = (("「", "」"), ("『", "』"), ("“", "”"), ('"', '"'), ("'", "'"), ("‘", "’"))


def clean_blurb(raw: str) -> str:
    """Section 8 as one line: fence remnants dropped, lines joined, enclosing quotes trimmed."""
    lines = [line.strip() for line in raw.splitlines()]
    lines = [line for line in lines if line and not _FENCE_REMNANT.fullmatch(line)]
    text = ""
    for line in lines:
        # Japanese lines join without a space; a space there would also cost 1 on X.
        if text and not (_CJK.match(text[-1]) and _CJK.match(line[0])):
            text += " "
        text += line
    changed = True
    while changed:
        changed = False
        for left, right in _QUOTES:
            if len(text) > 2 and text.startswith(left) and text.endswith(right):
                inner = text[len(left):-len(right)]
                # 「A」と「B」 is two quotes, not one around the whole text.
                if left not in inner and right not in inner:
                    text, changed = inner.strip(), True
    return text


def share_text_problems(text: str) -> list[str]:
    """What stops ``text`` from being posted whole with the page link; ``[]`` if nothing."""
    if not text.strip():
        return ["is empty: write a summary of at most 128 full-width characters"]
    problems = []
    for ch, name in _INVALID_NAMES.items():
        if ch in text:
            problems.append(
                f"contains {name} at character {text.index(ch) + 1}, "
                "which X refuses: delete it"
            )
    if len(text) > MAX_CHARS:
        problems.append(f"is {len(text):,} characters long: a post with the page link allows "
                        f"{SHARE_LIMIT} as X counts it (128 full-width characters); write a "
                        "summary of one or two sentences")
        return problems
    n = weighted_length(text)
    if n > SHARE_LIMIT:
        # One figure to the real target: the post carries the page link (23 + a space).
        over = "over X's limit of 280; " if n > LIMIT else ""
        problems.append(
            f"is {n} long as X counts it, {over}with the page link a post allows "
            f"{SHARE_LIMIT} (128 full-width characters): shorten it by {n - SHARE_LIMIT}"
        )
    return problems


def intent_url(text: str, url: str) -> str:
    """The X web-intent link that opens a post of ``text`` followed by ``url``."""
    return "https://x.com/intent/tweet?" + urlencode({"text": text, "url": url}, quote_via=quote)
