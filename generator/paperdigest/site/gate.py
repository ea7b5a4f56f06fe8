"""The post-build gate: nothing executable reaches readers, whatever produced it.

``scan_site`` reads every file of the built site that a browser may render as a document
(``.html``, ``.htm``, ``.xhtml``, ``.svg``, and ``.xml`` with a stylesheet), theme included,
and reports any ``on…=`` handler attribute, any ``javascript:``, ``vbscript:`` or ``data:``
URL in a URL attribute, ``srcdoc``, ``<base>``, any ``<meta http-equiv>``, and any
``<script>`` that is not the theme's. A theme script is one whose ``src`` is Material's
bundle folder or an ``extra_javascript`` entry, a JSON data block (``application/json`` or
``application/ld+json`` whose text parses as JSON), or an inline script whose
text matches a ``<script>`` block of the theme's own templates (read from the installed
theme, so a Material upgrade needs no change here). Template expressions inside those blocks
may only expand to URL-like text, so content cannot smuggle code through them.
``changed_theme_assets`` reports theme files in the output that differ from the installed
theme's own.

A page is first screened with a few fast searches; only a page that looks suspicious is
parsed in full, which keeps the gate cheap on large sites.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from ..content.safety import url_scheme

URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "xlink:href",
                            "poster", "background", "data"})
"""Attributes whose value a browser follows or loads as a URL."""
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_DATA_TYPES = frozenset({"application/json", "application/ld+json"})
"""Script types a browser never runs: data blocks such as Material's ``#__config``."""
_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)
# Fast screening (on the lower-cased page): anything that might be a finding.
_FAST_SCRIPT = re.compile(r"<script[\s/>]")
_FAST_HANDLER = re.compile(r"on[a-z]+\s*=")  # literal prefix: fast; the char before is checked
_FAST_URL = re.compile(
    r"(?:href|src|srcset|action|poster|background|data)\s*=\s*[\"']?"
    r"(?!https?://|mailto:|\.{0,2}/|#)[^\"'\s>/?#]*[:&\s\x00-\x1f]"
)
_FAST_OTHER = ("srcdoc", "http-equiv", "<base")
_BEFORE_ATTRIBUTE = frozenset(" \t\n\r\f/\"'")
_SCRIPT_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


@dataclass(frozen=True)
class Finding:
    """Something executable found in a built page."""

    path: str
    """The page, relative to the site folder."""
    line: int
    what: str
    snippet: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.snippet}"


@dataclass(frozen=True)
class ScriptPolicy:
    """Which ``<script>`` elements are the theme's."""

    files: frozenset[str]
    """Site-relative paths of allowed script files (``extra_javascript``)."""
    folders: tuple[str, ...] = ("assets/javascripts/",)
    """Site-relative folders whose scripts are allowed (Material's bundle and workers)."""
    external: frozenset[str] = frozenset()
    """Absolute script URLs named in ``extra_javascript``."""
    inline: tuple[re.Pattern[str], ...] = ()
    """Inline scripts of the theme's templates, as patterns."""
    base_path: str = "/"
    """Path of the site URL: root-relative script sources start with it."""

    def allows_src(self, src: str, page: str) -> bool:
        parts = urlsplit(src.strip())
        if parts.scheme or parts.netloc:
            return src.strip() in self.external
        if parts.path.startswith("/"):
            base = self.base_path if self.base_path.endswith("/") else self.base_path + "/"
            if not parts.path.startswith(base):
                return False
            path = posixpath.normpath(parts.path[len(base):])
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
        if path.startswith("../"):
            return False
        return path in self.files or path.startswith(self.folders)

    def allows(self, attrs: dict[str, str | None], body: str, page: str) -> bool:
        src = attrs.get("src")
        if src is not None:
            return self.allows_src(src, page)
        if (attrs.get("type") or "").strip().lower() in _DATA_TYPES:
            return _data_block(attrs, body)
        return not attrs and _inline_allowed(self.inline, body)


_DATA_ATTRIBUTES = frozenset({"type", "id"})
_SCRIPT_STATE_CHANGERS = ("<!--", "<script", "</script")


def _data_block(attrs: dict[str, str | None], body: str) -> bool:
    """A JSON data block (Material's ``#__config``, a page's JSON-LD) and nothing else.

    Its text must parse as JSON, and hold no ``<!--`` or ``<script``: those switch the HTML
    tokenizer into states where the next ``</script>`` no longer ends the block, so what
    follows would be read differently by a browser than by this scanner.
    """
    if not set(attrs) <= _DATA_ATTRIBUTES:
        return False
    low = body.lower()
    if any(marker in low for marker in _SCRIPT_STATE_CHANGERS):
        return False
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=256)
def _inline_allowed(patterns: tuple[re.Pattern[str], ...], body: str) -> bool:
    """Cached: the same few theme scripts repeat on every page."""
    return any(p.fullmatch(body) for p in patterns)


def _inline_pattern(block: str) -> re.Pattern[str]:
    parts: list[str] = []
    for piece in _JINJA.split(block):
        if piece.startswith("{{"):
            parts.append(r"[\w./:%-]*")  # a URL or a path: never quotes, brackets or ';'
        elif piece.startswith(("{%", "{#")):
            continue
        else:
            parts.extend(r"\s*" if chunk.isspace() else re.escape(chunk)
                         for chunk in re.split(r"(\s+)", piece) if chunk)
    return re.compile(r"\s*" + "".join(parts) + r"\s*", re.IGNORECASE)


def theme_policy(theme_dirs: Iterable[str | Path], extra_javascript: Iterable[str],
                 site_url: str = "/") -> ScriptPolicy:
    """The script policy of a theme: its templates' inline scripts and its script files."""
    blocks: set[str] = set()
    for folder in theme_dirs:
        for parent, subdirs, names in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))  # .icons: SVGs
            for name in sorted(n for n in names if n.endswith(".html")):
                text = Path(parent, name).read_text(encoding="utf-8", errors="replace")
                blocks.update(m.group(1) for m in _TEMPLATE_SCRIPT.finditer(text))
    files, external = set(), set()
    for script in extra_javascript:
        if urlsplit(script).scheme or script.startswith("//"):
            external.add(script)
        else:
            files.add(posixpath.normpath(script.lstrip("/")))
    return ScriptPolicy(
        files=frozenset(files), external=frozenset(external),
        inline=tuple(_inline_pattern(b) for b in sorted(blocks)),
        base_path=urlsplit(site_url).path or "/",
    )


def _snippet(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Scanner(HTMLParser):
    """The full check of one page, with lines."""

    def __init__(self, page: str, policy: ScriptPolicy) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.policy = page, policy
        self.findings: list[Finding] = []
        self.script: tuple[dict[str, str | None], str, int, list[str]] | None = None

    def add(self, what: str, snippet: str) -> None:
        self.findings.append(Finding(self.page, self.getpos()[0], what, _snippet(snippet)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        source = self.get_starttag_text() or f"<{tag}>"
        for name, value in attrs:
            if name.startswith("on"):
                self.add(f"event handler attribute '{name}'", source)
            elif name == "srcdoc":
                self.add("srcdoc attribute (an inline document)", source)
            elif name in URL_ATTRIBUTES and value:
                urls = value.split(",") if name == "srcset" else [value]
                schemes = sorted(s for s in map(url_scheme, urls) if s in DANGEROUS_SCHEMES)
                if schemes:
                    self.add(f"{schemes[0]}: URL in '{name}'", source)
        a = dict(attrs)
        if tag == "meta" and "http-equiv" in a:
            # A refresh can navigate anywhere, a CSP or cookie header can break or track:
            # no page of this site needs one.
            self.add(f"<meta http-equiv=\"{a.get('http-equiv') or ''}\">", source)
        if tag == "base":
            self.add("<base> (it re-targets every relative link of the page)", source)
        if tag == "script":
            self.script = (a, source, self.getpos()[0], [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script[3].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            attrs, source, line, body = self.script
            text = "".join(body)
            if not self.policy.allows(attrs, text, self.page):
                self.findings.append(Finding(self.page, line, "script that is not the theme's",
                                             _snippet(source + text)))
            self.script = None


def _looks_clean(text: str, page: str, policy: ScriptPolicy) -> bool:
    """Fast screening: ``True`` only when the page certainly has no finding."""
    low = text.lower()
    rest: list[str] = []
    end = 0
    for m in _FAST_SCRIPT.finditer(low):
        if m.start() < end:
            return False  # "<script" inside a script: let the parser judge
        tag_end = low.find(">", m.start())
        close = low.find("</script", tag_end)
        if tag_end < 0 or close < 0:
            return False
        attrs = {a.group(1): next((g for g in a.groups()[1:] if g is not None), None)
                 for a in _SCRIPT_ATTR.finditer(low, m.start() + 7, tag_end)}
        if not policy.allows(attrs, low[tag_end + 1: close], page):
            return False
        rest.append(low[end: m.start()])
        end = close
    rest.append(low[end:])
    outside = "".join(rest)
    if any(outside[m.start() - 1: m.start()] in _BEFORE_ATTRIBUTE
           for m in _FAST_HANDLER.finditer(outside)):
        return False
    if _FAST_URL.search(outside):
        return False
    return not any(word in outside for word in _FAST_OTHER)


def scan_page(text: str, page: str, policy: ScriptPolicy) -> list[Finding]:
    """Findings in one page (``page``: its path relative to the site folder)."""
    if _looks_clean(text, page, policy):
        return []
    scanner = _Scanner(page, policy)
    scanner.feed(text)
    scanner.close()
    if scanner.script is not None:  # a script left open at the end of the file
        scanner.handle_endtag("script")
    return scanner.findings


DOCUMENTS = (".html", ".htm", ".xhtml", ".svg", ".svgz", ".xht", ".xml", ".xsl", ".xslt")
"""Suffixes of files a browser may render as a document (and so run script in)."""
_STYLESHEET_PI = re.compile(rb"<\?xml-stylesheet", re.IGNORECASE)


def documents(site_dir: Path) -> list[Path]:
    """Every file under ``site_dir`` a browser may render as a page, in path order.

    ``.xml`` counts only with an ``<?xml-stylesheet?>`` (a feed without one is data).
    """
    found = []
    for folder, _dirs, names in os.walk(site_dir):
        for name in names:
            if not name.lower().endswith(DOCUMENTS):
                continue
            path = Path(folder, name)
            if name.lower().endswith(".xml"):
                with path.open("rb") as fh:
                    if not _STYLESHEET_PI.search(fh.read(4096)):
                        continue
            found.append(path)
    return sorted(found)


def scan_site(site_dir: Path, policy: ScriptPolicy) -> list[Finding]:
    """Findings in every document under ``site_dir``, in path order."""
    findings: list[Finding] = []
    for path in documents(site_dir):
        page = path.relative_to(site_dir).as_posix()
        findings.extend(scan_page(path.read_text(encoding="utf-8", errors="replace"),
                                  page, policy))
    return findings


def changed_theme_assets(site_dir: Path, theme_dirs: Iterable[str | Path],
                         rendered: Iterable[str] = ()) -> list[Finding]:
    """Theme files (scripts, styles, images) in the output that differ from the installed
    theme's own: a file that takes the place of the theme's bundle runs on every page.

    ``rendered`` names the theme's static templates (``sitemap.xml``), which are rendered,
    not copied."""
    findings: list[Finding] = []
    seen: set[str] = set(rendered)
    for folder in theme_dirs:
        for parent, subdirs, names in os.walk(folder):
            subdirs[:] = [d for d in subdirs if not d.startswith((".", "__"))]
            for name in names:
                if name.endswith((".html", ".py", ".pyc", ".yml")) or name.startswith("."):
                    continue
                source = Path(parent, name)
                rel = source.relative_to(folder).as_posix()
                if rel in seen:
                    continue
                seen.add(rel)
                built = site_dir / rel
                if built.is_file() and built.read_bytes() != source.read_bytes():
                    findings.append(Finding(rel, 1, "differs from the installed theme's file",
                                            str(source)))
    return findings


def gate_message(findings: list[Finding], limit: int = 20) -> str:
    """The build error for ``findings``: what was found where, and what to do."""
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return ("paperdigest: the built site contains executable code that no page may carry "
            f"({len(findings)} finding{'s' if len(findings) != 1 else ''}):\n"
            + "\n".join(lines)
            + "\nFind the digest or template that produced it and remove the markup.")
