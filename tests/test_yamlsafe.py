from __future__ import annotations

import pytest
from paperdigest.content.yamlsafe import MAX_BYTES, load
from paperdigest.errors import ContentError


def test_ids_and_words_stay_text() -> None:
    data, _ = load("arxiv: 2503.10100\nc: no\nd: 2025-03-06\no: 0123\ns: 1:20\nv: 1.10\n")
    assert data == {"arxiv": "2503.10100", "c": "no", "d": "2025-03-06", "o": "0123",
                    "s": "1:20", "v": "1.10"}


def test_only_plain_booleans_integers_and_null_are_typed() -> None:
    data, _ = load("a: true\nb: False\nn: 42\nm: -3\nz: ~\ne:\nyes: on\n")
    assert data == {"a": True, "b": False, "n": 42, "m": -3, "z": None, "e": None, "yes": "on"}


def test_lines_of_every_node() -> None:
    _, lines = load("title: x\nauthors:\n  - a\n  - 42\nmetrics:\n  h_index: 3\n")
    assert lines[("authors", 1)] == 4
    assert lines[("metrics", "h_index")] == 6
    assert lines[("authors",)] == 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first on line 1): keep only one"),
        ("a: &x 1\nb: *x\n", 1, "anchors (&x) are not allowed: write the value out in full"),
        ("a: !!python/object/apply:os.system [ls]\n", 1,
         "YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed: "
         "remove it and write plain text"),
        ("a: !custom x\n", 1,
         "YAML tags (!custom) are not allowed: remove it and write plain text"),
        ("a: [1, 2\n", 1, "YAML syntax error: the '[' opened here is never closed: end it with "
         "']', or, if the value is text, put it in quotes: a: \"[1, 2\""),
        ("a: b: c\n", 1, "YAML syntax error: the value holds ': ', which YAML reads as a second "
         "key: put the value in quotes: a: \"b: c\""),
        ("a: 1\n---\nb: 2\n", 2, "only one YAML document is allowed: remove the extra '---'"),
        ("? [a]\n: 1\n", 1, "a key must be plain text"),
    ],
)
def test_rejected_with_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ContentError) as info:
        load(text)
    assert (info.value.problem.line, info.value.problem.message) == (line, message)


def test_alias_bomb_is_refused_fast() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8)
    )
    # Refused at the first anchor, before any alias could be expanded.
    with pytest.raises(ContentError) as info:
        load(bomb)
    assert (info.value.problem.line, info.value.problem.message) == (
        1, "anchors (&a) are not allowed: write the value out in full")


def test_size_cap() -> None:
    with pytest.raises(ContentError) as info:
        load("a: " + "x" * MAX_BYTES)
    assert info.value.problem.message == "the file is larger than 512 KB: split it"


def test_problems_carry_the_file_line_and_column() -> None:
    with pytest.raises(ContentError) as info:
        load("title: ok\nname: &x Ann\n", first_line=2, path="content/authors/ann.yaml")
    problem = info.value.problem
    assert (problem.path, problem.line, problem.column) == ("content/authors/ann.yaml", 3, 7)
    assert str(problem) == ("content/authors/ann.yaml:3: anchors (&x) are not allowed: "
                            "write the value out in full")


GENERIC = ("check the indentation, and put in quotes any value that holds ': ' or ' #' or "
           "starts with one of [ ] { } & * ! | > ' \" % @ `")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("title: Foo: Bar\n", 1,
                     "the value holds ': ', which YAML reads as a second key: put the value in "
                     "quotes: title: \"Foo: Bar\"", id="colon-in-title"),
        pytest.param("title: Foo: Bar  # draft\n", 1,
                     "the value holds ': ', which YAML reads as a second key: put the value in "
                     "quotes: title: \"Foo: Bar\"  # draft", id="comment-kept"),
        pytest.param("authors:\n  - x: y: z\n", 2,
                     "the value holds ': ', which YAML reads as a second key: put the value in "
                     "quotes: - x: \"y: z\"", id="in-a-list"),
        pytest.param("title: C:\\x: \"y\"\n", 1,
                     "the value holds ': ', which YAML reads as a second key: put the value in "
                     "quotes: title: 'C:\\x: \"y\"'", id="double-quotes-inside"),
        pytest.param("title: [unclosed\nx: 1\n", 1,
                     "the '[' opened here is never closed: end it with ']', or, if the value is "
                     "text, put it in quotes: title: \"[unclosed\"", id="unclosed-bracket"),
        pytest.param("title: \"abc\n", 1,
                     "the quote opened here is never closed: end the value with the same quote: "
                     "title: \"abc\"", id="unclosed-quote"),
        pytest.param("title: @x\n", 1,
                     "a value cannot start with '@': put the value in quotes: title: \"@x\"",
                     id="indicator"),
        pytest.param("title: 'it's'\n", 1,
                     "text follows the closing quote: put the whole value in quotes: "
                     "title: \"it's\"", id="apostrophe"),
        pytest.param("title: x\n\tb: y\n", 2,
                     "a tab character in the indentation: indent with spaces", id="tab"),
        pytest.param("x: y\n- z\n", 2, f"did not find expected key: {GENERIC}", id="generic"),
    ],
)
def test_syntax_errors_say_how_to_fix(text: str, line: int, message: str) -> None:
    with pytest.raises(ContentError) as info:
        load(text)
    assert (info.value.problem.line, info.value.problem.message) == (
        line, f"YAML syntax error: {message}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: Foo: Bar\n", {"title": "Foo: Bar"}),
        ("title: C:\\x: \"y\"\n", {"title": 'C:\\x: "y"'}),
        ("title: 'it's'\n", {"title": "it's"}),
        ("title: a\\b: c\n", {"title": "a\\b: c"}),
    ],
)
def test_the_suggested_line_reads_as_meant(text: str, expected: dict[str, str]) -> None:
    with pytest.raises(ContentError) as info:
        load(text)
    suggested = info.value.problem.message.rsplit("quotes: ", 1)[1]
    assert load(suggested + "\n")[0] == expected
