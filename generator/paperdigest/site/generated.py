"""The generator's output, kept by a digest of everything it reads.

When anything changed, the pages are rendered again, except paper pages whose own slice of
the site did not change (``render.Renderer``): they come from the same store, one entry each.

``render_site`` and ``render_files`` are pure: their pages, feeds and ``papers.json`` are a
function of the site as loaded (every paper, author and tag, with their ``added:`` dates),
the project's settings, the page templates and paperdigest's code. ``generate`` keys the
output by a hash of all of them and takes it from the signed cache when an earlier build
rendered the same inputs; within one process the last result is reused too (the link check
and the build render the same site). A damaged, foreign or unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib

from ..content.model import Site
from ..project import Project
from .cachestore import Store
from .fingerprint import code_fingerprint, theme_fingerprint, value_bytes
from .render import render_files, render_site

FORMAT = b"1"
Output = tuple[dict[str, str], dict[str, str | bytes]]


def inputs_digest(site: Site, project: Project) -> str:
    """A hash of everything ``render_site`` and ``render_files`` read."""
    digest = hashlib.sha256(FORMAT + b"\x00" + code_fingerprint().encode())
    digest.update(theme_fingerprint([], [project.templates_dir]).encode())
    digest.update(value_bytes((site.papers, site.authors, site.tags, project)))
    return digest.hexdigest()


_LAST: tuple[str, Output] | None = None
"""This process's last output, by its inputs' digest."""


def generate(site: Site, project: Project, store: Store | None = None,
             used: set[str] | None = None, *, keep_whole: bool = True,
             memo: dict[str, str] | None = None) -> Output:
    """``(render_site(...), render_files(...))``, rendered only when no earlier build with
    the same inputs left its output in ``store`` (or in this process); the key is added to
    ``used`` (the entries a build keeps). ``keep_whole=False`` (a preview, where every save
    has new inputs) stores the paper pages but not the whole output, and keeps the paper
    pages in ``memo`` between saves (only those of the last render stay).

    Raises:
        RenderError: a template failed.
    """
    global _LAST
    try:
        key = inputs_digest(site, project)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return render_site(site, project), render_files(site, project)
    if used is not None:
        used.add(key)
    if _LAST is not None and _LAST[0] == key:
        return _copy(_LAST[1])
    found = _load(store, key) if store is not None else None
    if found is None:
        kept = _Kept(store, used, memo) if store is not None else None
        found = render_site(site, project, kept=kept), render_files(site, project)
        if memo is not None and kept is not None:
            for stale in set(memo) - kept.used:
                del memo[stale]
        if store is not None and keep_whole:
            store.store(key, zlib.compress(pickle.dumps(found, pickle.HIGHEST_PROTOCOL), 1))
    _LAST = key, found
    return _copy(found)


def _copy(output: Output) -> Output:
    """Callers may change their dictionaries; the kept output stays as rendered."""
    return dict(output[0]), dict(output[1])


def _load(store: Store, key: str) -> Output | None:
    body = store.load(key)
    if body is None:
        return None
    try:  # signed by this machine (cachestore); its shape is checked all the same
        pages, files = pickle.loads(zlib.decompress(body))
    except Exception:
        return None
    if not (isinstance(pages, dict) and isinstance(files, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in pages.items())
            and all(isinstance(k, str) and isinstance(v, (str, bytes))
                    for k, v in files.items())):
        return None
    return pages, files


class _Kept:
    """The store as the renderer's kept pages (``render.Kept``), noting the keys used; with
    ``memo`` (a preview), the pages read are kept in memory for the next save too."""

    def __init__(self, store: Store, used: set[str] | None,
                 memo: dict[str, str] | None = None) -> None:
        self.store = store
        self.used = used if used is not None else set()
        self.memo = memo

    def get(self, key: str) -> str | None:
        if self.memo is not None and key in self.memo:
            self.used.add(key)
            return self.memo[key]
        body = self.store.load(key)
        if body is None:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        self.used.add(key)
        if self.memo is not None:
            self.memo[key] = text
        return text

    def put(self, key: str, text: str) -> None:
        self.used.add(key)
        if self.memo is not None:
            self.memo[key] = text
        self.store.store(key, text.encode("utf-8"))
