"""Models wrap their digests in chatter, fences and their own heading styles: whatever the
wrapping, the digest found is the same file body, and it passes the check."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.loader import check_digest
from paperdigest.content.model import SECTION_TITLES
from paperdigest.edit.draft import body_of, digest_in, new_file, provenance
from paperdigest.sources.arxiv import ArxivRecord

ARXIV = parse_arxiv_id("2503.04504v1")
assert ARXIV is not None
RECORD = ArxivRecord(
    id=ARXIV, title="AnyAnomaly: Zero-Shot Customizable Video Anomaly Detection with LVLM",
    abstract="Video anomaly detection (VAD) is crucial.", authors=("Sunghyun Ahn",),
    published=dt.date(2025, 3, 6), updated=dt.date(2025, 3, 6), primary_category="cs.CV",
    categories=("cs.CV",), comment=None, doi=None, journal_ref=None)
TEXTS = {
    1: "- **再学習が必要:** 既存手法は環境ごとに学習し直していた。",
    2: "- **テキストで指定:** 異常をテキストで与え、視覚言語モデルで判定する。",
    3: "- **最高精度:** UBnormal で AUC 74.5%。",
    4: "- **重い:** フレームごとにモデルを呼ぶ。",
    5: "スコアは次のとおり:\n\n$$\ns_t = \\max_k \\mathrm{sim}(f(x_t), g(T_k))\n$$\n\n"
       "```python\n# 見出しではない\nscore = max(sims)\n```",
    6: "- **計算資源:** RTX 3090 一枚。",
    7: "- **CLIP:** Radford et al., 2021。",
}
TWEET = "再学習なしで、テキストで指定した異常を動画から見つける AnyAnomaly。 #異常検知 #LVLM"

PREFACES = ["", "承知しました。以下が要約です。", "Sure! Here is the digest you asked for:",
            "以下、論文の要約です。\n\n---"]
CLOSINGS = ["", "以上です。", "---\n\n何か他にお手伝いできることがあれば教えてください。",
            "I hope this helps!"]
LINKS = ["[View Paper](https://arxiv.org/abs/2503.04504)", "https://arxiv.org/pdf/2503.04504",
         "**論文**: arXiv:2503.04504", ""]


def section_heading(number: int, style: str) -> str:
    title = SECTION_TITLES[number]
    return {"h2": f"## {number}. {title}", "h3": f"### {number}. {title}",
            "bold": f"**{number}. {title}**"}[style]


def answer(preface: str, closing: str, title: str, link: str, style: str, fenced: bool,
           tweet_fenced: bool, blank_lines: int) -> str:
    gap = "\n" * blank_lines
    parts = []
    if title:
        parts.append(f"{title} AnyAnomaly の要約")
        if link:
            parts.append(link)
    for number in range(1, 8):
        parts += [section_heading(number, style), TEXTS[number]]
    parts.append(section_heading(8, style))
    parts.append(f"```\n{TWEET}\n```" if tweet_fenced else TWEET)
    digest = f"\n{gap}".join(parts) + "\n"
    if fenced:
        digest = f"```markdown\n{digest}```\n"
    return "\n\n".join(x for x in (preface, digest, closing) if x)


EXPECTED = body_of(digest_in(answer("", "", "#", LINKS[0], "h2", False, False, 1), RECORD)
                   or digest_in("", RECORD), RECORD)  # type: ignore[arg-type]


def test_the_plain_answer_is_the_expected_body() -> None:
    assert EXPECTED.startswith(f"# {RECORD.title}\n\n[View Paper](https://arxiv.org/abs/"
                               "2503.04504v1)\n\n## 1. 既存研究では何ができなかったのか\n\n")
    assert EXPECTED.endswith(f"## 8. {SECTION_TITLES[8]}\n\n{TWEET}\n")
    assert "```python\n# 見出しではない\nscore = max(sims)\n```" in EXPECTED


@settings(max_examples=200, deadline=None)
@given(preface=st.sampled_from(PREFACES), closing=st.sampled_from(CLOSINGS),
       title=st.sampled_from(["#", "##", "###", ""]), link=st.sampled_from(LINKS),
       style=st.sampled_from(["h2", "h3", "bold"]), fenced=st.booleans(),
       tweet_fenced=st.booleans(), blank_lines=st.integers(1, 2))
def test_any_wrapping_gives_the_same_digest(preface: str, closing: str, title: str, link: str,
                                            style: str, fenced: bool, tweet_fenced: bool,
                                            blank_lines: int) -> None:
    if style == "h3" and title in ("###",):
        title = "#"  # a title at the sections' own level is no title: models do not write it
    text = answer(preface, closing, title, link, style, fenced, tweet_fenced, blank_lines)
    found = digest_in(text, RECORD)
    assert found is not None, text
    body = body_of(found, RECORD)
    assert body == EXPECTED, text
    file = new_file(RECORD, body, provenance("m", dt.date(2026, 12, 2), True),
                    dt.date(2026, 12, 2))
    assert check_digest(file, "content/papers/2503.04504.md")[1] == []
