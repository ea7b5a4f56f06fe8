"""Site search with Pagefind, run on the built HTML after MkDocs has written it.

Material's lunr search ships one index of the whole site (about 24 KB per paper, all of it
downloaded when a reader opens search) and has open bugs with Japanese. Pagefind splits its
index into chunks and fetches only those a query needs; its ``extended`` build segments
Japanese. Only pages whose front matter sets ``pd_search`` (papers, first author pages) are
indexed: ``main.html`` wraps their content in ``data-pagefind-body``.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import PaperdigestError
from .extras import SEARCH

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


def build_index(site_dir: Path, binary: Path | None = None, *,
                timeout: float = TIMEOUT) -> IndexReport:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind``."""
    command = [
        str(binary or executable()), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
        "--exclude-selectors", ", ".join(EXCLUDE_SELECTORS),
    ]
    linux = sys.platform.startswith("linux")
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                timeout=timeout, preexec_fn=_die_with_parent if linux else None)
    except subprocess.TimeoutExpired as exc:  # run() has killed and reaped the child
        raise SearchIndexError(f"paperdigest: Pagefind did not finish indexing {site_dir} in "
                               f"{timeout:g} s and was stopped: build again, or set search: "
                               "none for the paperdigest plugin in mkdocs.yml") from exc
    except OSError as exc:
        raise SearchIndexError(f"paperdigest: could not run {command[0]}: {exc}; "
                               f"{_INSTALL}") from exc
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"paperdigest: Pagefind failed to index {site_dir} "
                               f"(exit {result.returncode}):\n{details}")
    return report(site_dir / BUNDLE_DIR, _indexed_pages(result.stdout))


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
