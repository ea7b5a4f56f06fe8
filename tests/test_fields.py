"""One declaration per front-matter field: the tables in ``schema`` drive the checkers, the
text rules of ``safety`` and the model attributes; no string field escapes a text class."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paperdigest.content import fields as fd
from paperdigest.content import safety, textclass
from paperdigest.content import schema as s
from paperdigest.content.loader import PAPER_RULES, check_content
from paperdigest.content.model import Author, Metrics, Paper
from paperdigest.content.records import AUTHOR_RULES, check_record

TABLES = [(fd.PAPER_FIELDS, Paper), (fd.AUTHOR_FIELDS, Author),
          (fd.METRIC_FIELDS, Metrics)]


def test_the_loaders_use_the_tables() -> None:
    assert fd.rules(fd.PAPER_FIELDS) == PAPER_RULES
    assert fd.rules(fd.AUTHOR_FIELDS) == AUTHOR_RULES


@pytest.mark.parametrize(("fields", "model"), TABLES)
def test_every_field_names_a_model_attribute_and_a_text_class(
        fields: tuple[fd.Field, ...], model: type) -> None:
    attributes = {f.name for f in dataclasses.fields(model)}
    for f in fields:
        assert f.attr is None or f.attr in attributes, f.name
        assert isinstance(f.text, fd.TextClass)
    assert len({f.name for f in fields}) == len(fields)


def test_a_field_declared_nowhere_is_an_error_not_a_pass() -> None:
    with pytest.raises(KeyError):
        textclass.text_problems("no_such_field", "<script>")


RECORD = "name: Ann Lee\n"


@pytest.mark.parametrize(("line", "field"), [
    ("sort_name: '<img src=x onerror=alert(1)>'", "sort_name"),
    ("metrics:\n  source: '<b>x</b>'", "metrics.source"),
    ("metrics:\n  novelty: '`49%`'", "metrics.novelty"),
])
def test_fields_once_left_out_of_the_text_rules_are_judged(line: str, field: str) -> None:
    record, problems = check_record(RECORD + line + "\n", "content/authors/ann-lee.yaml")
    assert record is None
    assert [p.field for p in problems] == [field]
    assert "contains" in problems[0].message


MARKUP = st.sampled_from(["<b>x</b>", "<img src=x onerror=alert(1)>", "`code`", "<!--x-->",
                          "</p>", "<svg/onload=alert(1)>"])


def _judged(field: fd.Field, value: str) -> bool:
    """Whether ``value`` of ``field`` is refused by its checker or by its text class, or comes
    out of the checker without markup (URLs are percent-encoded)."""
    check = field.check.item if isinstance(field.check, s.ListOf) else field.check
    try:
        clean = check(value)
    except s.Invalid:
        return True
    if not isinstance(clean, str):
        return "<" not in str(clean) and "`" not in str(clean)
    top = (*fd.PAPER_FIELDS, *fd.AUTHOR_FIELDS)
    name = field.name if field in top else f"metrics.{field.name}"
    if textclass.text_problems(name, clean):
        return True
    # Prose is escaped as Markdown text on the page: backticks and a lone '<' are fine there.
    if field.text is fd.TextClass.PROSE:
        return re.search(r"<[A-Za-z/!?]", clean) is None
    return not any(c in clean for c in "<>`")


STRING_FIELDS = [f for table, _ in TABLES for f in table if f.name != "metrics"]


@pytest.mark.parametrize("field", STRING_FIELDS, ids=lambda f: f.name)
@given(before=st.text(alphabet="abc 1.", max_size=5), markup=MARKUP)
def test_no_field_lets_markup_through(field: fd.Field, before: str, markup: str) -> None:
    assert _judged(field, before + markup)


INVISIBLE = st.characters(categories=["Cf", "Zl", "Zp"]) | st.sampled_from("\u115f\u3164\uffa0")


@given(ch=INVISIBLE, left=st.text(alphabet="abあ", min_size=1, max_size=3))
def test_one_definition_of_an_invisible_character(ch: str, left: str) -> None:
    """The checker of every text field and the rule for body hashtags agree."""
    value = left + ch + "x"
    assert s.is_invisible(ch) and s.invisible(value) == ch
    with pytest.raises(s.Invalid, match=f"U\\+{ord(ch):04X}"):
        s.text(value)
    with pytest.raises(s.Invalid, match=f"U\\+{ord(ch):04X}"):
        s.prose(value)
    assert textclass.text_problems("hashtag", value)


@given(ch=st.characters(categories=["L", "N", "P", "S", "M"]))
def test_visible_characters_are_not_invisible(ch: str) -> None:
    assert not s.is_invisible(ch) or ch in "\u115f\u1160\u3164\uffa0"
    assert unicodedata.category(ch) not in ("Cf", "Zl", "Zp")


@given(ch=INVISIBLE)
def test_link_schemes_are_read_past_the_same_invisible_characters(ch: str) -> None:
    assert safety.url_scheme(f"java{ch}script:alert(1)") == "javascript"


@pytest.mark.parametrize(("key", "value"), [
    ("subtitle", '"><noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("description", "<svg><a><animate attributeName=href values=javascript:alert(1) /></a>"),
    ("author", "<img src=x onerror=alert(1)>"),
    ("anything_else", "a `b`"),
])
def test_hand_written_pages_have_no_unjudged_text(tmp_path: Path, key: str, value: str) -> None:
    pages = tmp_path / "content" / "pages"
    pages.mkdir(parents=True)
    (tmp_path / "content" / "papers").mkdir()
    (pages / "about.md").write_text(f"---\n{key}: {json.dumps(value)}\n---\n\n# About\n",
                                    encoding="utf-8")
    site, problems = check_content(tmp_path / "content", root=tmp_path, pages_dir=pages)
    assert site is None
    assert [(p.path, p.line, p.field) for p in problems] == [
        ("content/pages/about.md", 2, key)]
