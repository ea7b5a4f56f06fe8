"""Which ``<script>`` elements are the theme's: the post-build gate's script policy.

A theme script is one whose ``src`` is Material's bundle folder or an ``extra_javascript``
entry, a JSON data block (``application/json`` or ``application/ld+json`` whose text parses
as JSON), or an inline script whose text matches a ``<script>`` block of the theme's own
templates (read from the installed theme, so a Material upgrade needs no change here).
Template expressions inside those blocks may only expand to URL-like text, so content
cannot smuggle code through them.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

_DATA_TYPES = frozenset({"application/json", "application/ld+json"})
"""Script types a browser never runs: data blocks such as Material's ``#__config``."""
_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)


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
