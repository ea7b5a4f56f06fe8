"""``mkdocs serve`` rebuilds re-read and re-check only the files that changed."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest, without_added
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
