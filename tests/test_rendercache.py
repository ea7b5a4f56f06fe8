"""The render cache: a warm build reuses every page's HTML and writes the same bytes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

Make = Callable[[Mapping[str, str | bytes]], Path]
PAPERS = ("2503.04504.md", "2106.09685.md", "2006.11239.md")
COUNTS = re.compile(r"render cache: (\d+) pages reused, (\d+) converted, (\d+) old entries")


def _content() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        f"content/papers/{name}": (REPO / "content/papers" / name).read_text(encoding="utf-8")
        for name in PAPERS}
    files["content/authors/takuya-akiba.yaml"] = (
        REPO / "content/authors/takuya-akiba.yaml").read_text(encoding="utf-8")
    return files


def _build(root: Path, site: str) -> tuple[subprocess.CompletedProcess[str], tuple[int, ...]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
         "-d", str(root / site)], capture_output=True, text=True, env=env, check=False)
    found = COUNTS.search(result.stderr)
    return result, tuple(int(n) for n in found.groups()) if found else ()


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _without_search(root: Path) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      search: none\n", 1), encoding="utf-8")


def test_a_warm_build_reuses_every_page_and_writes_the_same_bytes(project: Make) -> None:
    root = project(_content())
    _without_search(root)
    cold, (reused, converted, _) = _build(root, "cold")
    assert cold.returncode == 0, cold.stderr
    assert reused == 0 and converted > 20
    warm, counts = _build(root, "warm")
    assert warm.returncode == 0, warm.stderr
    assert counts == (converted, 0, 0)
    assert _tree(root / "warm") == _tree(root / "cold")


def test_a_changed_digest_converts_only_the_pages_it_appears_on(project: Make) -> None:
    root = project(_content())
    _without_search(root)
    first, (_, total, _) = _build(root, "first")
    assert first.returncode == 0, first.stderr
    digest = root / "content/papers/2106.09685.md"
    digest.write_text(digest.read_text(encoding="utf-8").replace(
        "## 4.", "追記した一文。\n\n## 4.", 1), encoding="utf-8")
    second, (reused, converted, removed) = _build(root, "second")
    assert second.returncode == 0, second.stderr
    assert 1 <= converted < total / 2 and reused + converted == total
    assert removed == converted  # the entries of the old versions of those pages
    assert "追記した一文。" in (root / "second/papers/2106.09685/index.html").read_text()
    shutil.rmtree(root / ".cache")
    assert _build(root, "cold")[0].returncode == 0
    assert _tree(root / "second") == _tree(root / "cold")


def test_damaged_entries_are_ignored_and_rewritten(project: Make) -> None:
    root = project(_content())
    _without_search(root)
    cold, (_, total, _) = _build(root, "cold")
    assert cold.returncode == 0, cold.stderr
    entries = sorted((root / ".cache/paperdigest/pages").glob("*/*.json"))
    assert len(entries) == total
    entries[0].write_text("{not json", encoding="utf-8")
    entries[1].write_text('{"format": 1, "content": 3}', encoding="utf-8")
    entries[2].write_text('["a foreign entry"]', encoding="utf-8")
    again, (reused, converted, _) = _build(root, "again")
    assert again.returncode == 0, again.stderr
    assert (reused, converted) == (total - 3, 3)
    assert _tree(root / "again") == _tree(root / "cold")
    assert _build(root, "third")[1] == (total, 0, 0)


def test_a_broken_link_fails_every_strict_build_not_only_the_first(project: Make) -> None:
    files = _content()
    files["content/pages/about.md"] = "# About\n\n[消えたページ](missing.md)\n"
    root = project(files)
    _without_search(root)
    for site in ("one", "two"):
        result, _ = _build(root, site)
        assert result.returncode != 0
        assert "missing.md" in result.stderr


def test_the_cache_can_be_turned_off_or_unwritable(project: Make) -> None:
    root = project(_content())
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", '  - paperdigest:\n      search: none\n      cache_dir: ""\n', 1),
        encoding="utf-8")
    off, counts = _build(root, "off")
    assert off.returncode == 0, off.stderr
    assert counts == () and not (root / ".cache").exists()
    config.write_text(config.read_text(encoding="utf-8").replace(
        'cache_dir: ""', "cache_dir: blocked/cache"), encoding="utf-8")
    (root / "blocked").write_text("a file where the cache folder would go", encoding="utf-8")
    blocked, (reused, converted, _) = _build(root, "blocked-site")
    assert blocked.returncode == 0, blocked.stderr
    assert reused == 0 and converted > 0
    assert _tree(root / "blocked-site") == _tree(root / "off")


def _build_here(root: Path, site: str) -> None:
    """A strict build in this process (so a test can lower the parallel threshold)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / site), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked: Linux")
def test_pages_converted_in_parallel_are_the_pages_converted_in_one_process(
        project: Make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from paperdigest.site import rendercache

    root = project(_content())
    _without_search(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(rendercache, "MIN_PREFILL", 1)
    monkeypatch.setenv("PAPERDIGEST_JOBS", "2")
    with caplog.at_level("INFO", logger="mkdocs"):
        _build_here(root, "parallel")
    said = [r.getMessage() for r in caplog.records]
    stored = next(m for m in said if "converted in parallel" in m)
    assert re.search(r"render cache: \d+ pages converted in parallel", stored)
    assert any(re.search(r"render cache: (\d+) pages reused, 0 converted", m) for m in said)
    shutil.rmtree(root / ".cache")
    monkeypatch.setenv("PAPERDIGEST_JOBS", "1")
    _build_here(root, "serial")
    assert _tree(root / "parallel") == _tree(root / "serial")
