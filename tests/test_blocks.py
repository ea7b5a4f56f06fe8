"""The block scanner against the renderer: what Python-Markdown, configured as ``mkdocs.yml``
is, renders inside ``<pre>`` is exactly what ``blocks.scan`` calls code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import yaml
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.content import blocks


def _site_extensions() -> tuple[list[object], dict[str, object]]:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)
    names: list[object] = []
    options: dict[str, object] = {}
    for entry in config["markdown_extensions"]:
        if isinstance(entry, dict):
            (name, value), = entry.items()
            names.append(name)
            options[name] = value or {}
        else:
            names.append(entry)
    return names, options


def test_the_scanner_knows_the_sites_block_extensions() -> None:
    names, _ = _site_extensions()
    assert set(names) == set(blocks.EXTENSIONS)


class _InPre(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.code: list[str] = []
        self.prose: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.depth += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "pre"

    def handle_data(self, data: str) -> None:
        (self.code if self.depth else self.prose).append(data)


def rendered_code(text: str) -> tuple[set[str], set[str]]:
    """Tokens ``zq<n>`` rendered inside ``<pre>``, and those rendered elsewhere."""
    names, options = _site_extensions()
    html = markdown.markdown(text, extensions=names, extension_configs=options)
    found = _InPre()
    found.feed(html)
    token = re.compile(r"zq\d+")
    return set(token.findall("".join(found.code))), set(token.findall("".join(found.prose)))


INDENTS = ["", " ", "  ", "   ", "    ", "     ", "      ", "        ", "         ",
           "            ", "\t", "\t\t", "  \t"]
MARKERS = ["", "", "", "- ", "* ", "1. ", "> ", "> > ", ">     ", "# ", "### ", "-     ",
           "!!! note ", "| ", "[r]: "]
SPECIAL = ["", "", "", "```", "~~~", "````", "```python", "``` {.x}", "```bad option=", "---",
           "***", "===", "| a | b |", "|---|---|", "!!! note", "- ", "> ", "  #x"]


@st.composite
def bodies(draw: st.DrawFn) -> str:
    lines = []
    for n in range(draw(st.integers(1, 14))):
        indent = draw(st.sampled_from(INDENTS))
        if draw(st.booleans()):
            lines.append(indent + draw(st.sampled_from(SPECIAL)))
        else:
            lines.append(f"{indent}{draw(st.sampled_from(MARKERS))}zq{n} text")
    return "\n".join(lines)


def _compare(text: str) -> None:
    code, prose = rendered_code(text)
    scanned = blocks.scan(text)
    for index, line in enumerate(text.split("\n")):
        for token in re.findall(r"zq\d+", line):
            if token in code and token not in prose:
                assert index in scanned.code, (text, index)
            elif token in prose and token not in code:
                assert index not in scanned.code, (text, index)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_scanner_agrees_with_python_markdown(text: str) -> None:
    _compare(text)


PIECES = ["", " ", "  ", "   ", "    ", "\t", "> ", ">", "- ", "* ", "1. ", "+ ", "!!! note ",
          "# ", "## ", "| "]
NESTED_SPECIAL = ["", "", "```", "~~~", "````", "```py", "---", "***", "===", "- ", "> ",
                  "!!! note", "[r]: http://x", "|---|---|"]


@st.composite
def nested(draw: st.DrawFn) -> str:
    """Lines under up to four prefixes each (quotes, list markers, indents, admonitions)."""
    lines = []
    for n in range(draw(st.integers(1, 25))):
        prefix = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=4)))
        if draw(st.integers(0, 3)) == 0:
            lines.append(prefix + draw(st.sampled_from(NESTED_SPECIAL)))
        else:
            lines.append(f"{prefix}zq{n} x")
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested())
def test_scanner_agrees_on_nested_blocks(text: str) -> None:
    _compare(text)


EXAMPLES = [
    "para\n\n    code zq1",
    "para\n    zq1 continues",
    "- item\n\n    zq1 continuation\n\n        zq2 code",
    "# h\n    zq1 code after a heading",
    "  #x\n    zq1 [detail](https://example.org/)",
    "```\nzq1\n```",
    "````\nzq1\n```\nzq2\n````",
    "```\nzq1 never closed",
    "  ```\n  zq1\n zq2\n  ```",
    "> ```\n> zq1\n> ```",
    ">     zq1",
    "text\n***\n    zq1",
    "Title\n---\n    zq1",
    "!!! note\n    zq1 text\n\n        zq2 code",
    "| a | b |\n|---|---|\n# zq1\n    zq2",
    "[r]: https://example.org/\n    zq1",
    "~~~\nzq1\n~~~\n\n\tzq2",
]


def test_examples_agree() -> None:
    for text in EXAMPLES:
        _compare(text)


def test_unclosed_fences_are_reported_and_are_text() -> None:
    scanned = blocks.scan("a\n\n```\nzq1\n")
    assert scanned.unclosed == ((2, "```"),)
    assert not scanned.code
    abandoned = blocks.scan("  ```\n  zq1\n zq2\n")
    assert abandoned.unclosed == ((0, "```"),) and not abandoned.code


# What the safety rules judge is what the renderer shows: a line indented like code after a
# line that is not a heading is text, and its attribute list is refused.
ATTACK = "[詳細](https://example.org/){:data-pagefind-meta=url:javascript:alert(document.domain)}"


def _section3(body: str) -> str:
    from conftest import SECTIONS, digest
    return digest(sections=SECTIONS.replace("UBnormalで最高精度。", body))


def _renders_the_attribute(body: str) -> bool:
    """Whether the paper page, whose section 3 is ``body`` as the parser cut it, carries the
    attribute."""
    from paperdigest.content.digest import parse_digest
    sections = parse_digest(_section3(body).split("---\n", 2)[2]).sections
    shown = "\n\n".join(f"## {s.number}. x\n\n{s.body}" for s in sections)
    names, options = _site_extensions()
    html = markdown.markdown(shown, extensions=names, extension_configs=options)
    return " data-pagefind-meta=\"" in html  # as an attribute, not as text in code


def test_the_reported_indented_attribute_list_is_refused() -> None:
    from paperdigest.content.loader import check_digest
    body = "  #x\n    " + ATTACK
    assert _renders_the_attribute(body)
    _, problems = check_digest(_section3(body), "content/papers/x.md")
    assert any("data-pagefind-meta" in p.message for p in problems)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["", " ", "  ", "   ", "    ", "\t"]),
       st.sampled_from(["#x", "# x", "##x", "x", "- x", "> x", "1. x", "!!! note", "---", ""]),
       st.sampled_from(["", " ", "  ", "    ", "     ", "        ", "\t", "\t  ", "  \t"]),
       st.booleans())
def test_indentation_variants_never_hide_an_attribute_list(
        lead: str, first: str, indent: str, blank: bool) -> None:
    from paperdigest.content.loader import check_digest
    gap = "\n" if blank else ""
    body = f"{lead}{first}\n{gap}{indent}{ATTACK}"
    _, problems = check_digest(_section3(body), "content/papers/x.md")
    if _renders_the_attribute(body):
        assert any("data-pagefind-meta" in p.message for p in problems), body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["", "text", "- item", "> quote", "### h", "!!! note",
                                 "    indented", "```", "1. one"]), max_size=5),
       st.lists(st.sampled_from(PIECES), max_size=3))
def test_no_nesting_hides_an_attribute_list(before: list[str], prefix: list[str]) -> None:
    """Whatever precedes it and however it is nested, an attribute list the page would carry
    is refused by the check."""
    from paperdigest.content.loader import check_digest
    body = "\n".join([*before, "".join(prefix) + ATTACK])
    _, problems = check_digest(_section3(body), "content/papers/x.md")
    if _renders_the_attribute(body):
        assert any("data-pagefind-meta" in p.message for p in problems), body


def test_a_body_too_costly_to_follow_is_reported_not_followed() -> None:
    from paperdigest.content import limits
    for body in ("### h\n" * 20_000, "---\n" * 20_000, ">" * 60 + "     x",
                 "    x\n\n" + "- a\n" * 10):
        scanned = blocks.scan(body)
        found = [p.message for p in limits.body_problems("x.md", body)]
        assert scanned.exhausted == any("too costly" in m for m in found), body[:20]
    assert blocks.scan("### h\n" * 20_000).exhausted
    assert blocks.scan(">" * 60 + "     x").exhausted
    assert not blocks.scan("    x\n\n" + "- a\n" * 10).exhausted


def test_the_scanner_grows_linearly_with_the_body() -> None:
    from growth import assert_linear
    unit = "段落です。\n\n- 項目\n    - 入れ子\n\n```python\nx = 1\n```\n\n    code\n\n> 引用\n\n"
    assert_linear(lambda n: blocks.scan("    y\n\n" + unit * n + f"<!-- {n} -->"), 200,
                  label="scan")
