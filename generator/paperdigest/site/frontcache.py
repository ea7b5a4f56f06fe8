"""Front matter parsed once: MkDocs parses every page's YAML front matter on every build,
and a generated paper page carries its citation and share data there (about a millisecond a
page, a tenth of a warm build).

``FrontMatter`` keeps each front matter's parsed value by a hash of its text, in the signed
cache, and gives every page its own copy. The parse is MkDocs' own (``meta.get_data``):
the same regular expression, loader and outcome — a value that is not a mapping, or YAML
that does not parse, leaves the page's text whole and its meta empty, as MkDocs does. Only
when no other plugin supplies page sources (``on_page_read_source``).
"""

from __future__ import annotations

import hashlib
import pickle
from typing import TYPE_CHECKING, Any

import yaml
from mkdocs.utils import meta

from .cachestore import Store
from .fingerprint import code_fingerprint

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

_LOADER = getattr(meta, "SafeLoader")  # noqa: B009  # the loader MkDocs chose (C when built)
_NOT_A_MAPPING = b"-"
"""Stored for front matter MkDocs ignores: not a mapping, or not YAML."""


class FrontMatter:
    """One build's front matter cache (entries read from and written to one store entry)."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.key = hashlib.sha256(f"front matter\x00{code_fingerprint()}".encode()).hexdigest()
        self.known: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.hits = 0
        body = store.load(self.key) if store is not None else None
        try:  # signed by this machine's builds (cachestore)
            found = pickle.loads(body) if body is not None else {}
        except Exception:
            found = {}
        if isinstance(found, dict):
            self.known = {k: v for k, v in found.items()
                          if isinstance(k, str) and isinstance(v, bytes)}

    def wrap(self, page: Page) -> None:
        """Make ``page.read_source`` parse its front matter through the cache."""
        original = page.read_source

        def read_source(config: MkDocsConfig) -> None:
            try:
                source = page.file.content_string
            except (OSError, ValueError):
                original(config)  # MkDocs reports it, as it would have
                return
            page.markdown, page.meta = self.get_data(source)

        page.read_source = read_source  # type: ignore[method-assign]

    def get_data(self, doc: str) -> tuple[str, dict[str, Any]]:
        """``meta.get_data(doc)``, with the YAML parsed once per distinct text."""
        found = meta.YAML_RE.match(doc)
        if not found:
            return meta.get_data(doc)
        digest = hashlib.sha256(found.group(1).encode("utf-8", "surrogatepass")).hexdigest()
        blob = self.used.get(digest) or self.known.get(digest)
        data: Any = None
        if blob is not None:
            try:
                data = None if blob == _NOT_A_MAPPING else pickle.loads(blob)
                self.hits += 1
            except Exception:
                blob = None
        if blob is None:
            try:
                data = yaml.load(found.group(1), _LOADER)
            except Exception:
                data = None
            if not isinstance(data, dict):
                data = None
            try:
                blob = _NOT_A_MAPPING if data is None else pickle.dumps(data)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                blob = None
        if blob is not None:
            self.used[digest] = blob
        if not isinstance(data, dict):
            return doc, {}
        return doc[found.end():].lstrip("\n"), data

    def save(self) -> None:
        """Keep the front matter this build read (what it did not read is dropped)."""
        if self.store is not None and self.used != self.known:
            self.store.store(self.key, pickle.dumps(self.used))


def reads_sources_itself(config: MkDocsConfig, own: object) -> bool:
    """Whether a plugin other than ``own`` supplies page sources."""
    return any(getattr(m, "__self__", None) is not own
               for m in config.plugins.events["page_read_source"])
