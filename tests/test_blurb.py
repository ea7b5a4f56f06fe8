"""X (twitter-text v3) counting, hashtags, blurb cleaning and share links."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path
from typing import Any

import emoji
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from paperdigest.content.blurb import (
    LIMIT,
    SHARE_LIMIT,
    URL_WEIGHT,
    Hashtag,
    TweetCount,
    clean_blurb,
    count,
    extract_hashtags,
    intent_url,
    share_text_problems,
    url_spans,
    weighted_length,
)

DATA = Path(__file__).parent / "data" / "twitter_text"


def _cases(name: str, *groups: str) -> list[Any]:
    tests = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["tests"]
    assert set(tests) == set(groups)
    return [
        pytest.param(case, id=f"{group}: {case['description']}")
        for group in groups
        for case in tests[group]
    ]


VALIDATE = _cases(
    "validate_v3.yml",
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)
EXTRACT = _cases(
    "extract_hashtags.yml", "hashtags", "hashtags_from_astral", "hashtags_with_indices"
)
URLS = _cases(
    "extract_urls.yml",
    "urls", "urls_with_indices", "urls_with_directional_markers", "tco_urls_with_params",
)


def test_vendored_suites_are_complete() -> None:
    assert (len(VALIDATE), len(EXTRACT), len(URLS)) == (24, 76, 108)
    assert "Apache License" in (DATA / "LICENSE").read_text(encoding="utf-8")


def test_constants() -> None:
    assert (LIMIT, URL_WEIGHT, SHARE_LIMIT) == (280, 23, 256)


# --- the official conformance cases -----------------------------------------------------


@pytest.mark.parametrize("case", VALIDATE)
def test_conformance_weighted_length(case: dict[str, Any]) -> None:
    result = count(case["text"])
    expected = case["expected"]
    assert (expected["validRangeStart"], expected["displayRangeStart"]) == (0, 0)
    assert result == TweetCount(
        weighted_length=expected["weightedLength"],
        valid=expected["valid"],
        permillage=expected["permillage"],
        valid_range_end=expected["validRangeEnd"],
        display_range_end=expected["displayRangeEnd"],
    )


@pytest.mark.parametrize("case", EXTRACT)
def test_conformance_hashtags(case: dict[str, Any]) -> None:
    tags = extract_hashtags(case["text"])
    if case["expected"] and isinstance(case["expected"][0], dict):
        got: list[Any] = [{"hashtag": t.text, "indices": [t.start, t.end]} for t in tags]
    else:
        got = [t.text for t in tags]
    assert got == case["expected"]


@pytest.mark.parametrize("case", URLS)
def test_conformance_urls(case: dict[str, Any]) -> None:
    text, spans = case["text"], url_spans(case["text"])
    if case["expected"] and isinstance(case["expected"][0], dict):
        got: list[Any] = [{"url": text[s:e], "indices": [s, e]} for s, e in spans]
    else:
        got = [text[s:e] for s, e in spans]
    assert got == case["expected"]


# --- Japanese text ----------------------------------------------------------------------


def test_140_full_width_characters_are_the_limit() -> None:
    assert count("あ" * 140) == TweetCount(280, True, 1000, 139, 139)
    over = count("あ" * 141)
    assert (over.weighted_length, over.valid, over.valid_range_end) == (282, False, 139)


def test_128_kana_and_the_page_link_fill_a_post() -> None:
    text = "あ" * 128 + " https://example.org/papers/2503.04504/"
    assert count(text).weighted_length == 280
    assert count(text).valid
    assert weighted_length("あ" * 129 + " https://example.org/") == 282


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("ｱ", 2),  # half-width katakana is not "half" on X
        ("ｶﾞ", 4),
        ("「", 2), ("」", 2), ("。", 2), ("、", 2), ("　", 2), ("…", 2), ("〜", 2), ("＃", 2),
        ("“", 1), ("”", 1), ("‘", 1), ("’", 1), ("—", 1), ("–", 1),
        ("a", 1), ("\n", 1), ("#", 1), ("é", 1),
        ("🇯🇵", 2), ("🇪🇺", 2), ("1️⃣", 2), ("👨‍👩‍👧‍👦", 2), ("🫱🏻‍🫲🏼", 2), ("🐦‍🔥", 2),
        ("🙂‍↔️", 2), ("🧑🏻‍❤️‍💋‍🧑🏼", 2),
        ("©", 1), ("©️", 2),  # X's emoji table needs U+FE0F on ©
        ("ガ", 2), ("カ\u3099", 2),  # NFD ガ normalises to one character
    ],
)
def test_weights(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


def test_nfd_range_offsets_refer_to_the_text_as_given() -> None:
    nfd = unicodedata.normalize("NFD", "ガ" * 3)
    assert count(nfd) == TweetCount(6, True, 21, 5, 5)


@pytest.mark.parametrize(
    ("text", "weight", "spans"),
    [
        ("詳細はarxiv.orgで", 31, [(3, 12)]),
        ("コードはgithub.com/foo/barにある", 37, [(4, 22)]),
        ("example.co.jpを見よ", 29, [(0, 13)]),
        ("論文 https://arxiv.org/abs/2503.04504v2。", 30, [(3, 37)]),
        ("see HTTPS://Example.COM/x?a=1&b=2.", 28, [(4, 33)]),
        ("URLなしの文です。v1.5", 21, []),
        ("not a TLD on X: http://foo.example/", 35, []),
        ("X knows .recipes, this list does not: https://foo.recipes/", 58, []),
        ("file.pyとdata.jsonl", 35, [(0, 7)]),  # .py is Paraguay
    ],
)
def test_urls_count_23(text: str, weight: int, spans: list[tuple[int, int]]) -> None:
    assert url_spans(text) == spans
    assert weighted_length(text) == weight


def test_long_japanese_run_before_a_bare_domain_is_not_a_url() -> None:
    # twitter-text takes the kana/kanji run before "arxiv.org" as part of the host name;
    # past 63 punycode characters that host is invalid and the text counts character by
    # character (here 9 for "arxiv.org" instead of 23). A space before the domain avoids it.
    glued = "この論文の詳細な実験設定と評価結果と追加の解析についてはarxiv.orgを参照"
    spaced = "この論文の詳細な実験設定と評価結果と追加の解析については arxiv.org を参照"
    assert (url_spans(glued), weighted_length(glued)) == ([], 71)
    assert (url_spans(spaced), weighted_length(spaced)) == ([(29, 38)], 87)


def test_invalid_characters() -> None:
    assert count("ok\ufeff") == TweetCount(4, False, 14, 1, 2)
    assert count("") == TweetCount(0, False, 0, 0, 0)


# --- hashtags ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("再学習なしで異常検知 #異常検知 #ZeroShot", [("異常検知", 11, 16), ("ZeroShot", 17, 26)]),
        ("日本語#タグ", []),
        ("全角で＃タグ付け", []),
        ("全角 ＃タグ付け", [("タグ付け", 3, 8)]),
        ("#タグ。続き", [("タグ", 0, 3)]),
        ("#メ〜テレ #メ～テレ #いすゞ",
         [("メ〜テレ", 0, 5), ("メ～テレ", 6, 11), ("いすゞ", 12, 16)]),
        ("#2025 #2025年", [("2025年", 6, 12)]),
        ("#LLM・推論 です", [("LLM・推論", 0, 7)]),
        ("#LLM・#推論", []),  # a tag followed by "#" is not one, and "・" glues the second
        ("##二重", [("二重", 1, 4)]),
        ("&#38;", []),
        ("#tag#next", []),
        ("see https://example.org/#frag and example.org/#frag", []),
        ("🎉#お祝い", [("お祝い", 1, 5)]),
        ("#️⃣ keycap", []),
    ],
)
def test_hashtags(text: str, tags: list[tuple[str, int, int]]) -> None:
    assert extract_hashtags(text) == [Hashtag(*tag) for tag in tags]


# --- properties -------------------------------------------------------------------------

# No "." means no URL; emoji are filtered below. The utf-8 codec leaves out lone surrogates,
# which the never-raises test covers.
# The first call loads the emoji tables, which can take longer than hypothesis's deadline.
PROPERTY = settings(deadline=None)
_PLAIN = st.text(st.characters(codec="utf-8", exclude_characters="."), max_size=40)


@PROPERTY
@given(_PLAIN, _PLAIN)
def test_length_is_additive_across_a_space(a: str, b: str) -> None:
    assume(emoji.emoji_count(a) == 0 and emoji.emoji_count(b) == 0)
    assert weighted_length(f"{a} {b}") == weighted_length(a) + 1 + weighted_length(b)


@PROPERTY
@given(st.text(max_size=300))
def test_nfc_invariance(text: str) -> None:
    nfc, nfd = count(unicodedata.normalize("NFC", text)), count(unicodedata.normalize("NFD", text))
    assert (nfd.weighted_length, nfd.valid, nfd.permillage) == (
        nfc.weighted_length, nfc.valid, nfc.permillage
    )


@PROPERTY
@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_never_raises_and_never_negative(text: str) -> None:
    result = count(text)
    assert result.weighted_length >= 0
    assert 0 <= result.valid_range_end <= result.display_range_end
    assert result.valid == (0 < result.weighted_length <= LIMIT and not any(
        ch in text for ch in "\ufffe\ufeff\uffff"
    ))
    for tag in extract_hashtags(text):
        assert text[tag.start] in "#＃" and text[tag.start + 1:tag.end] == tag.text
    share_text_problems(text)
    clean_blurb(text)


@PROPERTY
@given(st.text(st.sampled_from("ab.co/ #:xn-日本語"), max_size=60))
def test_url_spans_are_ordered_and_inside_the_text(text: str) -> None:
    spans = url_spans(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))


# --- clean_blurb ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("推論を短く。\nトークンを削減\n#LLM", "推論を短く。トークンを削減 #LLM"),
        ("Sketch-of-Thought で\n推論を短く", "Sketch-of-Thought で推論を短く"),
        ("推論を\nSketch で短く", "推論を Sketch で短く"),
        ("```\n推論を短く #LLM\n```", "推論を短く #LLM"),
        ("```text\n推論を短く #LLM", "推論を短く #LLM"),
        ("推論を短く #LLM\n```\n", "推論を短く #LLM"),
        ("'''\n推論を短く\n'''", "推論を短く"),
        ("  「推論を短く #LLM」  ", "推論を短く #LLM"),
        ("“Short reasoning”", "Short reasoning"),
        ('"「推論を短く」"', "推論を短く"),
        ("『推論』", "推論"),
        ("「推論」と「学習」", "「推論」と「学習」"),
        ("'quoted' and 'again'", "'quoted' and 'again'"),
        ("推論を短く   \n\n  #LLM  \t\n", "推論を短く #LLM"),
        ("", ""),
    ],
)
def test_clean_blurb(raw: str, clean: str) -> None:
    assert clean_blurb(raw) == clean


# --- share text -------------------------------------------------------------------------


def test_share_text_problems() -> None:
    assert share_text_problems("推論を短く #LLM") == []
    assert share_text_problems("あ" * 128) == []
    assert share_text_problems("あ" * 129) == [
        "is 258 long as X counts it, with the page link a post allows 256 (128 full-width "
        "characters): shorten it by 2"
    ]
    # Over 280, the figure is the full amount to 256: one edit fixes it.
    assert share_text_problems("あ" * 141) == [
        "is 282 long as X counts it, over X's limit of 280; with the page link a post allows "
        "256 (128 full-width characters): shorten it by 26"
    ]
    assert share_text_problems("あ" * (141 - 13)) == []
    assert share_text_problems("a." * 1001) == [
        "is 2,002 characters long: a post with the page link allows 256 as X counts it (128 "
        "full-width characters); write a summary of one or two sentences"
    ]
    assert share_text_problems(" \n") == [
        "is empty: write a summary of at most 128 full-width characters"
    ]
    assert share_text_problems("\ufeff推論") == [
        "contains U+FEFF (byte-order mark) at character 1, which X refuses: delete it"
    ]
    assert share_text_problems("推論\uffff") == [
        "contains U+FFFF at character 3, which X refuses: delete it"
    ]


def test_intent_url() -> None:
    assert intent_url("推論を短く #LLM & more", "https://example.org/papers/2503.04504/") == (
        "https://x.com/intent/tweet?text=%E6%8E%A8%E8%AB%96%E3%82%92%E7%9F%AD%E3%81%8F%20"
        "%23LLM%20%26%20more&url=https%3A%2F%2Fexample.org%2Fpapers%2F2503.04504%2F"
    )
