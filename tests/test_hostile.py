"""The hostile-input corpus: every case names the exact error, or the neutralised output.

Check-time rules live in ``generator/safety.py`` (plus the YAML, file and path rules that
already stood in ``yamlsafe``, ``textfile``, ``schema`` and ``loader``); the sanitiser and
the post-build gate in ``generator/sanitize.py``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import material as mkdocs_material
import pytest
from conftest import SECTIONS, digest, without_added, write_tree
from growth import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build as build_site
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.utils import meta as mkdocs_meta
from paperdigest.content import limits, pages
from paperdigest.content.loader import check_content, check_digest
from paperdigest.content.safety import body_problems, url_scheme
from paperdigest.content.yamlsafe import load as load_yaml
from paperdigest.errors import PaperdigestError
from paperdigest.site import gate as gate_module
from paperdigest.site import paths
from paperdigest.site.gate import (
    ScriptPolicy,
    changed_theme_assets,
    scan_page,
    scan_site,
    theme_policy,
)
from paperdigest.site.sanitize import clean_html
from paperdigest.site.staging import Staged

Make = Callable[[Mapping[str, str | bytes]], Path]
P = "content/papers/2503.04504.md"
A = "content/authors/sunghyun-ahn.yaml"
FIX_HTML = ("is not allowed: write Markdown instead (only <br>, <sub> and <sup> without "
            "attributes are kept), or put it in `backticks` if it is meant as code")
FIX_URL = ("scheme: only http(s), mailto, relative links and #anchors are allowed; link to an "
           "https:// page instead")
FIX_ATTR = ("only ids ({ #name }) and classes ({ .name }) are allowed; remove the rest, or put "
            "the braces in `backticks` if they are not an attribute list")
FIX_NAME = "names and titles are plain text; leave out <, > and backticks (write ＜ ＞ if needed)"
FIX_PRINTED = ("the theme prints it into the page's HTML as it is: write plain text, without "
               '<, >, " and backticks (write ＜ ＞ ” if needed)')
LINE = 25
"""The line of section 3's text in ``conftest.digest()``."""


def with_body(text: str) -> str:
    """A valid digest whose section 3 says ``text``."""
    return digest(sections=SECTIONS.replace("UBnormalで最高精度。", text))


def front(extra: str) -> str:
    """A valid digest with ``extra`` lines added to its front matter."""
    return digest(front='arxiv: "2503.04504"\n' + extra)


RECORD = "name: Sunghyun Ahn\n"

# (case, files, exact problems). Files are written under a fresh project root.
CASES: list[tuple[str, Mapping[str, str | bytes], list[str]]] = [
    ("script tag", {P: with_body("説明 <script>alert(1)</script>")},
     [f"{P}:{LINE}: raw HTML '<script>' {FIX_HTML}"]),
    ("backslash does not escape a tag", {P: with_body(r"\<script>alert(1)</script>")},
     [f"{P}:{LINE}: raw HTML '<script>' {FIX_HTML}"]),
    ("img onerror", {P: with_body("図 <img src=x onerror=alert(1)>")},
     [f"{P}:{LINE}: raw HTML '<img src=x onerror=alert(1)>' {FIX_HTML}"]),
    ("html comment", {P: with_body("<!-- hidden -->")},
     [f"{P}:{LINE}: raw HTML '<!-- hidden -->' (a comment or declaration) is not allowed: "
      "delete it"]),
    ("tag split over lines", {P: with_body("見て <a\nhref=x>ここ</a>")},
     [f"{P}:{LINE}: raw HTML '<a\\x0ahref=x>' {FIX_HTML}"]),
    ("allowed tag with an attribute", {P: with_body("a<br onclick=x>b")},
     [f"{P}:{LINE}: raw HTML '<br onclick=x>' {FIX_HTML}"]),
    ("javascript: mixed case and tab", {P: with_body("[x](JaVa\tScRiPt:alert(1))")},
     [f"{P}:{LINE}: the link 'JaVa\\x09ScRiPt:alert(1)' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: split by a newline", {P: with_body("[x](java\nscript:alert(1))")},
     [f"{P}:{LINE}: the link 'java\\x0ascript:alert(1)' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: entity-encoded", {P: with_body("[x](&#106;avascript:alert(1))")},
     [f"{P}:{LINE}: the link '&#106;avascript:alert(1)' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: with &colon;", {P: with_body("[x](javascript&colon;alert(1))")},
     [f"{P}:{LINE}: the link 'javascript&colon;alert(1)' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: percent-encoded", {P: with_body("[x](%6Aavascript:alert(1))")},
     [f"{P}:{LINE}: the link '%6Aavascript:alert(1)' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: in angle brackets", {P: with_body("[x](<javascript:alert(1)>)")},
     [f"{P}:{LINE}: the link '<javascript:alert(1)>' uses the 'javascript:' {FIX_URL}"]),
    ("javascript: reference-style", {P: with_body("[x][r]\n\n[r]: javascript:alert(1)")},
     [f"{P}:{LINE + 2}: the link reference 'javascript:alert(1)' uses the 'javascript:' "
      f"{FIX_URL}"]),
    ("vbscript: link", {P: with_body("[x](vbscript:msgbox(1))")},
     [f"{P}:{LINE}: the link 'vbscript:msgbox(1)' uses the 'vbscript:' {FIX_URL}"]),
    ("data: image", {P: with_body("![図](data:image/svg+xml;base64,PHN2Zz4=)")},
     [f"{P}:{LINE}: the image 'data:image/svg+xml;base64,PHN2Zz4=' uses the 'data:' "
      f"{FIX_URL}"]),
    ("javascript: autolink", {P: with_body("<javascript:alert(1)>")},
     [f"{P}:{LINE}: raw HTML '<javascript:alert(1)>' {FIX_HTML}"]),
    ("ftp autolink", {P: with_body("<ftp://example.org/x>")},
     [f"{P}:{LINE}: the autolink 'ftp://example.org/x' uses the 'ftp:' {FIX_URL}"]),
    ("attr_list onclick on a paragraph", {P: with_body("本文\n{: onclick=alert(1) }")},
     [f"{P}:{LINE + 1}: the attribute list '{{: onclick=alert(1) }}' sets onclick: "
      f"{FIX_ATTR}"]),
    ("attr_list on a link", {P: with_body("[x](https://example.org){onmouseover=alert(1)}")},
     [f"{P}:{LINE}: the attribute list '{{onmouseover=alert(1)}}' sets onmouseover: "
      f"{FIX_ATTR}"]),
    ("attr_list overriding href", {P: with_body('[x](https://a.org){: href="javascript:x" }')},
     [f"{P}:{LINE}: the attribute list '{{: href=\"javascript:x\" }}' sets href: {FIX_ATTR}"]),
    ("attr_list on a heading", {P: with_body("### 小見出し { #a .b style=color:red }")},
     [f"{P}:{LINE}: the attribute list '{{ #a .b style=color:red }}' sets style: {FIX_ATTR}"]),
    ("attr_list in a table cell", {P: with_body("| a |\n|---|\n| b { onclick=x } |")},
     [f"{P}:{LINE + 2}: the attribute list '{{ onclick=x }}' sets onclick: {FIX_ATTR}"]),
    ("attr_list bare handler word", {P: with_body("本文\n{ onload }")},
     [f"{P}:{LINE + 1}: the attribute list '{{ onload }}' sets onload: {FIX_ATTR}"]),
    ("title with HTML (front matter)", {P: front('title: "<img src=x onerror=alert(1)>"\n')},
     [f"{P}:3: title: '<img src=x onerror=alert(1)>' contains '<': {FIX_NAME}"]),
    ("title with HTML (body)", {P: digest(title="<b>Bold</b> title")},
     [f"{P}:11: raw HTML '<b>' {FIX_HTML}"]),
    ("title with a backtick", {P: digest(title="The `eval` trick")},
     [f"{P}:11: title: 'The `eval` trick' contains '`': {FIX_NAME}"]),
    ("blurb breaking out of an attribute",
     {P: front('blurb: "\\"><script>alert(1)</script>"\n')},
     [f"{P}:3: blurb: '\"><script>alert(1)</script>' contains HTML markup ('<script>aler'): "
      "write plain text; a '<' must be followed by a space"]),
    ("author name with markup", {P: front("authors:\n  - '<svg onload=alert(1)>'\n")},
     [f"{P}:4: authors[0]: '<svg onload=alert(1)>' contains '<': {FIX_NAME}"]),
    ("tag with markup", {P: front("tags: ['x\"><b>']\n")},
     [f"{P}:3: tags[0]: 'x\"><b>' contains '>': {FIX_NAME}"]),
    ("doi with markup", {P: front('doi: "10.1000/x\\"><script>"\n')},
     [f"{P}:3: doi: '10.1000/x\"><script>' does not look right: expected something like "
      "10.1145/3292500.3330701"]),
    ("code URL breaking out of a Markdown link",
     {P: front('code: "https://github.com/x/y){:data-pagefind-meta=url:javascript:alert(1)}"\n')},
     []),
    ("code URL with javascript:", {P: front('code: "javascript:alert(1)"\n')},
     [f"{P}:3: code: 'javascript:alert(1)' is not an http(s) URL: write the full address, "
      "https://…"]),
    ("code URL with a user name", {P: front('code: "https://github.com@evil.example/x"\n')},
     [f"{P}:3: code: 'https://github.com@evil.example/x' carries a user name before '@': link "
      "the page itself"]),
    ("homepage with a newline", {A: RECORD + 'homepage: "https://a.org/\\nx"\n'},
     [f"{A}:2: homepage: contains the control character U+000A at character 15: write it on "
      "one line"]),
    ("DEL in a title", {P: front('title: "A\\x7fB"\n')},
     [f"{P}:3: title: contains the control character U+007F at character 2: delete it"]),
    ("C1 control in a blurb", {P: front('blurb: "要約\\x85です #LLM"\n')},
     [f"{P}:3: blurb: contains the control character U+0085 at character 3: delete it"]),
    ("newline in an author name", {P: front('authors: ["Ann\\nLee"]\n')},
     [f"{P}:3: authors[0]: contains the control character U+000A at character 4: write it "
      "on one line"]),
    ("category named like the index page", {P: front("category: index\n")},
     [f"{P}:3: category: 'index' is the name of a listing page, not an arXiv category: write "
      "the paper's primary category, e.g. cs.CL"]),
    ("record name with markup", {A: "name: <img src=x onerror=alert(1)>\n"},
     [f"{A}:1: name: '<img src=x onerror=alert(1)>' contains '<': {FIX_NAME}"]),
    ("record bio with a script", {A: RECORD + "bio: 'x <script>alert(1)</script>'\n"},
     [f"{A}:2: bio: 'x <script>alert(1)</script>' contains HTML markup ('<script>aler'): "
      "write plain text; a '<' must be followed by a space"]),
    ("zero-width space in a tag", {P: front("tags: [\"LL\u200bM\"]\n")},
     [f"{P}:3: tags[0]: contains the invisible character U+200B (ZERO WIDTH SPACE): "
      "delete it"]),
    ("bidi override in a tag", {P: front("tags: [\"abc\u202edef\"]\n")},
     [f"{P}:3: tags[0]: contains the invisible character U+202E "
      "(RIGHT-TO-LEFT OVERRIDE): delete it"]),
    ("soft hyphen in a tag", {P: front("tags: [\"ab\u00adc\"]\n")},
     [f"{P}:3: tags[0]: contains the invisible character U+00AD (SOFT HYPHEN): "
      "delete it"]),
    ("Hangul filler as an author", {P: front("authors: [\"\u3164\"]\n")},
     [f"{P}:3: authors[0]: contains the invisible character U+3164 "
      "(HANGUL FILLER): delete it"]),
    ("path traversal in the id", {P: digest(front='arxiv: "../../etc/x"\n')},
     [f"{P}:2: arxiv: '../../etc/x' is not an arXiv id: write it like 2503.04504, "
      "2503.04504v2 or hep-th/9901001"]),
    ("absolute path as the id", {P: digest(front='arxiv: "/etc/passwd"\n')},
     [f"{P}:2: arxiv: '/etc/passwd' is not an arXiv id: write it like 2503.04504, "
      "2503.04504v2 or hep-th/9901001"]),
    ("backslashes in the id", {P: digest(front='arxiv: "..\\\\..\\\\x"\n')},
     [f"{P}:2: arxiv: '..\\..\\x' is not an arXiv id: write it like 2503.04504, "
      "2503.04504v2 or hep-th/9901001"]),
    ("NUL in a file", {P: digest().replace("AnyAnomaly", "Any\x00Anomaly")},
     [f"{P}:11: contains a NUL character: delete it"]),
    ("author file name that is not an id", {"content/authors/Evil..x.yaml": RECORD},
     ["content/authors/Evil..x.yaml: the file name must be a lower-case ASCII id such as "
      "takuya-akiba.yaml (letters, digits, '-'; not index, initial, page)"]),
    ("alias bomb", {P: digest(front='arxiv: "2503.04504"\nx: &a [1, 1]\ny: [*a, *a]\n')},
     [f"{P}:3: front matter: anchors (&a) are not allowed: write the value out in full"]),
    ("duplicate keys", {P: digest(front='arxiv: "2503.04504"\ntitle: A\ntitle: B\n')},
     [f"{P}:4: front matter: duplicate key 'title' (first on line 3): keep only one"]),
    ("custom YAML tag",
     {P: digest(front='arxiv: "2503.04504"\ntitle: !!python/object/apply:os.system [x]\n')},
     [f"{P}:3: front matter: YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are "
      "not allowed: remove it and write plain text"]),
    ("huge file", {P: digest() + "x" * (600 * 1024)},
     [f"{P}: is 600 KB; the limit is 256 KB: split or shorten it"]),
    ("byte-order mark", {P: b"\xef\xbb\xbf" + digest().encode()},
     [f"{P}:1: starts with a byte-order mark (BOM): save the file as UTF-8 without BOM"]),
    ("invalid UTF-8", {P: digest().encode().replace(b"AnyAnomaly", b"Any\xffAnomaly")},
     [f"{P}:11: is not valid UTF-8: save the file as UTF-8"]),
    ("case-folding twins", {"content/papers/a/2503.04504.md": digest(),
                            "content/papers/A/2503.04504.md": digest("2503.05179")},
     ["content/papers/a/2503.04504.md: differs from content/papers/A/2503.04504.md only by "
      "case or Unicode form: the two clash on macOS and Windows; rename one"]),
]
NFC, NFD = unicodedata.normalize("NFC", "ガ"), unicodedata.normalize("NFD", "ガ")
CASES.append(
    ("NFC and NFD twins", {f"content/papers/{NFC}.md": digest(),
                           f"content/papers/{NFD}.md": digest("2503.05179")},
     [f"content/papers/{NFD}.md: file names must be printable ASCII: rename it after the arXiv id, "
      "e.g. 2503.04504.md",
      f"content/papers/{NFC}.md: differs from content/papers/{NFD}.md only by case or "
      "Unicode form: the two clash on macOS and Windows; rename one",
      f"content/papers/{NFC}.md: file names must be printable ASCII: rename it after the arXiv id, "
      "e.g. 2503.04504.md"]),
)


def problems_of(root: Path, files: Mapping[str, str | bytes]) -> list[str]:
    (root / "content" / "papers").mkdir(parents=True, exist_ok=True)
    (root / "content" / "authors").mkdir(parents=True, exist_ok=True)
    write_tree(root, files)
    site, problems = check_content(root / "content", root=root)
    problems = without_added(problems)
    assert (site is None) == any(p.severity == "error" for p in problems)
    return [str(p) for p in problems]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_hostile_content_is_refused(tmp_path: Path, files: Mapping[str, str | bytes],
                                    expected: list[str]) -> None:
    assert problems_of(tmp_path, files) == expected


def test_symlinked_digest_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outside.md": digest()})
    (tmp_path / "content" / "papers").mkdir(parents=True)
    os.symlink(tmp_path / "outside.md", tmp_path / P)
    assert problems_of(tmp_path, {}) == [
        f"{P}: is a symbolic link: content files must be regular files; copy the file instead"
    ]


# --- what must NOT be flagged -----------------------------------------------------------

HARMLESS = [
    ("fenced code", "```html\n<script>alert(1)</script>\n[x](javascript:alert(1))\n```"),
    ("tilde fence with attributes", "~~~{.python onclick=x}\n<b>\n~~~"),
    ("inline code", "`<script>` と `[x](javascript:1)` と `{: onclick=x }`"),
    ("inline code over two lines", "`<img\nonerror=x>` は危険"),
    ("indented code", "例:\n\n    <script>alert(1)</script>"),
    ("allowed tags", "H<sub>2</sub>O と x<sup>2</sup><br>改行<br/>"),
    ("comparisons", "p < 0.05 かつ a<b、矢印 <-"),
    ("set notation", "集合 {1,2,3} と $\\{x\\}$"),
    ("ids and classes", "### 見出し { #my-id .note }\n\n本文\n{: .wide }"),
    ("safe links", "[a](https://arxiv.org/abs/2503.04504) [b](../x.md) [c](#section-1) "
                   "[d](mailto:a@example.org) <https://example.org> <a@example.org> "
                   '[e](https://example.org "title: with colon")'),
    ("link text mentioning javascript", "[javascript: the good parts](https://example.org)"),
]


@pytest.mark.parametrize("text", [h[1] for h in HARMLESS], ids=[h[0] for h in HARMLESS])
def test_code_and_plain_text_are_not_flagged(tmp_path: Path, text: str) -> None:
    assert body_problems("d.md", text) == []
    assert problems_of(tmp_path, {P: with_body(text)}) == []


def test_unquoted_arxiv_id_stays_text(tmp_path: Path) -> None:
    # YAML 1.1 would read 2503.10100 as the float 2503.101; the id must survive intact.
    write_tree(tmp_path, {"content/papers/2503.10100.md": digest(
        "2503.10100", front="arxiv: 2503.10100\ndate: 2025-03-13\n")})
    (tmp_path / "content" / "authors").mkdir(parents=True)
    site, problems = check_content(tmp_path / "content", root=tmp_path)
    problems = without_added(problems)
    assert problems == [] and site is not None
    assert [p.arxiv.full for p in site.papers] == ["2503.10100v1"]


@pytest.mark.parametrize(("url", "scheme"), [
    ("https://x", "https"), ("  JAVASCRIPT:x", "javascript"), ("java\x00script:x", "javascript"),
    ("&#x6A;&#x61;vascript:x", "javascript"), ("%2561%253Ax", "a"),
    ("jav&Tab;ascript:", "javascript"),
    ("../a:b", None), ("#x", None), ("/x", None), ("?a=b:c", None), ("", None),
])
def test_url_scheme(url: str, scheme: str | None) -> None:
    assert url_scheme(url) == scheme


@pytest.mark.parametrize("path", ["papers/../x.md", "/etc/x", "tags/a\\b.md", "tags/\x00.md",
                                  "authors/./x.md", "a//b.md", "x/.."])
def test_generated_paths_cannot_leave_the_tree(path: str) -> None:
    with pytest.raises(ValueError, match="would leave the output tree"):
        paths.inside(path)
    assert paths.inside("papers/hep-th/9901001.md") == "papers/hep-th/9901001.md"


# --- the sanitiser: the neutralised output ----------------------------------------------

NEUTRALISED = [
    ("script", '<p>a</p><script>alert(1)</script><p>b</p>', "<p>a</p><p>b</p>"),
    ("img onerror", '<p><img src="x.png" onerror="alert(1)"></p>', '<p><img src="x.png"></p>'),
    ("javascript href", '<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ("entity-encoded href", '<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"),
    ("data image", '<img src="data:image/png;base64,AA" alt="i">', '<img alt="i">'),
    ("attr_list onclick", '<p onclick="alert(1)" class="c">t</p>', '<p class="c">t</p>'),
    ("style element", "<style>body{display:none}</style><p>t</p>", "<p>t</p>"),
    ("iframe", '<iframe srcdoc="&lt;script&gt;x&lt;/script&gt;"></iframe><p>t</p>', "<p>t</p>"),
    ("form", '<form action="javascript:x"><button formaction="javascript:x">b</button></form>',
     "<button>b</button>"),
    ("theme id", '<h2 id="__config">x</h2>', "<h2>x</h2>"),
    ("inline style", '<p style="position:fixed;top:0">x</p>', "<p>x</p>"),
    ("target", '<a href="https://a.org" target="_top">x</a>', '<a href="https://a.org">x</a>'),
    ("svg handler", '<svg onload="alert(1)" viewBox="0 0 1 1"><rect x="0" width="1"/></svg>',
     '<svg viewBox="0 0 1 1"><rect x="0" width="1"></rect></svg>'),
    ("comment", "<!-- x --><p>t</p>", "<p>t</p>"),
]


@pytest.mark.parametrize(("dirty", "clean"), [n[1:] for n in NEUTRALISED],
                         ids=[n[0] for n in NEUTRALISED])
def test_sanitiser_neutralises(dirty: str, clean: str) -> None:
    assert clean_html(dirty) == clean


def test_sanitiser_keeps_what_our_pages_emit() -> None:
    page = (
        '<h2 id="section-1">1. 既存研究<a class="headerlink" href="#section-1" '
        'title="Permanent link">¶</a></h2>\n'
        '<div class="admonition note"><p class="admonition-title">Note</p></div>\n'
        '<div class="highlight"><pre><span></span><code><span class="k">def</span></code>'
        "</pre></div>\n"
        '<table><thead><tr><th style="text-align: right;">n</th></tr></thead><tbody><tr>'
        '<td style="text-align: right;">1</td></tr></tbody></table>\n'
        '<div class="pd-blurb" lang="ja"><p class="pd-blurb__actions"><a class="pd-share" '
        'href="https://x.com/intent/post?text=a" target="_blank" rel="noopener noreferrer">X'
        '</a> <button type="button" class="pd-copy" data-copy="a b">コピー</button></p></div>\n'
        '<p><time datetime="2025-03-06">2025-03-06</time> H<sub>2</sub>O<br></p>\n'
        '<details class="pd-abstract"><summary>要旨</summary><p lang="en">x</p></details>\n'
        '<div class="pd-related" data-pagefind-ignore=""><ul><li>x</li></ul></div>\n'
        '<svg class="pd-chart" id="c" role="img" aria-labelledby="c-title" viewBox="0 0 9 9" '
        'width="100%" style="max-width:9px" font-size="12" fill="currentColor">'
        '<title id="c-title">t</title><g><text x="1" y="2" text-anchor="end">l</text>'
        '<rect x="1" y="2" width="3" height="16" '
        'style="fill:var(--md-accent-fg-color,currentColor)"></rect></g>'
        '<line x1="6" x2="9" y1="1" y2="1" stroke="currentColor" stroke-opacity="0.4"></line>'
        "</svg>"
    )
    assert clean_html(page) == page


# --- the post-build gate ----------------------------------------------------------------

POLICY = ScriptPolicy(files=frozenset({"assets/paperdigest/paperdigest.js"}),
                      inline=theme_policy([Path(__file__).parent / "data" / "hostile"], []).inline)
SAFE_HEAD = ('<script>var ok=1;__md_scope=new URL("../..",location)</script>'
             '<script id="__config" type="application/json">{"base": ".."}</script>'
             '<script src="../../assets/javascripts/bundle.js"></script>'
             '<script src="../../assets/paperdigest/paperdigest.js"></script>')

GATE = [
    ("clean page", "<p>onclick=x in text, javascript: in prose</p>", []),
    ("handler in the header title", '<span class="md-ellipsis"><img src=x onerror=alert(1)>',
     ["papers/x/index.html:2: event handler attribute 'onerror': <img src=x onerror=alert(1)>"]),
    ("handler after a slash", "<svg/onload=alert(1)>",
     ["papers/x/index.html:2: event handler attribute 'onload': <svg/onload=alert(1)>"]),
    ("entity-encoded javascript href", '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
     ["papers/x/index.html:2: javascript: URL in 'href': "
      '<a href="&#x6A;avascript&colon;alert(1)">']),
    ("data iframe src", '<iframe src="data:text/html,x"></iframe>',
     ["papers/x/index.html:2: data: URL in 'src': <iframe src=\"data:text/html,x\">"]),
    ("srcdoc", '<iframe srcdoc="x"></iframe>',
     ["papers/x/index.html:2: srcdoc attribute (an inline document): <iframe srcdoc=\"x\">"]),
    ("formaction", '<button formaction="vbscript:x">b</button>',
     ["papers/x/index.html:2: vbscript: URL in 'formaction': "
      '<button formaction="vbscript:x">']),
    ("refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
     ['papers/x/index.html:2: <meta http-equiv="refresh">: '
      '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">']),
    ("refresh to a web page", '<meta http-equiv="Refresh" content="0; url=https://evil.example/">',
     ['papers/x/index.html:2: <meta http-equiv="Refresh">: '
      '<meta http-equiv="Refresh" content="0; url=https://evil.example/">']),
    ("a content security policy", '<meta http-equiv="Content-Security-Policy" content="x">',
     ['papers/x/index.html:2: <meta http-equiv="Content-Security-Policy">: '
      '<meta http-equiv="Content-Security-Policy" content="x">']),
    ("base", '<base href="https://evil.example/">',
     ["papers/x/index.html:2: <base> (it re-targets every relative link of the page): "
      '<base href="https://evil.example/">']),
    ("foreign inline script", "<script>alert(1)</script>",
     ["papers/x/index.html:2: script that is not the theme's: <script>alert(1)"]),
    ("foreign external script", '<script src="https://evil.example/x.js"></script>',
     ["papers/x/index.html:2: script that is not the theme's: "
      '<script src="https://evil.example/x.js">']),
    ("script escaping the site", '<script src="../../../x.js"></script>',
     ["papers/x/index.html:2: script that is not the theme's: <script src=\"../../../x.js\">"]),
    ("module typed script", '<script type="module">alert(1)</script>',
     ["papers/x/index.html:2: script that is not the theme's: "
      '<script type="module">alert(1)']),
    ("theme script with code appended", '<script>var ok=1;alert(1)</script>',
     ["papers/x/index.html:2: script that is not the theme's: <script>var ok=1;alert(1)"]),
]


@pytest.mark.parametrize(("body", "expected"), [g[1:] for g in GATE], ids=[g[0] for g in GATE])
def test_gate_findings(body: str, expected: list[str]) -> None:
    page = f"<html><head>{SAFE_HEAD}</head><body>\n{body}\n</body></html>"
    assert [str(f) for f in scan_page(page, "papers/x/index.html", POLICY)] == expected


def test_the_gate_reads_every_kind_of_document(tmp_path: Path) -> None:
    handler = "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    write_tree(tmp_path, {
        "a.svg": handler, "b.xhtml": handler, "c.htm": handler,
        "feed.xml": "<?xml version='1.0'?><feed><title>onload=x</title></feed>",
        "styled.xml": "<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?>" + handler,
        "img.png": handler,
    })
    found = [f"{f.path}: {f.what}" for f in scan_site(tmp_path, POLICY)]
    assert found == [f"{n}: event handler attribute 'onload'"
                     for n in ("a.svg", "b.xhtml", "c.htm", "styled.xml")]


def test_a_theme_asset_replaced_in_the_output_is_found(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    write_tree(theme, {"assets/javascripts/bundle.js": "ok()", "main.html": "<html>",
                       "assets/images/favicon.png": b"png"})
    site = tmp_path / "site"
    write_tree(site, {"assets/javascripts/bundle.js": "ok();alert(1)",
                      "assets/images/favicon.png": b"png", "main.html": "other"})
    assert [str(f) for f in changed_theme_assets(site, [theme])] == [
        f"assets/javascripts/bundle.js:1: differs from the installed theme's file: "
        f"{theme / 'assets/javascripts/bundle.js'}"]


# --- whole builds: the sanitiser and the gate in place, reproducible output -------------

ODD = {
    P: with_body(
        "コード中の `<script>alert(1)</script>` と `[x](javascript:1)` はそのまま。\n\n"
        "```html\n<img src=x onerror=alert(1)>\n```\n\n"
        "H<sub>2</sub>O、x<sup>2</sup><br>改行、p < 0.05、{1,2,3}。\n"
        "[相対](#section-1) と <https://example.org/a?b=c&d=e>"),
    "content/papers/hep-th/9711200.md": digest(
        "hep-th/9711200", front='arxiv: "hep-th/9711200"\ndate: 1997-11-27\n'
        "tags: [\"異常検知\", \"ＬＬＭ\", \"llm\", \"C++\"]\nauthors: [\"Juan Maldacena\"]\n"),
    "content/pages/about.md": "# About\n\nコードの `<script>alert('page')</script>` は文字。\n",
}
HOSTILE_PAGE = (
    "---\ntitle: \"<img src=x onerror=alert('title')>\"\n---\n\n# About\n\n"
    "<script>alert('page')</script>\n\n<img src=x onerror=\"alert('img')\">\n\n"
    "[click](javascript:alert('link'))\n\n本文\n{: onclick=\"alert('attr')\" }\n")


def mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
         str(root / "mkdocs.yml"), "-d", str(site)],
        capture_output=True, text=True, env=env, check=False, cwd=root,
    )


@pytest.mark.slow
def test_odd_corpus_builds_neutralised_and_byte_identical(project: Make) -> None:
    root = project(ODD)
    first, second = root / "site1", root / "site2"
    for site in (first, second):
        result = mkdocs_build(root, site)
        assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []
    about = (first / "about" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert('page')&lt;/script&gt;" in about
    paper = (first / "papers" / "2503.04504" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in paper  # code stays visible, as text
    assert "H<sub>2</sub>O" in paper and "x<sup>2</sup><br>" in paper


@pytest.mark.slow
def test_a_hostile_page_is_refused_by_check_and_build(project: Make) -> None:
    root = project({P: digest(), "content/pages/about.md": HOSTILE_PAGE})
    _, problems = check_content(root / "content", root=root, pages_dir=root / "content/pages")
    problems = without_added(problems)
    a = "content/pages/about.md"
    assert [str(p) for p in problems] == [
        f"{a}:2: title: '<img src=x onerror=alert('title')>' contains '<': {FIX_PRINTED}",
        f"{a}:7: raw HTML '<script>' {FIX_HTML}",
        f"{a}:9: raw HTML '<img src=x onerror=\"alert('img')\">' {FIX_HTML}",
        f"{a}:11: the link 'javascript:alert('link')' uses the 'javascript:' {FIX_URL}",
        f"{a}:14: the attribute list '{{: onclick=\"alert('attr')\" }}' sets onclick: {FIX_ATTR}",
    ]
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "5 problems in content:" in result.stderr and "Traceback" not in result.stderr


PAGE_FILES: list[tuple[str, Mapping[str, str | bytes], list[str]]] = [
    ("an SVG with script", {"content/pages/logo.svg": "<svg onload=alert(1)/>"},
     ["content/pages/logo.svg: only Markdown pages (.md) and images (.png, .jpg, .webp, .gif) "
      "may live among the pages: remove it (convert an SVG to PNG)"]),
    ("an XHTML page", {"content/pages/x.xhtml": "<html/>"},
     ["content/pages/x.xhtml: only Markdown pages (.md) and images (.png, .jpg, .webp, .gif) "
      "may live among the pages: remove it"]),
    ("HTML named .png", {"content/pages/a.png": "<script>alert(1)</script>"},
     ["content/pages/a.png: is not a PNG image: save it as one, or give it the right "
      "extension"]),
    ("a real PNG", {"content/pages/img/a.png": b"\x89PNG\r\n\x1a\n" + bytes(20)}, []),
    ("a theme asset", {"content/pages/assets/javascripts/bundle.js": "alert(1)"},
     ["content/pages/assets/javascripts/bundle.js: 'assets/javascripts/bundle.js' is where the "
      "site puts its own 'assets': rename or move the file"]),
    ("the search index", {"content/pages/pagefind/pagefind.js": "x"},
     ["content/pages/pagefind/pagefind.js: 'pagefind/pagefind.js' is where the site puts its "
      "own 'pagefind': rename or move the file"]),
    ("a feed", {"content/pages/feed.xml": "<rss/>"},
     ["content/pages/feed.xml: 'feed.xml' is where the site puts its own 'feed.xml': rename or "
      "move the file"]),
    ("a paper page", {"content/pages/papers/2503.04504.md": "# x\n"},
     ["content/pages/papers/2503.04504.md: 'papers/2503.04504.md' is where the site puts its "
      "own 'papers': rename or move the file"]),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in PAGE_FILES],
                         ids=[c[0] for c in PAGE_FILES])
def test_only_pages_and_images_live_among_the_pages(project: Make,
                                                    files: Mapping[str, str | bytes],
                                                    expected: list[str]) -> None:
    root = project({P: digest(), **files})
    _, problems = check_content(root / "content", root=root, pages_dir=root / "content/pages")
    problems = without_added(problems)
    assert [str(p) for p in problems] == expected


@pytest.mark.slow
def test_gate_stops_a_build_whose_theme_injects_a_handler(project: Make) -> None:
    root = project({P: digest()})
    main = root / "site_templates" / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + (
        '\n{% block announce %}<div onmouseover="alert(1)">x</div>{% endblock %}\n'),
        encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert ("paperdigest: the built site contains executable code that no page may carry"
            in result.stderr)
    assert re.search(r"404\.html:\d+: event handler attribute 'onmouseover': "
                     r'<div onmouseover="alert\(1\)">', result.stderr)


# --- linear work: doubling a hostile input at most ~doubles the time ------------------------

GROWING: dict[str, Callable[[int], str]] = {
    "link openers": lambda n: with_body("](" * n),
    "brackets": lambda n: with_body("[" * n + "]" * n),
    "unclosed links": lambda n: with_body("[a](" * n),
    "tags in angle brackets": lambda n: with_body("<a " * n),
    "braces": lambda n: with_body("{" * n + "}"),
    "backticks": lambda n: with_body("`` a ``` b " * (n // 4)),
    "dollars": lambda n: with_body("$a " * n),
    "math openers": lambda n: with_body("\\(" * n),
    "blurb of a.": lambda n: front(f'blurb: "{"a." * n}"\n'),
    "blurb of a-": lambda n: front(f'blurb: "{"a-" * (n // 2)}.com"\n'),
    "tags": lambda n: front("tags: [" + ", ".join(f"t{i}" for i in range(n // 8)) + "]\n"),
    "paragraphs": lambda n: with_body("\n\n".join(["[x] <b> {y} `z`"] * (n // 16))),
    "nested lists": lambda n: with_body("".join("    " * (i % 12) + "- x\n"
                                                for i in range(n // 8))),
}


@pytest.mark.parametrize("name", sorted(GROWING))
def test_check_time_grows_linearly_with_hostile_input(name: str) -> None:
    grow = GROWING[name]
    assert_linear(lambda n: check_digest(grow(n), P), 20_000, label=name)


def test_the_markdown_within_the_limits_builds_in_linear_time() -> None:
    """At the limits (100 '[' per paragraph, 200 '<tag' per digest) Python-Markdown's
    quadratic cases are bounded, so a longer hostile body costs proportionally more."""
    import markdown

    paragraph = "[" * (limits.MAX_BRACKETS - 2) + " x [a](b) <a" * 2

    def convert(n: int) -> None:
        markdown.markdown("\n\n".join([paragraph] * n), extensions=["attr_list", "tables"])

    assert check_digest(with_body("\n\n".join([paragraph] * 3)), P)[0] is not None
    assert_linear(convert, 20, label="markdown at the limits")


LIMIT_CASES: list[tuple[str, str, list[str]]] = [
    ("a line of 10,001 characters", with_body("あ" * 10_001),
     [f"{P}:{LINE}: the line is 10,001 characters long; the limit is 10,000: break it into "
      "paragraphs or list items"]),
    ("lists 11 levels deep", with_body("".join("    " * i + "- x\n" for i in range(11))),
     [f"{P}:{LINE + 10}: lists or quotes are nested 11 levels deep; the limit is 10: flatten "
      "them"]),
    ("quotes 11 levels deep", with_body(">" * 11 + " x"),
     [f"{P}:{LINE}: lists or quotes are nested 11 levels deep; the limit is 10: flatten them"]),
    ("101 brackets in a paragraph", with_body("x " + "[" * 101),
     [f"{P}:{LINE}: one paragraph holds 101 square brackets; the limit is 100: split the "
      "paragraph, or put the text in `backticks`"]),
    ("201 tag starts in a body", with_body("\n\n".join(["a <b c"] * 201)),
     [f"{P}:{LINE + 400}: the body holds 201 '<' followed by a letter; the limit is 200: write "
      "< as ＜, or put such text in `backticks`"]),
    ("31 tags", front("tags: [" + ", ".join(f"t{i}" for i in range(29)) + "]\n"),
     [f"{P}:3: tags: 31 tags; the limit is 30: keep the tags a reader would look for"]),
    ("201 authors", front("authors:\n" + "".join(f"  - Author {i}\n" for i in range(201))),
     [f"{P}:3: authors: 201 authors; the limit is 200: list the first authors and the "
      "corresponding ones; the arXiv page has the rest"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in LIMIT_CASES],
                         ids=[c[0] for c in LIMIT_CASES])
def test_limits_are_stated_with_the_fix(text: str, expected: list[str]) -> None:
    assert [str(p) for p in check_digest(text, P)[1]] == expected


def test_math_and_code_do_not_count_towards_the_limits() -> None:
    body = "\n\n".join(["`<a` $\\langle x \\rangle$ `[[[`"] * 300)
    assert check_digest(with_body(body), P)[1] == []


# --- hand-written pages: every front-matter key the theme prints -----------------------------

PG = "content/pages/about.md"
NOSCRIPT = '"><noscript><p title="</noscript><img src=x onerror=alert(document.domain)>">'
"""The payload that ran on every page through the nav's subtitle."""
SVG_LINK = ('<svg><a><animate attributeName="href" values="javascript:alert(document.domain)"/>'
            "<text y=20>click</text></a></svg>")


def page_with(front: str) -> str:
    return f"---\n{front}---\n\n# About\n\n本文。\n"


def cut(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


PAGE_FRONT: list[tuple[str, str, list[str]]] = [
    *((f"noscript payload as {key}", f"{key}: '{NOSCRIPT}'\n",
       [f"{PG}:2: {key}: '{cut(NOSCRIPT)}' contains '\"': {FIX_PRINTED}"])
      for key in ("subtitle", "description", "author", "title")),
    ("SVG link as subtitle", f"subtitle: '{SVG_LINK}'\n",
     [f"{PG}:2: subtitle: '{cut(SVG_LINK)}' contains '<': {FIX_PRINTED}"]),
    ("attribute breakout without <", "description: 'x\" onmouseover=\"alert(1)'\n",
     [f"{PG}:2: description: 'x\" onmouseover=\"alert(1)' contains '\"': {FIX_PRINTED}"]),
    ("redirect to javascript:", "template: redirect.html\nlocation: javascript:alert(1)\n",
     [f"{PG}:2: template: 'redirect.html' is not a page template: use main.html, or remove "
      "the line",
      f"{PG}:3: location: hand-written pages cannot redirect (the theme prints the address "
      "into a script): remove it and link to the page instead"]),
    ("template outside the theme", "template: ../../../../etc/passwd\n",
     [f"{PG}:2: template: '../../../../etc/passwd' is not a page template: use main.html, or "
      "remove the line"]),
    ("icon as a path", "icon: ../../../../etc/passwd\n",
     [f"{PG}:2: icon: '../../../../etc/passwd' is not an icon name: write it like "
      "material/information, or remove the line"]),
    ("icon the theme lacks", "icon: material/no-such-icon\n",
     [f"{PG}:2: icon: 'material/no-such-icon' is not an icon of the theme: pick one of "
      "Material's icons (e.g. material/information), or remove the line"]),
    ("status into a class attribute", "status: 'new\" onclick=\"alert(1)'\n",
     [f"{PG}:2: status: 'new\" onclick=\"alert(1)' is not a page status: use deprecated or "
      "new, or remove the line"]),
    ("paperdigest's own keys", "pd_ld: {x: 1}\npd_search: true\n",
     [f"{PG}:2: pd_ld: is set by paperdigest on the pages it generates, never by hand: remove it",
      f"{PG}:3: pd_search: is set by paperdigest on the pages it generates, never by hand: "
      "remove it"]),
    ("unknown key", "robots: noindex\n",
     [f"{PG}:2: robots: is not a setting of hand-written pages: use only author, authors, "
      "categories, comments, date, description, draft, hide, icon, links, pin, readtime, "
      "search, slug, status, subtitle, tags, template, title, or remove it"]),
    ("a blog post's links with markup", "links:\n  - 'x\" onclick=\"y'\n",
     [f"{PG}:3: links: 'x\" onclick=\"y' contains '\"': the theme prints it into the page's "
      "HTML as it is: write plain text, without <, >, \" and backticks (write ＜ ＞ ” if "
      "needed)"]),
    ("hide something else", "hide:\n  - toc\n  - 'x\" onclick=\"y'\n",
     [f"{PG}:4: hide: 'x\" onclick=\"y' cannot be hidden: list some of feedback, footer, "
      "navigation, path, tags, toc"]),
    ("search with text", "search: {exclude: 'yes'}\n",
     [f"{PG}:2: search: write 'search: {{exclude: true}}' (or false), or remove it"]),
    ("a tag with markup", "tags:\n  - ok\n  - '<b>'\n",
     [f"{PG}:4: tags: '<b>' contains '<': {FIX_PRINTED}"]),
    ("a number as subtitle", "subtitle: 42\n",
     [f"{PG}:2: subtitle: expected text, got the number 42: quote it if it is meant as text"]),
    ("bidi override", 'description: "a\\u202eb"\n',
     [f"{PG}:2: description: contains the invisible character U+202E "
      "(RIGHT-TO-LEFT OVERRIDE): delete it"]),
    ("soft hyphen", 'subtitle: "a\\u00adb"\n',
     [f"{PG}:2: subtitle: contains the invisible character U+00AD (SOFT HYPHEN): delete it"]),
    ("newline", 'author: "a\\nb"\n',
     [f"{PG}:2: author: contains the control character U+000A at character 2: write it on "
      "one line"]),
    ("too long", f"subtitle: {'a' * 201}\n",
     [f"{PG}:2: subtitle: is 201 characters long: shorten it to 200"]),
    ("not a mapping", "- a\n", [f"{PG}:2: the front matter must be 'key: value' lines: fix it, "
                                "or remove it"]),
    ("everything allowed, with the most a page may say",
     "title: \"Q&A: javascript:alert(1) isn't run\"\nsubtitle: \"' onmouseover='alert(1)\"\n"
     "description: '&lt;img src=x onerror=alert(1)&gt; {{x}}'\nauthor: O'Brien & Co.\n"
     "template: main.html\nicon: material/information\nstatus: new\nhide: [toc, footer]\n"
     "search: {exclude: true}\ntags: [about, javascript:x]\n", []),
]


@pytest.mark.parametrize(("front_matter", "expected"), [c[1:] for c in PAGE_FRONT],
                         ids=[c[0] for c in PAGE_FRONT])
def test_page_front_matter_is_held_to_one_rule(tmp_path: Path, front_matter: str,
                                               expected: list[str]) -> None:
    write_tree(tmp_path, {PG: page_with(front_matter), P: digest()})
    _, problems = check_content(tmp_path / "content", root=tmp_path,
                                pages_dir=tmp_path / "content/pages")
    assert [str(p) for p in without_added(problems)] == expected


PRINTED = ("title", "subtitle", "description", "author", "tags")
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Co"),
                                  blacklist_characters='<>"`'), max_size=20)
BAD_PIECES = st.sampled_from([
    "<", ">", '"', "`", NOSCRIPT, SVG_LINK, "</noscript>", '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>", "<set attributeName=href to=javascript:alert(1)>", "\x00", "\x01",
    "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9b", "\u200b", "\u200e", "\u202e", "\u2066",
    "\u00ad", "\ufeff", "\u2028", "\u2029", "\u061c",
])


def _yaml_scalar(value: str, single: bool) -> str:
    if single and value.isprintable() and "\\" not in value:
        return "'" + value.replace("'", "''") + "'"
    return '"' + "".join(c if (c.isprintable() and c not in '"\\' and ord(c) < 0x7f) or
                         c.isalnum() else f"\\U{ord(c):08x}" for c in value) + '"'


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(PRINTED), before=SAFE_TEXT, bad=BAD_PIECES, after=SAFE_TEXT,
       single=st.booleans(), block=st.booleans())
def test_every_printed_key_refuses_markup_and_hidden_characters(
        key: str, before: str, bad: str, after: str, single: bool, block: bool) -> None:
    value = _yaml_scalar(before + bad + after, single)
    if key == "tags":
        fm, line = (f"tags:\n  - ok\n  - {value}\n", 4) if block else (f"tags: [ok, {value}]\n", 2)
    else:
        fm, line = f"{key}: {value}\n", 2
    data, lines = load_yaml(fm, first_line=2, path=PG)
    problems = pages.front_matter_problems(PG, data, lines)
    assert [(p.line, p.field) for p in problems] == [(line, key)], problems


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(PRINTED), text=SAFE_TEXT.filter(lambda t: t.strip() != ""),
       single=st.booleans())
def test_plain_text_passes_on_every_printed_key(key: str, text: str, single: bool) -> None:
    value = _yaml_scalar(text, single)
    fm = f"tags: [{value}]\n" if key == "tags" else f"{key}: {value}\n"
    data, lines = load_yaml(fm, first_line=2, path=PG)
    assert pages.front_matter_problems(PG, data, lines) == []


def test_every_raw_meta_key_of_the_theme_is_plain_text_or_refused() -> None:
    """The rule follows the installed theme: each ``page.meta.X`` / ``nav_item.meta.X`` that
    Material prints without a filter is either refused or held to the plain-text rule."""
    templates = Path(mkdocs_material.__file__).parent / "templates"
    raw: set[str] = set()
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        raw.update(re.findall(r"\{\{\s*(?:page|nav_item)\.meta\.(\w+)\s*\}\}", text))
    assert {"subtitle", "description", "author", "title", "location"} <= raw  # still found
    for key in raw:
        rule = pages.PAGE_KEYS.get(key)
        assert rule is None or rule is pages.printed_text, key


UNSAFE_NAMES = ['x" onmouseover="alert(1)" y=".md', "a b.md", "a&b.md", "a'b.md", "a<b.md",
                "a(b).md", "a#b.md", "a?b.md", "a%22b.md", "a;b.md", "a=b.md", "-a.md"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_file_names_with_unsafe_characters_are_refused(tmp_path: Path, name: str) -> None:
    problems = problems_of(tmp_path, {f"content/papers/{name}": digest()})
    assert len(problems) == 1 and problems[0].startswith(f"content/papers/{name}: file names ")
    assert "rename it" in problems[0]


def test_the_issue_file_name_is_named_with_the_fix(tmp_path: Path) -> None:
    name = 'x" onmouseover="alert(1)" y=".md'
    assert problems_of(tmp_path, {f"content/papers/{name}": digest()}) == [
        f"content/papers/{name}: file names may hold only letters, digits, '.', '_', '-' and "
        "'+', not '\"': rename it after the arXiv id, e.g. 2503.04504.md"]


# --- the gate reads pages as a browser does --------------------------------------------------

BROWSER_GATE = [
    ("noscript payload in the nav", f"<small>{NOSCRIPT}</small>",
     ["papers/x/index.html:2: event handler attribute 'onerror': "
      "<img src=x onerror=alert(document.domain)>"]),
    ("SVG animate values", SVG_LINK,
     ["papers/x/index.html:2: javascript: URL animated into 'href' by 'values': "
      '<animate attributeName="href" values="javascript:alert(document.domain)"/>']),
    ("SVG set to xlink:href", '<svg><a><set attributeName="xlink:href" to="javascript:x"/></a>',
     ["papers/x/index.html:2: javascript: URL animated into 'xlink:href' by 'to': "
      '<set attributeName="xlink:href" to="javascript:x"/>']),
    ("SVG animate from/by, a later value",
     '<svg><a><animate attributeName="href" from="https://a.org/" by="#x;javascript:y"/>',
     ["papers/x/index.html:2: javascript: URL animated into 'href' by 'by': "
      '<animate attributeName="href" from="https://a.org/" by="#x;javascript:y"/>']),
    ("SVG animation of a handler", '<svg><set attributeName="onclick" to="alert(1)"/></svg>',
     ["papers/x/index.html:2: animation of the event handler 'onclick': "
      '<set attributeName="onclick" to="alert(1)"/>']),
    ("an image breaking out of SVG style", "<svg><style><img src=x onerror=alert(1)></style>",
     ["papers/x/index.html:2: event handler attribute 'onerror': <img src=x onerror=alert(1)>"]),
    ("a comment closed by --!>", "<!-- --!><img src=x onerror=alert(1)> -->",
     ["papers/x/index.html:2: event handler attribute 'onerror': <img src=x onerror=alert(1)>"]),
    ("a second body's handler", "<body onpageshow=alert(1)>",
     ["papers/x/index.html:2: event handler attribute 'onpageshow': <body onpageshow=alert(1)>"]),
    ("a declarative shadow root",
     '<div><template shadowrootmode="open"><img src=x onerror=alert(1)></template></div>',
     ["papers/x/index.html:2: event handler attribute 'onerror': <img src=x onerror=alert(1)>"]),
    ("a refresh for browsers without scripting",
     '<noscript><meta http-equiv="refresh" content="0;url=https://evil.example/"></noscript>',
     ['papers/x/index.html:2: <meta http-equiv="refresh">: '
      '<meta http-equiv="refresh" content="0;url=https://evil.example/">']),
    ("a theme script with a handler",
     '<script src="../../assets/javascripts/x.js" onload="alert(1)"></script>',
     ["papers/x/index.html:2: event handler attribute 'onload': "
      '<script src="../../assets/javascripts/x.js" onload="alert(1)">']),
    ("harmless animation and text", '<svg><animate attributeName="x" values="0;javascript:1"/>'
     '<set attributeName="href" to="https://example.org/"/></svg><p>onclick=x</p>'
     "<noscript>&lt;img onerror=x&gt;</noscript>", []),
]


@pytest.mark.parametrize(("body", "expected"), [g[1:] for g in BROWSER_GATE],
                         ids=[g[0] for g in BROWSER_GATE])
def test_gate_parses_as_a_browser(body: str, expected: list[str]) -> None:
    page = f"<html><head>{SAFE_HEAD}</head><body>\n{body}\n</body></html>"
    assert [str(f) for f in scan_page(page, "papers/x/index.html", POLICY)] == expected


def test_an_xml_document_s_prefixed_script_is_found() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
           "<h:script>alert(1)</h:script></svg>")
    assert [f.what for f in scan_page(svg, "a.svg", POLICY)] == ["script that is not the theme's"]


SEPARATORS = st.sampled_from([" ", "\t", "\n", "\f", "/", " / ", "\r\n"])
QUOTES = st.sampled_from(['"', "'", ""])
WRAPPERS = st.sampled_from([
    "{}", "<small>\"><noscript><p title=\"</noscript>{}\"></small>", "<!-- --!>{} -->",
    "<svg><style>{}</style></svg>", "<math><mtext>{}</mtext></math>",
    '<div><template shadowrootmode="open">{}</template></div>', "<table><td>{}</table>",
    "<select><option>{}</option></select>", "<p title='</p>'>{}</p>",
])
JAVASCRIPT = st.sampled_from([
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "&#106;avascript:alert(1)", "&#x6A;avascript&colon;alert(1)",
    "javascript&#58;alert(1)", "\x01javascript:alert(1)", "javascript&Tab;:alert(1)",
])


@settings(max_examples=400, deadline=None)
@given(wrapper=WRAPPERS, sep=SEPARATORS, quote=QUOTES,
       event=st.sampled_from(["error", "ERROR", "Load", "mouseover", "focus", "toggle"]),
       eq=st.sampled_from(["=", " = ", "\t=\n"]))
def test_a_handler_is_found_in_every_browser_context(wrapper: str, sep: str, quote: str,
                                                     event: str, eq: str) -> None:
    payload = f"<img src=\"x\"{sep}on{event}{eq}{quote}alert(1){quote}>"
    page = f"<html><head>{SAFE_HEAD}</head><body>\n{wrapper.format(payload)}\n</body></html>"
    found = [f.what for f in scan_page(page, "papers/x/index.html", POLICY)]
    assert f"event handler attribute 'on{event.lower()}'" in found, page


@settings(max_examples=400, deadline=None)
@given(wrapper=WRAPPERS, quote=QUOTES, url=JAVASCRIPT, where=st.sampled_from([
    "<a href={q}{u}{q}>x</a>", "<iframe src={q}{u}{q}></iframe>", "<form action={q}{u}{q}>",
    "<button formaction={q}{u}{q}>b</button>", "<svg><a xlink:href={q}{u}{q}><text>x</text>",
    "<svg><a><animate attributeName=href values={q}https://a.org/;{u}{q} /></a></svg>",
    "<svg><a><set attributeName=xlink:href to={q}{u}{q} /></a></svg>",
    "<svg><a><animate attributeName=href from={q}{u}{q} /></a></svg>",
    "<object data={q}{u}{q}></object>", "<math><mi href={q}{u}{q}>x</mi></math>",
]))
def test_a_script_url_is_found_in_every_browser_context(wrapper: str, quote: str, url: str,
                                                        where: str) -> None:
    if quote == "" and (" " in url or "\n" in url or "\t" in url):
        url = url.replace(" ", "").replace("\n", "&#10;").replace("\t", "&#9;")
    payload = where.format(q=quote, u=url.replace(quote, "") if quote else url)
    page = f"<html><head>{SAFE_HEAD}</head><body>\n{wrapper.format(payload)}\n</body></html>"
    found = [f.what for f in scan_page(page, "papers/x/index.html", POLICY)]
    assert any(w.startswith("javascript: URL") for w in found), page


# --- a refused build leaves nothing: the previous site stays, byte for byte -----------------

def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


def build_with(tool: str, root: Path, site: Path, *, quiet: bool = True
               ) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` or ``paperdigest build``, strict (``-q`` hides warnings from it)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    command = ([sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")]
               if tool == "mkdocs" else
               [sys.executable, "-m", "paperdigest", "-f", str(root / "mkdocs.yml"), "build"])
    return subprocess.run([*command, "--strict", *(["-q"] if quiet else []), "-d", str(site)],
                          capture_output=True, text=True, env=env, check=False, cwd=root)


REDIRECT_PAGE = page_with("template: redirect.html\nlocation: javascript:alert(document.domain)\n")
OVERRIDE = '\n{% block announce %}<div onmouseover="alert(1)">x</div>{% endblock %}\n'


@pytest.mark.slow
def test_a_refused_build_leaves_the_previous_site_untouched(project: Make) -> None:
    root = project({P: digest(added="2025-03-07")})
    site = root / "site"
    assert mkdocs_build(root, site).returncode == 0
    before = tree_bytes(site)
    main = root / "site_templates" / "overrides" / "main.html"
    template = main.read_text(encoding="utf-8")
    config = root / "mkdocs.yml"
    settings = config.read_text(encoding="utf-8")
    refusals: list[tuple[str, Callable[[], None], Callable[[], None], str]] = [
        ("check: a redirect page and a hostile file name",
         lambda: write_tree(root, {"content/pages/go.md": REDIRECT_PAGE,
                                   'content/papers/x" onmouseover="alert(1)" y=".md':
                                       digest("2503.05179")}),
         lambda: [p.unlink() for p in (root / "content/pages/go.md",
                                       root / 'content/papers/x" onmouseover="alert(1)" y=".md')],
         "3 problems in content:"),
        ("the gate: a template that adds a handler",
         lambda: main.write_text(template + OVERRIDE, encoding="utf-8"),
         lambda: main.write_text(template, encoding="utf-8"),
         "the built site contains executable code"),
        # A link in a page is the check's (same verdict); a nav entry is MkDocs' own warning.
        ("--strict: a nav entry to no page",
         lambda: config.write_text(settings.replace("  - このサイトについて: about.md",
                                                    "  - このサイトについて: about.md\n"
                                                    "  - x: missing.md"), encoding="utf-8"),
         lambda: config.write_text(settings, encoding="utf-8"),
         "in strict mode"),
    ]
    for what, break_it, mend_it, message in refusals:
        break_it()
        for tool in ("mkdocs", "paperdigest"):
            result = build_with(tool, root, site, quiet=message != "in strict mode")
            assert result.returncode != 0, (what, tool)
            output = result.stdout + result.stderr
            assert message in output and "Traceback" not in output, output
            assert tree_bytes(site) == before, (what, tool)
            assert leftovers(root) == [], (what, tool)
        mend_it()
    write_tree(root, {"content/papers/2503.05179.md": digest("2503.05179")})
    assert build_with("paperdigest", root, site).returncode == 0
    after = tree_bytes(site)
    assert "papers/2503.05179/index.html" in after and after != before
    assert leftovers(root) == []


@pytest.mark.slow
def test_a_first_build_that_is_refused_leaves_no_site(project: Make) -> None:
    root = project({P: digest()})
    main = root / "site_templates" / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + OVERRIDE, encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0 and "executable code" in result.stderr
    assert not (root / "site").exists() and leftovers(root) == []


HOSTILE_PAGES_OF_SIZE: dict[str, Callable[[int], str]] = {
    "handlers": lambda n: "<img src=x onerror=a()>\n" * n,
    "distinct scripts": lambda n: "".join(f"<script>alert({i})</script>\n" for i in range(n)),
    "one long line": lambda n: "<b onclick=x>y</b>" * n,
    "nested noscript": lambda n: "<noscript>" * n + "<img src=x onerror=a()>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES_OF_SIZE))
def test_the_gate_is_linear_in_a_hostile_page(name: str) -> None:
    grow = HOSTILE_PAGES_OF_SIZE[name]
    assert_linear(lambda n: scan_page(grow(n), "a/index.html", POLICY), 500, label=name)


# --- the swap itself -------------------------------------------------------------------------

def test_a_passed_build_replaces_the_site_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"site/old.html": "old", "site/keep/x.css": "x"})
    staged = Staged(tmp_path / "site", strict=False)
    write_tree(staged.folder, {"index.html": "new", "a/b.html": "b"})
    assert staged.publish() == (tmp_path / "site").resolve()
    assert tree_bytes(tmp_path / "site") == {"a/b.html": b"b", "index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_discarded_build_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    write_tree(tmp_path, {"site/old.html": "old"})
    staged = Staged(tmp_path / "site", strict=False)
    write_tree(staged.folder, {"index.html": "<img src=x onerror=alert(1)>"})
    staged.discard()
    assert tree_bytes(tmp_path / "site") == {"old.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_site_folder_that_cannot_be_renamed_gets_its_contents_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"site/old.html": "old", "site/sub/y.html": "y"})
    target = (tmp_path / "site").resolve()
    rename = os.rename

    def busy(src: str | Path, dst: str | Path) -> None:
        if Path(src) == target:
            raise OSError(16, "Device or resource busy")  # a mount point
        rename(src, dst)

    monkeypatch.setattr(os, "rename", busy)
    staged = Staged(tmp_path / "site", strict=False)
    write_tree(staged.folder, {"index.html": "new", "sub/z.html": "z"})
    staged.publish()
    assert tree_bytes(tmp_path / "site") == {"index.html": b"new", "sub/z.html": b"z"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_symlinked_site_folder_stays_a_link_to_the_new_site(tmp_path: Path) -> None:
    write_tree(tmp_path, {"www/old.html": "old"})
    (tmp_path / "site").symlink_to(tmp_path / "www")
    staged = Staged(tmp_path / "site", strict=False)
    write_tree(staged.folder, {"index.html": "new"})
    staged.publish()
    assert (tmp_path / "site").is_symlink()
    assert tree_bytes(tmp_path / "site") == {"index.html": b"new"}


def test_no_folder_beside_the_site_is_said_plainly(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(**_kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(PaperdigestError) as error:
        Staged(tmp_path / "site", strict=False)
    assert str(error.value) == (
        f"paperdigest: cannot create the build folder beside {(tmp_path / 'site').resolve()} "
        f"(Permission denied): make {tmp_path.resolve()} writable, or build elsewhere with -d DIR")


# --- what MkDocs reads as settings is what check reads --------------------------------------

META_HEADS = [
    ("settings without fences",
     'description: x" onload="alert(1)\ntemplate: redirect.html\nlocation: javascript:alert(1)\n'
     "\n# About\n",
     [f"{PG}:1: description: 'x\" onload=\"alert(1)' contains '\"': {FIX_PRINTED}",
      f"{PG}:2: template: 'redirect.html' is not a page template: use main.html, or remove "
      "the line",
      f"{PG}:3: location: hand-written pages cannot redirect (the theme prints the address "
      "into a script): remove it and link to the page instead"]),
    ("a setting continued on the next line", "Subtitle: a\n    \"b\n\n# About\n",
     [f"{PG}:1: subtitle: 'a \"b' contains '\"': {FIX_PRINTED}"]),
    ("a first line MkDocs swallows", "Note: this page is new\n\n# About\n",
     [f"{PG}:1: note: MkDocs reads 'key: value' lines at the top of a page as its settings, and "
      "this is none: start the page with a heading or a blank line"]),
    ("front matter with old Mac line ends",
     '---\rdescription: "x\\" onload=\\"alert(1)"\r---\r\r# About\r',
     [f"{PG}:2: description: 'x\" onload=\"alert(1)' contains '\"': {FIX_PRINTED}"]),
    ("front matter closed by ...", "---\nsubtitle: '<b>'\n...\n\n# About\n",
     [f"{PG}:2: subtitle: '<b>' contains '<': {FIX_PRINTED}"]),
    ("a heading first", "# About\n\nlocation: javascript:alert(1)\n", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in META_HEADS],
                         ids=[c[0] for c in META_HEADS])
def test_settings_mkdocs_reads_without_front_matter_are_checked(tmp_path: Path, text: str,
                                                                 expected: list[str]) -> None:
    write_tree(tmp_path, {PG: text, P: digest()})
    _, problems = check_content(tmp_path / "content", root=tmp_path,
                                pages_dir=tmp_path / "content/pages")
    assert [str(p) for p in without_added(problems)] == expected


HEAD_LINES = st.lists(st.sampled_from([
    "title: A", "Subtitle: b c", "  author: x", "   icon: y", "    more text", "\tmore",
    "x-y_z: 1", "bad key: 2", "# Heading", "", " ", "http://example.org/", "a:", "A: : b",
    "---", "text", "ＡＢ: c",
]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(HEAD_LINES)
def test_check_reads_the_settings_mkdocs_reads(lines: list[str]) -> None:
    text = "\n".join([*lines, "", "# Page", "本文"])
    if text.startswith("---"):
        return  # YAML front matter: read by the YAML rules
    body, theirs = mkdocs_meta.get_data(text)
    ours, _lines, used = pages.multimarkdown_meta(text)
    assert ours == theirs
    blank = re.compile(r"^(?:[ \t]*\n)*")  # the body is checked; blank lines carry nothing
    assert blank.sub("", "\n".join(text.split("\n")[used:])) == blank.sub("", body)


@pytest.mark.slow
def test_a_warning_before_the_build_folder_exists_still_refuses_it(project: Make) -> None:
    """--strict counts every warning of the build, those logged before the plugin set up
    its folder too (another plugin's on_config, say): such a build is never swapped in."""
    root = project({P: digest(added="2025-03-07")})
    site = root / "site"
    assert mkdocs_build(root, site).returncode == 0
    before = tree_bytes(site)
    new_page = digest("2503.05179", added="2025-03-07")
    write_tree(root, {"content/papers/2503.05179.md": new_page})
    real = check_content

    def warned(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("mkdocs.plugins.other").warning("a warning before ours")
        return real(*args, **kwargs)

    # MkDocs drops a message it logged before in this process: the run starts afresh.
    for filt in logging.getLogger("mkdocs.commands.build").filters:
        getattr(filt, "msgs", set()).clear()
    logger = logging.getLogger("mkdocs")
    level = logger.level  # an earlier `mkdocs build -q` in this process set it to ERROR
    logger.setLevel(logging.INFO)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("paperdigest.site.outputs.check_content", warned)
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True)
        try:
            with pytest.raises(Abort, match="in strict mode"):
                build_site(config)
        finally:
            logger.setLevel(level)
    assert tree_bytes(site) == before and leftovers(root) == []


def test_an_xml_document_s_own_entities_are_found() -> None:
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)'
           '&#60;/script&#62;">]>\n<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>')
    assert [str(f) for f in scan_page(svg, "a.svg", POLICY)] == [
        "a.svg:2: an XML entity declaration (it can expand into markup): <!ENTITY x "
        '"&#60;script&#62;alert(1)&#60;/script&#62;">]> <svg xmlns="http://www.w3.org/2000/svg">'
        "&x;</svg>"]
    assert scan_page(svg, "a.html", POLICY) == []  # an HTML parser expands no entities


# --- the screen only ever lets through what no parse can make hostile ----------------------

PIECES = [
    SAFE_HEAD, "<p>本文 onclick と javascript: は文字</p>", '<a href="https://example.org/?a=1&b=2">x</a>',
    '<a href="../x/">x</a>', '<a href="#s">x</a>', '<img src="a.png" alt="a">', NOSCRIPT, SVG_LINK,
    '<a href="javascript:alert(1)">x</a>', '<a href=" javascript:x">', "<a href=&#106;avascript:x>",
    "<img src=x onerror=alert(1)>", "<img src=x\fonerror=alert(1)>", '<img src="x"onerror=y>',
    "<svg/onload=alert(1)>", "<!-- --!><img src=x onerror=alert(1)> -->",
    '<script src="../../assets/javascripts/x.js" onload="alert(1)"></script>',
    '<script src="../../assets/javascripts/x.js">alert(1)</script>',
    "<script>var ok=1;</scriptx>alert(1)</script>", "<SCRIPT>alert(1)</SCRIPT>",
    "<p title='<script src=\"../../assets/javascripts/x.js\">'><img src=x onerror=y></p></script>",
    '<script>var ok=1;__md_scope=new URL("../..",location)</script>',
    '<script type="application/json">{"a": 1}</script>', '<script type=module>x</script>',
    "<iframe srcdoc='x'>", '<meta http-equiv="refresh" content="0">', "<base href=/>",
    '<img srcset="a.png 1x, javascript:x 2x">', "<math><mi href=javascript:x>",
    '<div><template shadowrootmode="open"><img src=x onerror=a()></template></div>',
    "<noscript><meta http-equiv=refresh content=0></noscript>", "\r\n", "<", "'", '"',
]
GARBAGE = st.one_of(
    st.text(st.sampled_from(list("<>/\"'= \t\n\r\f&#;:oneriscptahfvjx-!")), max_size=40),
    st.lists(st.sampled_from([
        "<", ">", "/", '"', "'", "=", " ", "\t", "\n", "\f", "&", "#", ";", ":", "on", "ON",
        "load", "error", "script", "SCRIPT", "src", "href", "javascript", "svg", "animate", "set",
        "values", "a", "img", "!--", "--", "noscript", "template", "style", "math", "&#106;",
        "&colon;", "../../assets/javascripts/x.js", "var ok=1;", "application/json", "type"]),
        max_size=30).map("".join),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), GARBAGE), max_size=8))
def test_the_screen_passes_only_pages_no_parse_finds_anything_in(parts: list[str]) -> None:
    page = "".join(parts)
    if scan_page(page, "papers/x/index.html", POLICY) == []:
        assert scan_page(page, "papers/x/index.html", POLICY, screen=False) == [], page


def test_the_screen_passes_the_pages_a_build_writes(tmp_path: Path) -> None:
    """Not a soundness test: the shortcut must actually be taken on real pages."""
    page = (f"<!doctype html><html><head>{SAFE_HEAD}</head><body>"
            '<a href="../../tags/llm/">LLM</a><p>x<sub>2</sub> と p &lt; 0.05</p></body></html>')
    assert gate_module._certainly_clean(page.lower(), "papers/x/index.html", POLICY)
