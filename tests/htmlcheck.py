"""Reading built HTML in tests: links, text of elements, with the standard library only."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src") or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "meta" and (a.get("property") or a.get("name")) and a.get("content") is not None:
            self.meta[a.get("property") or a.get("name") or ""] = a["content"] or ""


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def broken_links(site: Path) -> list[str]:
    """Internal links of every page that point at no file of the built site."""
    broken: list[str] = []
    for page in sorted(site.rglob("*.html")):
        here = page.relative_to(site).as_posix()
        for href in parse(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("#", "mailto:")) or not parts.path:
                continue
            path_part = unquote(parts.path)
            # Site-absolute links (the 404 page uses them) start at the site root.
            base = "" if path_part.startswith("/") else posixpath.dirname(here)
            joined = posixpath.join(base, path_part.lstrip("/"))
            target = posixpath.normpath(joined)
            path = site / target
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{here} -> {href}")
    return broken
