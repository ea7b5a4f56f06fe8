"""Rewriting the metrics block keeps every other byte of an author record."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.yamlsafe import load
from paperdigest.edit import yamledit
from paperdigest.edit.yamledit import replace_block, scalar, unified_diff, write_atomic
from paperdigest.errors import WriteError

RECORDS = DATA / "metrics" / "records"
TODAY = dt.date(2026, 11, 22)
NEW: dict[str, object] = {"h_index": 17, "citations": 11890, "papers": 61, "as_of": TODAY,
                          "source": "openalex"}
FROM_S2: dict[str, object] = {"h_index": 10, "citations": 7, "papers": 5, "as_of": TODAY,
                              "source": "semantic-scholar"}
BLOCK = "  h_index: 17\n  citations: 11890\n  papers: 61\n  as_of: 2026-11-22\n  source: openalex"


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation: CRLF must survive


@pytest.mark.parametrize("case", sorted(p.name.removesuffix(".in.txt")
                                        for p in RECORDS.glob("*.in.txt")))
def test_sample_records_byte_for_byte(case: str) -> None:
    before, after = read(RECORDS / f"{case}.in.txt"), read(RECORDS / f"{case}.out.txt")
    values = FROM_S2 if case.startswith("susumu") else NEW
    assert replace_block(before, "metrics", values) == after
    # A second refresh with the same figures changes nothing.
    assert replace_block(after, "metrics", values) == after


def test_there_are_enough_sample_records() -> None:
    names = {p.name for p in RECORDS.glob("*.in.txt")}
    assert len(names) >= 6
    assert any(b"\r\n" in (RECORDS / n).read_bytes() for n in names)
    assert any(not (RECORDS / n).read_bytes().endswith(b"\n") for n in names)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("", "metrics:\n" + BLOCK + "\n", id="empty-file"),
        pytest.param("# nothing yet\n", "# nothing yet\nmetrics:\n" + BLOCK + "\n",
                     id="comments-only"),
        pytest.param("name: A\nmetrics:\n  # to be filled\nbio: b\n",
                     "name: A\nmetrics:\n" + BLOCK + "\n  # to be filled\nbio: b\n",
                     id="empty-block-with-comment"),
        pytest.param("name: A\nmetrics: null\n", "name: A\nmetrics:\n" + BLOCK + "\n",
                     id="null-word"),
        pytest.param("name: A\nmetrics: {}\n", "name: A\nmetrics:\n" + BLOCK + "\n",
                     id="empty-flow"),
        pytest.param("metrics: {ai_score: 62,\n  h_index: 3}  # two lines\nname: A\n",
                     "metrics:  # two lines\n  ai_score: 62\n  h_index: 17\n  citations: 11890\n"
                     "  papers: 61\n  as_of: 2026-11-22\n  source: openalex\nname: A\n",
                     id="flow-over-two-lines"),
        pytest.param("name: A\nmetrics:\n  source: |\n    copied\n    by hand\n\n"
                     "  as_of: 2025-01-01\n",
                     "name: A\nmetrics:\n  source: openalex\n\n  as_of: 2026-11-22\n"
                     "  h_index: 17\n  citations: 11890\n  papers: 61\n",
                     id="block-scalar-replaced"),
        pytest.param("metrics:\n  h_index: 3\n  history:\n    2025: 12\n    2026: 16\n  # end\n",
                     "metrics:\n  h_index: 17\n  history:\n    2025: 12\n    2026: 16\n"
                     "  citations: 11890\n  papers: 61\n  as_of: 2026-11-22\n  source: openalex\n"
                     "  # end\n",
                     id="nested-hand-written-key"),
        pytest.param("links:\n    x: iwiwi\nmetrics: ~\n",
                     "links:\n    x: iwiwi\nmetrics:\n    h_index: 17\n    citations: 11890\n"
                     "    papers: 61\n    as_of: 2026-11-22\n    source: openalex\n",
                     id="indent-of-the-file"),
        pytest.param("metrics:\n  h_index: 17\n  citations: 11890\n  papers: 61\n"
                     "  as_of: 2026-11-22\n  source: 'openalex'\n",
                     "metrics:\n  h_index: 17\n  citations: 11890\n  papers: 61\n"
                     "  as_of: 2026-11-22\n  source: 'openalex'\n",
                     id="nothing-changed-keeps-quotes"),
        pytest.param("\ufeffname: A\rmetrics:\r  h_index: 3\r",
                     "\ufeffname: A\rmetrics:\r  h_index: 17\r  citations: 11890\r  papers: 61\r"
                     "  as_of: 2026-11-22\r  source: openalex\r",
                     id="old-mac-line-ends-and-bom"),
    ],
)
def test_exact_bytes(before: str, after: str) -> None:
    assert replace_block(before, "metrics", NEW) == after


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("name: A\nmetrics: 3\n", NEW,
         "'metrics:' holds the value '3', not a mapping of figures: fix it by hand first"),
        ("name: A\nmetrics: [16, 24]\n", NEW,
         "'metrics:' holds a list, not a mapping of figures: fix it by hand first"),
        ("- name: A\n", NEW,
         "the record is not a block of 'key: value' lines: fix it by hand first"),
        ("{name: A}\n", NEW,
         "the record is not a block of 'key: value' lines: fix it by hand first"),
        ("name: A\nname: B\n", NEW,
         "the record does not parse at line 2: duplicate key 'name' (first on line 1): keep "
         "only one"),
        ("name: &n A\nx: *n\n", NEW,
         "the record does not parse at line 1: anchors (&n) are not allowed: write the value "
         "out in full"),
        ("metrics:\n  source: [a, b]\n", NEW,
         "metrics.source holds a list, but the refresh writes a single value there: fix it by "
         "hand first"),
        ("metrics: {source: [a, b]}\n", NEW,
         "source holds a list, but the refresh writes a single value there: fix it by hand "
         "first"),
        ("metrics: {h_index: 3,  # old\n  ai_score: 62}\n", NEW,
         "the flow mapping holds comments that a block cannot keep in place: rewrite it as a "
         "block by hand first"),
        ("metrics: {note: \"two\n  lines\"}\n", NEW,
         "the value of note spans lines: rewrite the flow mapping as a block by hand first"),
        ("name: A\n", {"h index": 3}, "'h index' cannot be written as a plain YAML key"),
    ],
)
def test_refuses_what_it_cannot_edit_safely(text: str, values: dict[str, object],
                                            message: str) -> None:
    with pytest.raises(ValueError) as info:
        replace_block(text, "metrics", values)
    assert str(info.value) == message


def test_a_wrong_splice_is_caught_before_anything_is_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "name: A\nmetrics:\n  h_index: 3\nbio: b\n"
    monkeypatch.setattr(yamledit, "_apply", lambda t, edits: t.replace("bio: b", "bio: c"))
    with pytest.raises(ValueError) as info:
        replace_block(text, "metrics", NEW)
    assert str(info.value) == "the edit would change other keys of the record"
    monkeypatch.setattr(yamledit, "_apply",
                        lambda t, edits: t.replace("  h_index: 3\n", "  h_index: 17\n"))
    with pytest.raises(ValueError) as info:
        replace_block(text, "metrics", NEW)
    assert str(info.value) == "the edit did not set metrics.citations to 11890"
    monkeypatch.setattr(yamledit, "_apply", lambda t, edits: t.replace("metrics:", "metrics: ["))
    with pytest.raises(ValueError) as info:
        replace_block(text, "metrics", NEW)
    assert str(info.value).startswith("the edit would break the record (YAML syntax error")


def test_scalars_read_back_as_the_same_value() -> None:
    values: list[object] = [3, -1, True, None, TODAY, "openalex", "profile page",
                            "semantic-scholar", "プロフィール", "no", "Yes", "1.10", "49%", "",
                            " x", "a: b", "a  b", "#1", "x\ny", "tab\there", "say \"hi\"",
                            "back\\slash", "\u2028", "\x85", "\ufeff"]
    written = [scalar(v) for v in values]
    assert written == [
        "3", "-1", "true", "null", "2026-11-22", "openalex", "profile page", "semantic-scholar",
        "プロフィール", '"no"', '"Yes"', '"1.10"', '"49%"', '""', '" x"', '"a: b"', '"a  b"',
        '"#1"', '"x\\ny"', '"tab\there"', '"say \\"hi\\""', '"back\\\\slash"', '"\\u2028"',
        '"\\x85"', '"\\ufeff"']
    strict, _ = load("".join(f"k{i}: {w}\n" for i, w in enumerate(written)))
    expected = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    assert list(strict.values()) == expected


@pytest.mark.parametrize("value", [1.5, dt.datetime(2026, 11, 22, 9, 0), ["a"]])
def test_scalar_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError, match="cannot write"):
        scalar(value)


def test_unified_diff() -> None:
    old = "name: A\nmetrics:\n  h_index: 3\n"
    new = replace_block(old, "metrics", {"h_index": 4})
    assert unified_diff("content/authors/a.yaml", old, new) == (
        "--- a/content/authors/a.yaml\n+++ b/content/authors/a.yaml\n"
        "@@ -1,3 +1,3 @@\n name: A\n metrics:\n-  h_index: 3\n+  h_index: 4\n")
    assert unified_diff("content/authors/a.yaml", old, old) == ""


def test_write_atomic_keeps_bytes_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "takuya-akiba.yaml"
    path.write_bytes(b"name: A\r\n")
    path.chmod(0o640)
    write_atomic(path, "name: 秋葉\r\nmetrics:\r\n  h_index: 17", inside=tmp_path)
    assert path.read_bytes() == "name: 秋葉\r\nmetrics:\r\n  h_index: 17".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["takuya-akiba.yaml"]


def test_write_atomic_leaves_the_old_file_when_the_rename_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("name: A\n", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError) as info:
        write_atomic(path, "name: B\n", inside=tmp_path, shown="content/authors/a.yaml")
    assert str(info.value) == ("content/authors/a.yaml: No space left on device: free some disk "
                               "space and run the command again")
    assert path.read_text(encoding="utf-8") == "name: A\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


# --- property: nothing outside the block moves -------------------------------------------

_TEXT = "abcxyz ABC019秋葉拓哉。「」：#'\"-_.,%&*!|>@`{}[]?"
_WORD = st.text(alphabet=_TEXT, min_size=1, max_size=10)
_COMMENT = st.one_of(st.none(), st.text(alphabet=_TEXT, max_size=12))
_VALUE = st.one_of(st.integers(-5, 10**6), _WORD, st.none())
_TOP = ["name", "native_name", "affiliation", "x", "github", "bio", "orcid"]
_INNER = ["h_index", "citations", "papers", "as_of", "source", "novelty", "ai_score", "rank"]


def _line(key: str, value: object, comment: str | None, indent: str = "") -> str:
    text = f"{indent}{key}:" + ("" if value is None else f" {scalar(value)}")
    return text + ("" if comment is None else f"  # {comment}")


Record = tuple[str, list[str], list[str], dict[str, Any], list[str], str, bool]


@st.composite
def records(draw: Any) -> Record:
    """A record as lines, with what must survive: lines before and after, kept block lines."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    items: list[tuple[str, list[str]]] = []
    values: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(_TOP), unique=True, max_size=5)):
        value = draw(_WORD)
        lead = [f"# {c}" for c in draw(st.lists(st.text(alphabet=_TEXT, max_size=12),
                                                max_size=2))]
        lead += [""] * draw(st.integers(0, 1))
        items.append((key, [*lead, _line(key, value, draw(_COMMENT))]))
        values[key] = value
    pos = draw(st.integers(0, len(items)))
    form = draw(st.sampled_from(["absent", "null", "flow", "block"]))
    entries = draw(st.lists(st.tuples(st.sampled_from(_INNER), _VALUE, _COMMENT),
                            unique_by=lambda e: e[0], min_size=1 if form == "block" else 0,
                            max_size=5))
    comment = draw(_COMMENT)
    note = "" if comment is None else f"  # {comment}"
    kept: list[str] = []
    tail: list[str] = []
    old: dict[str, Any] = {}
    if form == "null":
        block = [draw(st.sampled_from(["metrics:", "metrics: ~", "metrics: null"])) + note]
    elif form == "flow":
        flow = ", ".join(f"{k}: {'' if v is None else scalar(v)}" for k, v, _ in entries)
        block = [f"metrics: {{{flow}}}{note}"]
        old = {k: v for k, v, _ in entries}
    elif form == "block":
        block = ["metrics:" + note]
        for k, v, c in entries:
            if draw(st.booleans()):
                block.append(f"  # {draw(_WORD)}")
                kept.append(block[-1])
            block.append(_line(k, v, c, "  "))
            if k not in NEW:
                kept.append(block[-1])
        tail = [f"  # {c}" for c in draw(st.lists(_WORD, max_size=2))]
        tail += [""] * draw(st.integers(0, 1))
        old = {k: v for k, v, _ in entries}
    else:
        block, pos = [], len(items)
    before = [line for _, item in items[:pos] for line in item]
    after = tail + [line for _, item in items[pos:] for line in item]
    lines = before + block + after
    text = nl.join(lines) + (nl if final and lines else "")
    metrics = dict(old)
    metrics.update((k, v.isoformat() if isinstance(v, dt.date) else v) for k, v in NEW.items())
    order = [k for k, _ in items[:pos]] + ["metrics"] + [k for k, _ in items[pos:]]
    expected = {k: metrics if k == "metrics" else values[k] for k in order}
    return text, before, after, expected, kept, nl, final


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(any(line == other for other in it) for line in part)


@settings(max_examples=300, deadline=None)
@given(records())
def test_lines_outside_the_block_never_change(record: Record) -> None:
    text, before, after, expected, kept, nl, final = record
    out = replace_block(text, "metrics", NEW)
    if nl not in text:  # a one-line file without a final newline: new lines use LF
        nl = "\n"
    head = "".join(line + nl for line in before)
    assert out.startswith(head)
    end = nl + nl.join(after) + (nl if final else "") if after else ""
    assert out.endswith(end)
    if text:
        assert out.endswith(nl) == text.endswith(nl)
    middle = out[len(head):len(out) - len(end)].splitlines()
    assert _is_subsequence(kept, middle)
    data, _ = load(out)
    assert list(data) == list(expected)
    assert data == expected
    assert list(data["metrics"].items()) == list(expected["metrics"].items())
