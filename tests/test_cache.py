"""``mkdocs serve`` rebuilds re-read and re-check only the files that changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest, without_added
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.content import parallel
from paperdigest.content.loader import LoadCache, check_content

Make = Callable[[Mapping[str, str | bytes]], Path]


def test_unchanged_files_are_not_checked_again(project: Make) -> None:
    root = project({
        "content/papers/a.md": digest("2503.00001"),
        "content/papers/b.md": digest("2503.00002"),
        "content/authors/ann.yaml": "name: Sunghyun Ahn\n",
    })
    cache = LoadCache()
    site, _ = check_content(root / "content", root=root, cache=cache)
    assert site is not None and (cache.digests.misses, cache.records.misses) == (2, 1)

    path = root / "content/papers/b.md"
    path.write_text(digest("2503.00002", title="Changed"), encoding="utf-8")
    site, _ = check_content(root / "content", root=root, cache=cache)
    assert site is not None
    assert (cache.digests.misses, cache.digests.hits, cache.records.hits) == (3, 1, 1)
    assert {p.title for p in site.papers} == {"AnyAnomaly", "Changed"}


def test_touch_without_change_is_a_hit_and_errors_are_kept(project: Make) -> None:
    root = project({"content/papers/a.md": digest(front="tag: x\n")})
    cache = LoadCache()
    _, first = check_content(root / "content", root=root, cache=cache)
    path = root / "content/papers/a.md"
    os.utime(path, ns=(1, 1))
    site, second = check_content(root / "content", root=root, cache=cache)
    assert site is None and first == second
    assert (cache.digests.misses, cache.digests.hits) == (1, 1)


def test_deleted_files_are_forgotten(project: Make) -> None:
    root = project({"content/papers/a.md": digest("2503.00001"),
                    "content/papers/b.md": digest("2503.00002")})
    cache = LoadCache()
    check_content(root / "content", root=root, cache=cache)
    (root / "content/papers/b.md").unlink()
    site, _ = check_content(root / "content", root=root, cache=cache)
    assert site is not None and [p.slug for p in site.papers] == ["2503.00001"]


def test_parallel_loading_gives_the_same_site(project: Make,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {
        f"content/papers/{i}.md": digest(f"2503.{i:05d}") for i in range(1, 13)}
    files["content/papers/bad.md"] = digest("2503.00099", front="tag: x\n")
    root = project(files)
    monkeypatch.setenv("PAPERDIGEST_JOBS", "1")
    one = check_content(root / "content", root=root)
    monkeypatch.setenv("PAPERDIGEST_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    two = check_content(root / "content", root=root, cache=LoadCache())
    assert one == two
    assert [str(p) for p in without_added(two[1])] == [
        "content/papers/bad.md:2: tag: unknown key: did you mean 'tags'?"]


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_pool_helper_keeps_order_on_either_side_of_its_rule(
        monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    monkeypatch.setenv("PAPERDIGEST_JOBS", jobs)
    items = list(range(37))
    assert parallel.forks(len(items), 10) is (jobs == "2")
    assert not parallel.forks(9, 10)
    assert parallel.fork_map(_square, items, break_even=10) == [n * n for n in items]


def test_the_pool_helper_runs_here_when_no_process_can_be_had(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDIGEST_JOBS", "2")

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_processes)
    assert parallel.fork_map(_square, [1, 2, 3], break_even=1) == [1, 4, 9]


class _DictShelf:
    """A shelf in memory, as the build's signed cache folder would keep it."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def fetch(self, key: str) -> bytes | None:
        return self.entries.get(key)

    def keep(self, key: str, body: bytes) -> None:
        self.entries[key] = body


def _shelved(shelf: _DictShelf, namespace: str = "code") -> LoadCache:
    cache = LoadCache()  # a new process: nothing in memory
    cache.shelve(shelf, namespace)
    return cache


def _loaded(root: Path, cache: LoadCache | None) -> tuple[object, list[str]]:
    site, problems = check_content(root / "content", root=root, cache=cache)
    return site, [str(p) for p in problems]


def test_a_later_build_takes_unchanged_files_from_the_shelf(project: Make) -> None:
    root = project({
        "content/papers/a.md": digest("2503.00001"),
        "content/papers/bad.md": digest("2503.00002", front="tag: x\n"),
        "content/authors/ann.yaml": "name: Sunghyun Ahn\n",
    })
    shelf = _DictShelf()
    first = _loaded(root, _shelved(shelf))
    assert len(shelf.entries) == 3
    second_cache = _shelved(shelf)
    # Problems come back with their file and line, exactly as a fresh check gives them.
    assert _loaded(root, second_cache) == first == _loaded(root, None)
    assert (second_cache.digests.misses, second_cache.records.misses) == (0, 0)
    assert second_cache.shelved() == set(shelf.entries)
    # Another version of the code (or another day) does not read them.
    other = _shelved(shelf, "other code")
    assert _loaded(root, other) == first and other.digests.misses == 2


def test_a_changed_or_damaged_entry_is_checked_again(project: Make) -> None:
    root = project({"content/papers/a.md": digest("2503.00001"),
                    "content/papers/b.md": digest("2503.00002")})
    shelf = _DictShelf()
    _loaded(root, _shelved(shelf))
    for key in shelf.entries:
        shelf.entries[key] = b"not a pickle"
    (root / "content/papers/b.md").write_text(digest("2503.00002", title="Changed"),
                                              encoding="utf-8")
    cache = _shelved(shelf)
    site, _ = check_content(root / "content", root=root, cache=cache)
    assert site is not None and cache.digests.misses == 2
    assert {p.title for p in site.papers} == {"AnyAnomaly", "Changed"}
    assert _loaded(root, _shelved(shelf)) == _loaded(root, None)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(
    ["title", "bad key", "no tweet", "same", "tags"])), min_size=1, max_size=4))
def test_shelved_results_equal_a_fresh_check_whatever_was_edited(
        tmp_path: Path, edits: list[tuple[int, str]]) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    (root / "content/papers").mkdir(parents=True)
    for i in range(3):
        (root / f"content/papers/{i}.md").write_text(digest(f"2503.0000{i}"), encoding="utf-8")
    shelf = _DictShelf()
    _loaded(root, _shelved(shelf))
    for i, edit in edits:
        path = root / f"content/papers/{i}.md"
        text = {"title": digest(f"2503.0000{i}", title=f"Edited {i}"),
                "bad key": digest(f"2503.0000{i}", front="tag: x\n"),
                "no tweet": digest(f"2503.0000{i}").split("## 8.")[0],
                "same": path.read_text(encoding="utf-8"),
                "tags": digest(f"2503.0000{i}", front="tags: [a, b]\n")}[edit]
        path.write_text(text, encoding="utf-8")
        assert _loaded(root, _shelved(shelf)) == _loaded(root, None)
