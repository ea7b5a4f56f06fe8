from __future__ import annotations

from conftest import SECTIONS
from paperdigest.content.digest import parse_digest, section_number

SEED_LIKE = "# Title\n\n[View Paper](http://arxiv.org/abs/2503.04504v1)\n\n" + SECTIONS


def test_title_link_and_eight_sections() -> None:
    parsed = parse_digest(SEED_LIKE, first_line=1)
    assert parsed.title == "Title"
    assert (parsed.paper_url, parsed.paper_url_line) == ("http://arxiv.org/abs/2503.04504v1", 3)
    assert [s.number for s in parsed.sections] == list(range(1, 9))
    assert parsed.problems == ()


def test_hash_lines_in_code_are_code() -> None:
    parsed = parse_digest(SEED_LIKE)
    five = parsed.sections[4]
    assert "# コメントは見出しではない" in five.body
    assert five.body.startswith("```python")


def test_indented_fence_inside_list_keeps_headings_out() -> None:
    body = SEED_LIKE.replace(
        "## 6.", "*   item\n\n    ```python\n    ## 6. not a heading\n    ```\n\n## 6."
    )
    parsed = parse_digest(body)
    assert [s.number for s in parsed.sections] == list(range(1, 9))
    assert "## 6. not a heading" in parsed.sections[4].body


def test_line_numbers_are_file_lines() -> None:
    parsed = parse_digest(SEED_LIKE, first_line=11)
    assert parsed.title_line == 11
    assert parsed.sections[0].line == 15


def test_heading_variants_by_number_and_meaning() -> None:
    assert section_number("4. Limitationや問題点は何か。本文で言及されているものの他、"
                          "あなたが考えるものも含めて") == 4
    assert section_number("4. Limitationや問題点は何か") == 4
    assert section_number("５．コスト") == 5
    assert section_number("技術的な詳細について") == 5
    assert section_number("コストや物理的な詳細について") == 6
    assert section_number("この論文を140字以内のツイートで要約すると？") == 8
    assert section_number("Key references") == 7
    assert section_number("9. 付録") is None
    assert section_number("感想") is None


def test_problems_are_reported_with_lines() -> None:
    body = SEED_LIKE.replace("## 3. 結果、何が達成できたのか", "## 感想") + "\n## 2. again\n\nx\n"
    parsed = parse_digest(body)
    messages = [(p.line, p.field, p.message) for p in parsed.problems]
    assert (13, None, "'## 感想' is not one of the eight sections: number it ('## 1.' … "
            "'## 8.') or use '###' for a heading inside a section") in messages
    assert any(m[1] == "section 2" and m[2].startswith("appears twice (first on line 9)")
               for m in messages)


def test_unclosed_fence_is_reported() -> None:
    parsed = parse_digest("# T\n\n## 1. a\n\n```\ncode\n")
    assert [(p.line, p.message) for p in parsed.problems] == [
        (5, "code block opened with ``` is never closed, so it shows as text: add a closing "
            "``` line, indented as the opening one"),
    ]


def test_a_fence_closed_with_another_indent_is_text_and_reported() -> None:
    """The renderer shows a fence whose lines or closing fence are less indented as text: the
    headings after it are headings, and the fence is reported."""
    parsed = parse_digest("# T\n\n## 1. a\n\n  ```\n  x\n```\n\n## 2. b\n\ny\n")
    assert [s.number for s in parsed.sections] == [1, 2]
    assert [p.line for p in parsed.problems] == [5]


def test_trailing_separator_of_a_dump_is_dropped() -> None:
    parsed = parse_digest(SEED_LIKE + "\n\n---\n\n")
    assert parsed.sections[7].body == "再学習なしで異常検知 #異常検知 #ZeroShot"


def test_two_space_nested_lists_are_reported() -> None:
    body = "# T\n\n## 1. a\n\n- x\n  - y\n- z\n    - fine\n\n1. one\n   - three\n"
    assert [(p.line, p.message) for p in parse_digest(body).problems] == [
        (6, "a nested list item must be indented by 4 spaces (it has 2); otherwise it shows "
            "as an item of the outer list"),
        (11, "a nested list item must be indented by 4 spaces (it has 3); otherwise it shows "
             "as an item of the outer list"),
    ]
