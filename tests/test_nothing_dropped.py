"""Nothing a contributor writes is dropped without a word: every line of a digest's body
reaches its page, or a problem names that line."""

from __future__ import annotations

import re

import markdown
from conftest import SECTIONS, digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.content.blocks import EXTENSIONS
from paperdigest.content.loader import check_digest, resolve
from paperdigest.errors import has_errors
from paperdigest.site import math as site_math
from paperdigest.site import paths
from paperdigest.site.render import render_site
from paperdigest.site.settings import default_project

P = "content/papers/x.md"


def page_html(text: str) -> tuple[str, list[int]]:
    """The HTML of the digest's page and the lines the check names; ``("", lines)`` when
    the check refuses the digest."""
    draft, problems = check_digest(text, P)
    named = [p.line for p in problems if p.line is not None]
    if draft is None or has_errors(problems):
        return "", named
    site = resolve([draft], [], [])
    page = render_site(site, default_project())[paths.paper(site.papers[0])]
    body = page.split("\n---\n", 1)[1]
    return markdown.markdown(body, extensions=[*EXTENSIONS, site_math.__name__]), named


def test_a_note_after_the_tweet_is_shown_and_not_posted() -> None:
    text = digest(sections=SECTIONS + "\n注: 著者の実装は未公開。\n")
    draft, problems = check_digest(text, P)
    assert draft is not None and not problems
    assert draft.blurb == "再学習なしで異常検知 #異常検知 #ZeroShot"
    html, _ = page_html(text)
    assert "注: 著者の実装は未公開。" in html


def test_hashtags_after_the_tweet_still_belong_to_it() -> None:
    text = digest(sections=SECTIONS.replace(" #異常検知 #ZeroShot", "\n\n#異常検知 #ZeroShot"))
    draft, _ = check_digest(text, P)
    assert draft is not None and draft.blurb == "再学習なしで異常検知 #異常検知 #ZeroShot"


def test_a_link_reference_no_link_uses_is_an_error_on_its_line() -> None:
    body = "UBnormalで最高精度 [論文][p]。\n\n[p]: https://example.org/p\n[q]: https://example.org/q"
    text = digest(sections=SECTIONS.replace("UBnormalで最高精度。", body))
    _, problems = check_digest(text, P)
    line = text.split("\n").index("[q]: https://example.org/q") + 1
    assert [(p.line, p.field) for p in problems] == [(line, "link")]
    assert "'[q]: …' is used by no link" in problems[0].message


def test_a_list_item_indented_one_space_too_far_is_an_error_on_its_line() -> None:
    front = 'arxiv: "2503.04504"\nauthors:\n  - Sunghyun Ahn\n   - Youngwan Jo\n'
    _, problems = check_digest(digest(front=front), P)
    assert [(p.line, p.field) for p in problems] == [(4, "authors[0]")]
    assert "'Sunghyun Ahn - Youngwan Jo' reads as one name" in problems[0].message


LINES = ["plain zq{n} text", "- item zq{n}", "1. item zq{n}", "> quote zq{n}",
         "### sub zq{n}", "**bold zq{n}**", "[link zq{n}](https://example.org/)",
         "with `code zq{n}`", "    indented zq{n}", "  two spaces zq{n}", "\tTab zq{n}",
         "```\ncode zq{n}\n```", "| a | b |\n|---|---|\n| zq{n} | c |", "!!! note\n    zq{n}",
         "---\nafter rule zq{n}", "Setext zq{n}\n===", "x<br>zq{n}", "H<sub>zq{n}</sub>",
         "[used][r{n}]\n\n[r{n}]: https://example.org/zq{n}"]
NOTES = ["", "", "note zq{n}", "- note item zq{n}", "> note quote zq{n}"]


@st.composite
def bodies(draw: st.DrawFn) -> str:
    counter = iter(range(10_000))
    sections = []
    for number in range(1, 8):
        paragraphs = [draw(st.sampled_from(LINES)).format(n=next(counter))
                      for _ in range(draw(st.integers(1, 3)))]
        gap = draw(st.sampled_from(["\n\n", "\n"]))
        sections.append(f"## {number}. x\n\n" + gap.join(paragraphs) + "\n")
    note = draw(st.sampled_from(NOTES)).format(n=next(counter))
    sections.append(f"## 8. ツイート\n\n再学習なしで異常検知 #異常検知\n\n{note}\n")
    return "\n".join(sections)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_every_line_reaches_the_page_or_is_named(sections: str) -> None:
    text = digest(sections=sections)
    html, named = page_html(text)
    if not html:
        assert named  # refused: the contributor is told where
        return
    for number, line in enumerate(text.split("\n"), 1):
        for token in re.findall(r"zq\d+", line):
            assert token in html or number in named, (line, text)


def test_the_blurb_and_the_importer_end_the_tweet_in_the_same_place() -> None:
    """One rule: the tweet the blurb is made of is the tweet a dump's digest ends after."""
    from paperdigest.content.digest import split_tweet
    from paperdigest.edit.dumps import read_dump
    for after in ["#異常検知 #ZeroShot", "```\n再学習なしで異常検知\n```", "'''\n再学習なし\n'''"]:
        section8 = f"{after}\n\n#タグ\n\n以上です。"
        dump = digest(sections=SECTIONS.replace("再学習なしで異常検知 #異常検知 #ZeroShot\n",
                                                section8 + "\n"), front="")
        found = read_dump(dump)
        tweet, note = split_tweet(section8)
        assert note == "以上です。"
        assert found.digests[0].text.rstrip().endswith(tweet.split("\n")[-1])
        assert [s.text for s in found.skipped] == ["以上です。"]
