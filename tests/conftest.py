"""Shared fixtures: small content trees in tmp_path, real MkDocs builds, golden files."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

T = TypeVar("T")

SITE_URL = "https://digests.paperdigest.dev/"
"""``site_url`` of the projects the ``project`` fixture makes."""

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# The fixtures under tests/data sit in this repository, whose history would date their
# digests (date added); git stops looking for a repository above tests/data.
os.environ["GIT_CEILING_DIRECTORIES"] = str(DATA)
# The render cache signs its entries with a per-user secret: tests keep theirs in a folder of
# their own, never in the user's cache folder.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="paperdigest-test-cache-")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite the expected files of golden tests.")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def move_content(root: Path, folder: str = "digests") -> None:
    """Move a project's content to ``folder`` and say so in its mkdocs.yml (``content_dir``)."""
    (root / "content").rename(root / folder)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "docs_dir: content/pages", f"docs_dir: {folder}/pages").replace(
        "  - paperdigest\n", f"  - paperdigest:\n      content_dir: {folder}\n"),
        encoding="utf-8")


ADDED_WARNING = ": warning: added: is missing"
"""How the date-added warning starts (test_added.py tests it): a fixture without git history
and without ``added:`` gets it for each digest."""


def without_added(items: Iterable[T]) -> list[T]:
    """``items`` (problems, or lines of ``check``) without the date-added warning, for tests of
    other rules."""
    return [item for item in items if ADDED_WARNING not in str(item)]


SECTIONS = """\
## 1. 既存研究では何ができなかったのか

既存手法は再学習が必要だった。

## 2. どのようなアプローチでそれを解決しようとしたか

テキストで異常を指定する。

## 3. 結果、何が達成できたのか

UBnormalで最高精度。

## 4. Limitationや問題点は何か

計算コストが高い。

## 5. 技術的な詳細について

```python
# コメントは見出しではない
def f(x):
    return x
```

## 6. コストや物理的な詳細について

RTX 3090 一枚。

## 7. 参考文献のうち、特に参照すべきもの

CLIP。

## 8. この論文を140字以内のツイートで要約すると？

再学習なしで異常検知 #異常検知 #ZeroShot
"""


def digest(arxiv: str = "2503.04504", *, front: str | None = None, title: str = "AnyAnomaly",
           sections: str = SECTIONS, added: str | None = None) -> str:
    """A valid digest; ``front`` replaces the default front matter (``""`` for none);
    ``added`` ends the default front matter with ``added: <added>``."""
    if front is None:
        front = (f"arxiv: \"{arxiv}\"\nauthors:\n  - Sunghyun Ahn\n  - Youngwan Jo\n"
                 "date: 2025-03-06\ncategory: cs.CV\ntags: [LLM]\n"
                 + (f"added: {added}\n" if added else ""))
    head = f"---\n{front}---\n\n" if front else ""
    return f"{head}# {title}\n\n[View Paper](http://arxiv.org/abs/{arxiv}v1)\n\n{sections}"


@pytest.fixture
def alarm() -> Iterator[None]:
    """Fail instead of hanging: a FIFO opened for reading would block forever."""
    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("the command hung")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def project(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Make a project (mkdocs.yml, templates, about page) with the given content files."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        # A site_url of its own: the repository's is an example address, which check warns of.
        config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
        config = config.replace("site_url: https://paperdigest.example.org/",
                                f"site_url: {SITE_URL}")
        (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
        shutil.copytree(REPO / "site_templates", tmp_path / "site_templates")
        write_tree(tmp_path, {"content/pages/about.md": "# About\n\nサンプル。\n"})
        (tmp_path / "content" / "papers").mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / "authors").mkdir(parents=True, exist_ok=True)
        write_tree(tmp_path, files)
        return tmp_path

    return make
