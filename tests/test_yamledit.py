"""Rewriting the metrics block keeps every other byte of an author record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.yamledit import replace_block, scalar

NEW = {"h_index": 17, "citations": 11890, "papers": 61, "as_of": dt.date(2026, 11, 22),
       "source": "openalex"}
BLOCK = ("  h_index: 17\n  citations: 11890\n  papers: 61\n  as_of: 2026-11-22\n"
         "  source: openalex\n")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "name: A\nbio: x\n", "name: A\nbio: x\nmetrics:\n" + BLOCK, id="appended"),
        pytest.param(
            "name: A\nbio: x", "name: A\nbio: x\nmetrics:\n" + BLOCK, id="no-final-newline"),
        pytest.param(
            "# head\nname: 'A'  # quoted\nmetrics:\n  # figures by hand\n  h_index: 3  # old\n"
            "  novelty: 49%\n  ai_score: 62\n\n# about\nbio: \"x\"\n",
            "# head\nname: 'A'  # quoted\nmetrics:\n  # figures by hand\n  h_index: 17  # old\n"
            "  novelty: 49%\n  ai_score: 62\n  citations: 11890\n  papers: 61\n"
            "  as_of: 2026-11-22\n  source: openalex\n\n# about\nbio: \"x\"\n",
            id="comments-and-extra-keys"),
        pytest.param(
            "name: A\r\nmetrics:\r\n    h_index: 3\r\nbio: b\r\n",
            "name: A\r\nmetrics:\r\n    h_index: 17\r\n    citations: 11890\r\n    papers: 61\r\n"
            "    as_of: 2026-11-22\r\n    source: openalex\r\nbio: b\r\n",
            id="crlf-and-four-spaces"),
        pytest.param(
            "name: A\nmetrics: {h_index: 3, ai_score: 62}  # flow\nbio: b\n",
            "name: A\nmetrics:  # flow\n  h_index: 17\n  ai_score: 62\n  citations: 11890\n"
            "  papers: 61\n  as_of: 2026-11-22\n  source: openalex\nbio: b\n",
            id="flow-mapping"),
        pytest.param(
            "name: 岡野原 大輔\nmetrics: ~\nx: hillbig\n",
            "name: 岡野原 大輔\nmetrics:\n" + BLOCK + "x: hillbig\n", id="null-block"),
        pytest.param(
            "name: A\nmetrics:\n  source: \"hand\"\n  as_of: 2025-01-01\n  h_index: 3",
            "name: A\nmetrics:\n  source: openalex\n  as_of: 2026-11-22\n  h_index: 17\n"
            "  citations: 11890\n  papers: 61",
            id="order-kept-no-final-newline"),
    ],
)
def test_exact_bytes(before: str, after: str) -> None:
    assert replace_block(before, "metrics", NEW) == after


def test_refuses_what_it_cannot_edit_safely() -> None:
    with pytest.raises(ValueError, match="not a mapping"):
        replace_block("name: A\nmetrics: 3\n", "metrics", NEW)
    with pytest.raises(ValueError, match="does not parse"):
        replace_block("name: A\nname: B\n", "metrics", NEW)


def test_scalars_read_back_as_the_same_value() -> None:
    assert [scalar(v) for v in (3, "openalex", "no", "1.10", "49%", dt.date(2026, 1, 2))] == [
        "3", "openalex", '"no"', '"1.10"', '"49%"', "2026-01-02"]


keys = st.sampled_from(["name", "bio", "affiliation", "x", "orcid"])
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                 min_size=1, max_size=12)


@given(st.dictionaries(keys, values, min_size=1), st.booleans())
def test_lines_outside_the_block_never_change(fields: dict[str, str], crlf: bool) -> None:
    nl = "\r\n" if crlf else "\n"
    lines = [f"# record{nl}"] + [f"{k}: {scalar(v)}  # {k}{nl}" for k, v in fields.items()]
    text = "".join(lines[:2]) + f"metrics:{nl}  h_index: 1{nl}" + "".join(lines[2:])
    out = replace_block(text, "metrics", NEW)
    kept = [line for line in out.splitlines(keepends=True) if not line.startswith("  ")
            and not line.startswith("metrics:")]
    assert kept == lines
