"""URLs in a post, found as X finds them (twitter-text ``extractUrlsWithIndices``).

Split from ``blurb``: the counter weighs a URL 23 wherever this module finds one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

ASTRAL = re.compile("[\U00010000-\U0010ffff]")
"""Code points outside the BMP: two UTF-16 code units each."""


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


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts it."""
    return len(text) + len(ASTRAL.findall(text))


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
    length = len(proto or "https://") + utf16_length(url) + len(encoded) - utf16_length(domain)
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
