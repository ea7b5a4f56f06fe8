"""Property tests: parsers and counters given random input raise only our own errors.

And one differential property: whenever Python-Markdown, configured as the site is, turns
a body into HTML that the post-build gate would refuse, the check-time rules have already
refused the body.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import markdown
import pytest
from conftest import digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.content.digest import parse_digest
from paperdigest.content.loader import check_content
from paperdigest.content.safety import body_problems, url_scheme
from paperdigest.content.yamlsafe import load as load_yaml
from paperdigest.errors import ContentError, Problem
from paperdigest.site.gate import ScriptPolicy, scan_page

blurb = pytest.importorskip("paperdigest.content.blurb")

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Text that stresses the parsers: Markdown and YAML punctuation, Japanese, emoji, controls.
ALPHABET = st.sampled_from(
    [*"#`~-[]()<>{}:!*&%;=\"'\\/ \t\n.0123456789aAzZ",
     "\u3042", "ガ", "\u30ab\u3099", "😀", "👨\u200d👩", "\ufeff", "\u202e", "\u200b", "\x00",
     "\r", "\u2028", "＃", "０", "é"]
)
TEXT = st.lists(ALPHABET, max_size=400).map("".join)


@FAST
@given(TEXT)
def test_digest_parser_never_raises(text: str) -> None:
    parsed = parse_digest(text, first_line=3)
    # The parser counts str.splitlines() lines (lone CR and U+2028 too).
    lines = max(text.count("\n"), len(text.splitlines())) + 3
    assert all(p.line is None or 3 <= p.line <= lines + 1 for p in parsed.problems)
    assert [s.number for s in parsed.sections] == sorted(s.number for s in parsed.sections)


@FAST
@given(TEXT)
def test_yaml_loader_raises_only_yaml_problems(text: str) -> None:
    try:
        data, lines = load_yaml(text, first_line=2)
    except ContentError as exc:
        assert exc.problem.message and (exc.problem.line is None or exc.problem.line >= 2)
        return
    assert all(line >= 2 for line in lines.values())
    assert data is None or isinstance(data, (str, int, bool, list, dict))


YAML_PIECES = st.sampled_from([
    "a: 1\n", "a: 2\n", "b: &x [1]\n", "c: *x\n", "d: !!python/name:os.system\n",
    "e: [1, {f: g}]\n", "- x\n", "  - y\n", "? k\n", ": v\n", "---\n", "...\n", "%YAML 1.1\n",
    "h: 'q\n", 'i: "\\u0000"\n', "j: |\n  text\n", "k: 2503.10100\n", "l: no\n", "m: 0o17\n",
    "{", "}", "[", "]", ",", "#c\n", "n: ガ\n", "\t", "o:\n  p: 1\n  p: 2\n",
])


@FAST
@given(st.lists(YAML_PIECES, max_size=12).map("".join))
def test_yaml_loader_on_yaml_like_text(text: str) -> None:
    with contextlib.suppress(ContentError):
        load_yaml(text)


@FAST
@given(TEXT)
def test_blurb_counter_never_raises(text: str) -> None:
    result = blurb.count(text)
    assert result.weighted_length >= 0
    assert not result.valid or 0 < result.weighted_length <= blurb.LIMIT
    for tag in blurb.extract_hashtags(text):
        assert 0 <= tag.start < tag.end <= len(text) and tag.text
    assert all(isinstance(m, str) for m in blurb.share_text_problems(text))
    blurb.clean_blurb(text)


@FAST
@given(TEXT)
def test_safety_rules_never_raise(text: str) -> None:
    found = body_problems("d.md", text, first_line=5)
    assert all(isinstance(p, Problem) and p.line is not None and p.line >= 5 for p in found)
    url_scheme(text)


# --- differential: what Markdown would let through, the rules refuse --------------------

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc",
              "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.superfences"]
HOSTILE = st.sampled_from([
    "<script>", "</script>", "alert(1)", "<img src=x onerror=alert(1)>", "<svg/onload=x>",
    "[x](", "![i](", ")", "javascript:", "JaVa\tScRiPt:", "java\nscript:", "&#106;avascript:",
    "%6Aavascript:", "data:text/html,x", "vbscript:x", "<", ">", "{: onclick=x }",
    "{onmouseover=y}", " { onclick=z }", "{ .ok }", "`", "```\n", "~~~\n", "\n", "\n\n",
    "    ", "- ", "| a |\n|---|\n| b ", " |", "[r]: ", "[x][r]", "<https://a.org>",
    "<javascript:x>", "text ", "ガ ", "*em*", "## h ", "\\", '"', "'", "&colon;",
    "<a href=\"javascript:x\">", "<!-- c -->", "<br>", "<sub>", "{: href=\"javascript:x\" }",
    "> ", "!!! note \"", "1. ", "<div markdown>", "\t", "#",
])
NO_SCRIPTS = ScriptPolicy(files=frozenset(), folders=())


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE, max_size=10).map("".join))
def test_whatever_markdown_lets_through_is_refused_at_check_time(text: str) -> None:
    html = markdown.markdown(text, extensions=EXTENSIONS)
    executable = scan_page(html, "page.html", NO_SCRIPTS)
    if executable:
        assert body_problems("d.md", text), (text, html, [str(f) for f in executable])


# --- the loader on random files: only Problems come out --------------------------------

FILE_BYTES = st.one_of(
    st.binary(max_size=300),
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from([digest(), digest("hep-th/9901001"), "---\n", "---\na: [\n"]),
              TEXT).map(lambda p: (p[0][: len(p[0]) // 2] + p[1]).encode()),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paper=FILE_BYTES, record=FILE_BYTES)
def test_loader_reports_problems_and_never_crashes(paper: bytes, record: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content" / "papers").mkdir(parents=True)
        (root / "content" / "authors").mkdir(parents=True)
        (root / "content" / "papers" / "2503.04504.md").write_bytes(paper)
        (root / "content" / "authors" / "someone.yaml").write_bytes(record)
        site, problems = check_content(root / "content", root=root)
        assert all(isinstance(p, Problem) and p.message for p in problems)
        assert (site is None) == any(p.severity == "error" for p in problems)
