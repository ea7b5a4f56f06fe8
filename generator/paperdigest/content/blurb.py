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
from urllib.parse import quote, urlencode

import emoji

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


# --- URLs -------------------------------------------------------------------------------
# twitter-text finds a domain only if it ends in a top-level domain from its table (about
# 1,600 entries, with or without http(s)://). This copy keeps every country code, ASCII and
# internationalised, but only the generic domains likely in a research blurb, all taken from
# that table. A domain under a generic TLD missing here counts as text, character by
# character, where X would count 23.
_GTLDS = (  # noqa: SIM905 - a word list reads better as one string
    "com net org edu gov mil int info biz name pro mobi asia tel travel jobs aero coop museum "
    "cat xxx post arpa app dev page blog site online tech store shop xyz top club cloud art "
    "design news live life world today space website digital network systems software science "
    "academy education institute university school link click email global media studio tools "
    "works zone plus one group center company social solutions services agency ltd llc inc wiki "
    "google microsoft apple youtube tokyo osaka nagoya yokohama kyoto okinawa ryukyu moe fun "
    "games guru ninja rocks lol icu vip work codes run build host press pub best cool team love "
    "computer engineering technology ventures capital finance health care report review "
    "reviews chat community foundation events expert energy earth photo video pics data fyi "
    "bio eco green mba phd law legal med hospital みんな コム ポイント クラウド ストア "
    "セール ファッション グーグル 世界 在线 公司 网址 中文网 信息 商店 移动 游戏 新闻 "
    "онлайн сайт рус орг ком"
).split()
_CCTLDS = (  # noqa: SIM905
    "ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn "
    "bo bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj "
    "dk dm do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp "
    "gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh "
    "ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn "
    "mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph "
    "pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr "
    "ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz ua ug uk um us uy "
    "uz va vc ve vg vi vn vu wf ws ye yt za zm zw 한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე "
    "ລາວ ไทย ලංකා ഭാരതം ಭಾರತ భారత్ சிங்கப்பூர் இலங்கை இந்தியா ଭାରତ ભારત ਭਾਰਤ ভাৰত ভারত "
    "বাংলা भारोत भारतम् भारत ڀارت پاکستان موريتانيا مليسيا مصر قطر فلسطين عمان عراق سورية "
    "سودان تونس بھارت بارت ایران امارات المغرب السعودية الجزائر البحرين الاردن հայ қаз укр "
    "срб рф мон мкд ею бел бг ευ ελ"
).split()

_TLD_END = r"(?=[^0-9a-zA-Z@+-]|\Z)"
_KNOWN_TLD = (
    "(?:(?:" + "|".join(sorted(_GTLDS + _CCTLDS, key=len, reverse=True)) + ")"
    + _TLD_END + r"|xn--[\-0-9a-z]+)"
)
# Character groups of twitter-text's JS regexes (punct, spacesGroup, invalidCharsGroup,
# directionalMarkersGroup, latinAccentChars, cyrillicLettersAndMarks).
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_LATIN = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"

# Domain characters include kana and kanji, so in ``詳細はarxiv.org`` the whole run is the
# "domain"; the ASCII part is then picked out of it. Like twitter-text, a run whose
# punycode label is longer than 63 makes the match invalid, and it then counts as text.
_D = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = rf"(?:(?:{_D}(?:[_-]|{_D})*)?{_D}\.)"
_DOMAIN_NAME = rf"(?:(?:{_D}(?:-|{_D})*)?{_D}\.)"
_DOMAIN = rf"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}{_KNOWN_TLD})"
_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN}]|{_PARENS})"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_URL = re.compile(
    rf"(?P<before>[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|\A)"
    rf"(?P<url>(?P<proto>https?://)?(?P<domain>{_DOMAIN})(?::[0-9]+)?"
    rf"(?P<path>/{_PATH}*)?(?:\?{_QUERY}*{_QUERY_END})?)",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(rf"(?:[\-a-z0-9{_LATIN}]+\.)+{_KNOWN_TLD}", re.IGNORECASE)
_TCO = re.compile(rf"https?://t\.co/([a-z0-9]+)(?:\?{_QUERY}*{_QUERY_END})?", re.IGNORECASE)
_MAX_URL_LENGTH = 4096
_DOMAIN_SEPARATORS = re.compile("[.\u3002\uff0e\uff61]")
# Every TLD starts with a letter; without ". + letter" there is nothing to find. Worth checking
# first: a scan costs time quadratic in the length of a run of kana or kanji before a ".".
_DOT_LETTER = re.compile(r"\.[^\W\d_]")
_RUN = re.compile(r"\S+")
MAX_URL_RUN = 600
"""Longest run of non-space characters searched for a URL; longer runs count as text."""
_TLD_AFTER_DOT = re.compile(rf"[.\u3002\uff0e\uff61]{_KNOWN_TLD}", re.IGNORECASE)


def _utf16(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _to_ascii(label: str) -> str | None:
    """``punycode.toASCII`` of one label (it also splits on the ideographic full stop)."""
    parts = []
    for part in _DOMAIN_SEPARATORS.split(label):
        if part.isascii():
            parts.append(part)
            continue
        try:
            parts.append("xn--" + part.encode("punycode").decode("ascii"))
        except UnicodeError:
            return None
    return ".".join(parts)


def _valid_url(url: str, proto: str | None, domain: str) -> bool:
    if domain[:4] == "xn--" and not _ASCII_DOMAIN.search(domain):
        return False
    labels = [_to_ascii(label) for label in domain.split(".")]
    if any(label is None or not 1 <= len(label) <= 63 for label in labels):
        return False
    encoded = ".".join(label or "" for label in labels)
    length = len(proto or "https://") + _utf16(url) + len(encoded) - _utf16(domain)
    return length <= _MAX_URL_LENGTH


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL.finditer(text)``, stopping where no top-level domain follows.

    A domain ends in a TLD, so no URL starts after the last ``.tld`` of the text; without
    that bound, a run such as ``a.a.a.…`` makes each of its positions rescan the rest.
    """
    bound = max((m.start() for m in _TLD_AFTER_DOT.finditer(text)), default=-1)
    pos = 0
    while pos <= bound:
        m = _URL.search(text, pos)
        if m is None:
            return
        yield m
        pos = max(m.end(), pos + 1)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Code-point spans of the URLs X finds in ``text`` (with or without a scheme).

    A URL holds no space, so each run of non-space characters is searched on its own, and a
    run longer than ``MAX_URL_RUN`` counts as text: the URL pattern can take time quadratic
    in the length of a run (``a-a-a-….com``), and no real post carries such a URL.
    """
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        word = run.group()
        if len(word) <= MAX_URL_RUN and _DOT_LETTER.search(word):
            spans.extend((run.start() + s, run.start() + e) for s, e in _word_urls(word))
    return spans


def _word_urls(text: str) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for m in _matches(text):
        url, proto, domain = m.group("url"), m.group("proto"), m.group("domain")
        start, end = m.start("url"), m.end()
        if not _valid_url(url, proto, domain):
            continue
        if proto:
            tco = _TCO.match(url)
            if tco:
                if len(tco.group(1)) > 40:
                    continue
                end = start + tco.end()
            spans.append([start, end])
            continue
        if m.group("before") and m.group("before")[-1] in "-_./":
            continue
        last: list[int] | None = None
        for ascii_domain in _ASCII_DOMAIN.finditer(domain):
            last = [start + ascii_domain.start(), start + ascii_domain.end()]
            spans.append(last)
        if last is not None and m.group("path"):
            last[1] = end
    return [(s, e) for s, e in spans]


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


def count(text: str) -> TweetCount:
    """Count ``text`` as X counts a post (twitter-text ``parseTweet`` with config v3)."""
    normal = unicodedata.normalize("NFC", text)
    urls = dict(url_spans(normal))
    emojis = _emoji_spans(normal)
    total = 0
    valid = True
    valid_end = 0
    offset16 = 0
    i = 0
    while i < len(normal):
        if i in urls:
            end, weight = urls[i], URL_WEIGHT * _SCALE
        elif i in emojis:
            end, weight = emojis[i], _DEFAULT_WEIGHT
        else:
            end, weight = i + 1, _weight(normal[i])
        total += weight
        offset16 += _utf16(normal[i:end])
        # As in the reference, the valid range stops at the first invalid character.
        valid = valid and normal[end - 1] not in _INVALID_NAMES
        if valid and total <= LIMIT * _SCALE:
            valid_end = offset16 - 1
        i = end
    length = total // _SCALE
    # Float arithmetic on purpose: the reference computes Math.floor(n / 280 * 1000).
    permillage = math.floor(length / LIMIT * 1000)
    return TweetCount(
        weighted_length=length,
        valid=valid and 0 < length <= LIMIT,
        permillage=permillage,
        valid_range_end=valid_end + _utf16(text) - _utf16(normal),
        display_range_end=max(_utf16(text) - 1, 0),
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
