"""Site search with Pagefind, run on the built HTML after MkDocs has written it.

Material's lunr search ships one index of the whole site (about 24 KB per paper, all of it
downloaded when a reader opens search) and has open bugs with Japanese. Pagefind splits its
index into chunks and fetches only those a query needs; its ``extended`` build segments
Japanese. Only pages whose front matter sets ``pd_search`` (papers, first author pages) are
indexed: ``main.html`` wraps their content in ``data-pagefind-body``.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from ..errors import PaperdigestError
from .cachestore import Store
from .extras import SEARCH
from .fingerprint import code_fingerprint

BUNDLE_DIR = "pagefind"
"""Folder of the search bundle inside the built site."""
EXCLUDE_SELECTORS = (
    ".pd-card",  # listing cards on author pages repeat other pages' blurbs
    ".pd-blurb__actions",
    ".md-content__button",
    ".headerlink",
    ".pd-pager",
    # Button and navigation text ("arXiv PDF コード") would start every snippet.
    ".md-button",
    "button",
    "nav",
    # Code blocks and drawn formulas are full of one-letter words (z = layer(z), q(x)),
    # which Pagefind offers as the closest match for any word it does not know: a
    # nonsense query found them. A formula stays findable by its LaTeX (the annotation).
    ".highlight",
    "pre",
    "semantics > mrow",
)
_INSTALL = f"install it with: {SEARCH}"
log = get_plugin_logger(__name__)


class SearchIndexError(PaperdigestError):
    """Pagefind is missing or could not index the site."""


@dataclass(frozen=True)
class IndexReport:
    """What indexing wrote."""

    pages: int
    """Pages in the index."""
    files: int
    bytes: int
    """Total size of the bundle (index chunks, fragments, scripts, wasm)."""


def executable() -> Path:
    """The ``pagefind_extended`` binary of the ``pagefind[extended]`` wheel.

    Only the extended build segments Japanese, so the plain binary is not accepted.
    """
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SearchIndexError(f"paperdigest: search needs Pagefind's extended build; "
                               f"{_INSTALL} (or set search: none for the paperdigest "
                               "plugin in mkdocs.yml)") from exc
    path: Path = get_executable()
    return path


TIMEOUT = 1800.0
"""Seconds Pagefind may take (10,000 papers index in a few minutes); then it is stopped."""


def _die_with_parent() -> None:
    """In the child, before Pagefind starts: be killed when the build process dies.

    ``subprocess.run`` kills the child on an exception (Ctrl-C), but not when the build is
    killed outright (CI cancelling a job, the OOM killer); Linux can tie the two together.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the exception path above still holds
        pass


_PR_SET_PDEATHSIG = 1


def build_index(site_dir: Path, binary: Path | None = None, *, timeout: float = TIMEOUT,
                on_start: Callable[[subprocess.Popen[str]], None] | None = None
                ) -> IndexReport:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind``.

    ``on_start`` is given the running Pagefind (a preview stops it when the site it is
    indexing is about to be rebuilt).
    """
    command = [
        str(binary or executable()), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
        "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS),
    ]
    linux = sys.platform.startswith("linux")
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, preexec_fn=_die_with_parent if linux else None)
    except OSError as exc:
        raise SearchIndexError(f"paperdigest: could not run {command[0]}: {exc}; "
                               f"{_INSTALL}") from exc
    with proc:
        if on_start is not None:
            on_start(proc)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise SearchIndexError(f"paperdigest: Pagefind did not finish indexing {site_dir} "
                                   f"in {timeout:g} s and was stopped: build again, or set "
                                   "search: none for the paperdigest plugin in mkdocs.yml"
                                   ) from exc
        except BaseException:  # Ctrl-C: Pagefind does not outlive the build
            proc.kill()
            proc.wait()
            raise
    if proc.returncode != 0:
        details = (stderr or stdout).strip()
        raise SearchIndexError(f"paperdigest: Pagefind failed to index {site_dir} "
                               f"(exit {proc.returncode}):\n{details}")
    return report(site_dir / BUNDLE_DIR, _indexed_pages(stdout))


def _indexed_pages(log: str) -> int:
    # Pagefind prints "Indexed N pages" in its summary.
    for line in log.splitlines():
        words = line.strip().split()
        if len(words) == 3 and words[0] == "Indexed" and words[2] in ("page", "pages"):
            return int(words[1])
    return 0


def report(bundle: Path, pages: int = 0) -> IndexReport:
    """Size of a search bundle already written."""
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return IndexReport(pages=pages, files=len(files), bytes=sum(p.stat().st_size for p in files))


# --- reuse ------------------------------------------------------------------------------------
BUNDLE_LIMIT = 1024 * 1024 * 1024
"""Largest bundle kept in the cache (bytes); a bigger one is indexed on every build."""


def inputs_key(html_hashes: Mapping[str, str], marked: set[str] | None = None) -> str:
    """What the bundle depends on: the bytes of the pages Pagefind reads (those marked for
    search, ``marked``, when there are any; else every page), the selectors, the versions."""
    pages = sorted((path, digest) for path, digest in html_hashes.items()
                   if path.endswith(".html") and not path.startswith(BUNDLE_DIR + "/")
                   and (not marked or path in marked))
    text = json.dumps([code_fingerprint(), EXCLUDE_SELECTORS, pages])
    return hashlib.sha256(text.encode()).hexdigest()


def _pack(bundle: Path, pages: int) -> bytes:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    blobs = [p.read_bytes() for p in files]
    index = {"pages": pages,
             "files": [[p.relative_to(bundle).as_posix(), len(b)] for p, b in zip(files, blobs,
                                                                                   strict=True)]}
    return json.dumps(index).encode() + b"\n" + b"".join(blobs)


def _unpack(body: bytes, bundle: Path) -> int | None:
    """Write a packed bundle into ``bundle``; its page count, or ``None`` if malformed."""
    head, _, data = body.partition(b"\n")
    try:
        index = json.loads(head)
        files = [(str(rel), int(size)) for rel, size in index["files"]]
        pages = int(index["pages"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if sum(size for _, size in files) != len(data) or any(
            size < 0 or rel.startswith("/") or ".." in rel.split("/") or "\\" in rel
            for rel, size in files):
        return None
    offset = 0
    for rel, size in files:
        target = bundle / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[offset:offset + size])
        offset += size
    return pages


def keep_bundle(store: Store | None, key: str, site_dir: Path, pages: int) -> None:
    """Store the bundle in ``site_dir`` under ``key`` for later builds."""
    if store is not None:
        store.store(key, _pack(site_dir / BUNDLE_DIR, pages))


def build_index_cached(site_dir: Path, store: Store | None, html_hashes: Mapping[str, str],
                       binary: Path | None = None, *, marked: set[str] | None = None,
                       on_start: Callable[[subprocess.Popen[str]], None] | None = None
                       ) -> tuple[IndexReport, bool]:
    """``build_index``, or the bundle of an earlier build whose pages were the same bytes
    (``marked``: the pages marked for search, see ``inputs_key``).

    Returns the report and whether the bundle came from the cache.
    """
    key = inputs_key(html_hashes, marked)
    body = store.load(key) if store is not None else None
    if body is not None:
        pages = _unpack(body, site_dir / BUNDLE_DIR)
        if pages is not None:
            return report(site_dir / BUNDLE_DIR, pages), True
        shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
    done = build_index(site_dir, binary, on_start=on_start)
    keep_bundle(store, key, site_dir, done.pages)
    return done, False


# --- in the build --------------------------------------------------------------------------
def index_site(site_dir: Path, bundles: Store | None, html_hashes: dict[str, str],
               marked: set[str]) -> None:
    done, reused = build_index_cached(site_dir, bundles, html_hashes, marked=marked)
    log.info(f"search: {done.pages} pages indexed, {done.bytes:,} bytes in {done.files} files"
             + (" (unchanged pages: the last index)" if reused else ""))


class Background(threading.Thread):
    """Pagefind in a thread of the build, stopped (its process killed) on demand."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.proc: subprocess.Popen[str] | None = None
        self.stopped = threading.Event()

    def _on_start(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        if self.stopped.is_set():
            proc.kill()

    def stop(self) -> None:
        self.stopped.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.is_alive():
            self.join()


class Indexing(Background):
    """Pagefind for a preview, in the background: the page is served before search."""

    def __init__(self, site_dir: Path, bundles: Store | None, html_hashes: dict[str, str],
                 marked: set[str]) -> None:
        super().__init__()
        self.args = (site_dir, bundles, html_hashes, marked)

    def run(self) -> None:
        site_dir, bundles, html_hashes, marked = self.args
        try:
            done, reused = build_index_cached(site_dir, bundles, html_hashes, marked=marked,
                                              on_start=self._on_start)
        except Exception as exc:  # a background thread: a message, never a traceback
            if not self.stopped.is_set():  # the next save indexes again
                log.warning(f"search: the preview's index was not updated: {exc}")
            return
        log.info(f"search: {done.pages} pages indexed, {done.bytes:,} bytes in "
                 f"{done.files} files" + (" (unchanged pages: the last index)" if reused
                                          else ""))
