"""The render cache: a warm build reuses every page's HTML and writes the same bytes; the
cache folder is an untrusted input (edited entries are misses, links out are refused)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from mkdocs.commands.build import build as build_site
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from paperdigest.site import cachestore, outputs

pytestmark = pytest.mark.slow

Make = Callable[[Mapping[str, str | bytes]], Path]
PAPERS = ("2503.04504.md", "2106.09685.md", "2006.11239.md")
COUNTS = re.compile(r"render cache: (\d+) pages reused, (\d+) converted, (\d+) old entries")
THEMED = re.compile(r"page cache: (\d+) pages reused, (\d+) themed")


def _content() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        f"content/papers/{name}": (REPO / "content/papers" / name).read_text(encoding="utf-8")
        for name in PAPERS}
    files["content/authors/takuya-akiba.yaml"] = (
        REPO / "content/authors/takuya-akiba.yaml").read_text(encoding="utf-8")
    return files


def _build(root: Path, site: str, *flags: str
           ) -> tuple[subprocess.CompletedProcess[str], tuple[int, ...]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *(flags or ("--strict",)),
         "-f", str(root / "mkdocs.yml"), "-d", str(root / site)],
        capture_output=True, text=True, env=env, check=False)
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
    themed = THEMED.search(second.stderr)
    assert themed is not None and int(themed.group(2)) >= converted
    # The old versions of those pages stay (an undo finds them) for a few more builds.
    assert removed == 0
    assert "追記した一文。" in (root / "second/papers/2106.09685/index.html").read_text()
    shutil.rmtree(root / ".cache")
    assert _build(root, "cold")[0].returncode == 0
    assert _tree(root / "second") == _tree(root / "cold")


def _forge(entry: Path) -> None:
    """Keep the entry's header (and so its tag) but put a script into its body."""
    data = entry.read_bytes()
    head, _, body = data.partition(b"\n")
    entry.write_bytes(head + b"\n" + body.replace(b"<p>", b"<p><script>alert(1)</script>", 1)
                      .replace(b"<h2", b"<iframe src=x></iframe><h2", 1) + b" ")


def test_damaged_or_edited_entries_are_misses_and_rewritten(project: Make) -> None:
    root = project(_content())
    _without_search(root)
    cold, (_, total, _) = _build(root, "cold")
    assert cold.returncode == 0, cold.stderr
    cache = root / ".cache/paperdigest"
    entries = sorted((cache / "pages").glob("*/*.page"))
    assert len(entries) == total
    entries[0].write_text("{not json", encoding="utf-8")
    entries[1].write_bytes(b"")
    for entry in entries[2:5]:
        _forge(entry)
    for entry in sorted((cache / "html").glob("*/*.html"))[:5]:
        _forge(entry)
    again, (reused, converted, _) = _build(root, "again")
    assert again.returncode == 0, again.stderr
    assert (reused, converted) == (total - 5, 5)
    themed = THEMED.search(again.stderr)
    assert themed is not None and themed.group(2) == "5"
    assert _tree(root / "again") == _tree(root / "cold")
    assert not any(b"alert(1)" in data for data in _tree(root / "again").values())
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
    caplog.clear()
    with caplog.at_level("INFO", logger="mkdocs"):  # warm: every source known, no workers
        _build_here(root, "warm")
    said = [r.getMessage() for r in caplog.records]
    assert not any("in parallel" in m for m in said)
    assert _tree(root / "warm") == _tree(root / "parallel")
    shutil.rmtree(root / ".cache")
    monkeypatch.setenv("PAPERDIGEST_JOBS", "1")
    _build_here(root, "serial")
    assert _tree(root / "parallel") == _tree(root / "serial")


def test_a_quiet_build_does_not_make_a_broken_link_pass_later_strict_builds(
        project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    # -q hides MkDocs' warnings; whether a page warned must not depend on that. The check
    # refuses the link first, so its link rule is turned off here: MkDocs' own warning, met
    # while converting the page, is what the cache must not forget.
    files = _content()
    files["content/pages/about.md"] = "# About\n\n[消えたページ](missing.md)\n"
    root = project(files)
    _without_search(root)
    monkeypatch.setattr(outputs, "render_for_links", lambda *args: None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(root)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    try:
        logger.setLevel(logging.ERROR)  # what `mkdocs build -q` does
        build_site(load_config(str(root / "mkdocs.yml"), site_dir=str(root / "quiet")))
        logger.setLevel(logging.INFO)
        with pytest.raises(Abort, match="in strict mode"):
            build_site(load_config(str(root / "mkdocs.yml"), site_dir=str(root / "strict"),
                                   strict=True))
    finally:
        logger.setLevel(level)


def _set_site_url(root: Path, url: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}",
                             config.read_text(encoding="utf-8")), encoding="utf-8")


def test_builds_for_another_address_share_the_cache_and_evict_nothing(project: Make) -> None:
    # mkdocs serve builds for http://127.0.0.1:8000/: switching must not evict the build's
    # entries, and conversions that do not depend on the address are shared.
    root = project(_content())
    _without_search(root)
    first, (_, total, _) = _build(root, "first")
    assert first.returncode == 0, first.stderr
    _set_site_url(root, "http://127.0.0.1:8000/")
    served, (reused, _, removed) = _build(root, "served")
    assert served.returncode == 0, served.stderr
    assert removed == 0 and reused > 0  # pages with absolute links (share) differ
    _set_site_url(root, "https://digests.paperdigest.dev/")
    back, counts = _build(root, "back")
    assert back.returncode == 0, back.stderr
    assert counts == (total, 0, 0)
    assert THEMED.search(back.stderr).groups() == (str(total), "0")  # type: ignore[union-attr]
    assert _tree(root / "back") == _tree(root / "first")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize("link", ["pages", "cards", "html"])
def test_a_cache_folder_linked_elsewhere_is_refused_and_nothing_there_is_touched(
        project: Make, link: str) -> None:
    root = project(_content())
    _without_search(root)
    elsewhere = root / "content" if link == "pages" else root / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "2106.09685.works.json").write_text("[]\n", encoding="utf-8")
    (elsewhere / "ab").mkdir()
    (elsewhere / "ab" / ("ab" + "0" * 62 + ".page")).write_text("x", encoding="utf-8")
    (elsewhere / ("0" * 40 + ".png")).write_bytes(b"\x89PNG\r\n\x1a\n not ours")
    before = _snapshot(elsewhere)
    cache = root / ".cache/paperdigest"
    cache.mkdir(parents=True)
    (cache / link).symlink_to(os.path.relpath(elsewhere, cache))
    result, _ = _build(root, "site", "-v")
    assert result.returncode == 0, result.stderr
    assert "is a symbolic link: delete it" in result.stderr
    assert _snapshot(elsewhere) == before
    strict, _ = _build(root, "strict")
    assert strict.returncode != 0 and "is a symbolic link" in strict.stderr


def test_cleanup_deletes_only_what_the_cache_wrote(project: Make) -> None:
    root = project(_content())
    _without_search(root)
    pages = root / ".cache/paperdigest/pages"
    foreign = {pages / "notes.txt": b"mine", pages / "ab" / "readme.md": b"mine",
               pages / "ab" / ("ab" + "1" * 62 + ".page"): b"no header, not an entry",
               pages / "cd" / ("ab" + "2" * 62 + ".page"): b"PDC1 wrong folder"}
    for path, data in foreign.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    first, _ = _build(root, "first")
    assert first.returncode == 0, first.stderr
    digest = root / "content/papers/2106.09685.md"
    text = digest.read_text(encoding="utf-8")
    removed = 0
    # The entries of the first build go once KEEP_BUILDS later builds had other inputs.
    for i in range(cachestore.KEEP_BUILDS):
        digest.write_text(text.replace("## 4.", f"追記した一文 {i}。\n\n## 4.", 1),
                          encoding="utf-8")
        later, (_, _, removed) = _build(root, "later")
        assert later.returncode == 0, later.stderr
        assert removed == 0 or i == cachestore.KEEP_BUILDS - 1
    assert removed > 0
    assert all(path.read_bytes() == data for path, data in foreign.items())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked: Linux")
def test_cold_warm_parallel_and_after_damage_builds_are_byte_identical(
        project: Make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from paperdigest.site import pagecache, rendercache

    files: dict[str, str | bytes] = {
        f"content/{p.relative_to(REPO / 'content').as_posix()}": p.read_bytes()
        for p in sorted((REPO / "content").rglob("*")) if p.is_file()
        and p.parts[len(REPO.parts) + 1] in ("papers", "authors")}
    root = project(files)
    _without_search(root)
    assert len(list((root / "content/papers").rglob("*.md"))) == 15
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("PAPERDIGEST_JOBS", "1")
    _build_here(root, "cold")
    _build_here(root, "warm")
    cache = root / ".cache/paperdigest"
    for entry in [*sorted(cache.glob("pages/*/*.page"))[::3],
                  *sorted(cache.glob("html/*/*.html"))[1::3]]:
        _forge(entry)
    _build_here(root, "damaged")
    shutil.rmtree(cache)
    monkeypatch.setattr(rendercache, "MIN_PREFILL", 1)
    monkeypatch.setattr(pagecache, "MIN_PARALLEL", 1)
    monkeypatch.setenv("PAPERDIGEST_JOBS", "2")
    with caplog.at_level("INFO", logger="mkdocs"):
        _build_here(root, "parallel")
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert re.search(r"render cache: \d+ pages converted in parallel", said)
    assert re.search(r"page cache: \d+ pages themed in parallel", said)
    assert re.search(r"page cache: \d+ pages reused, 0 themed", said)
    cold = _tree(root / "cold")
    for site in ("warm", "damaged", "parallel"):
        assert _tree(root / site) == cold, site


def test_a_preview_save_themes_only_the_pages_the_digest_appears_on(
        project: Make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = project(_content())
    _without_search(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    url = "http://127.0.0.1:8000/"

    def serve_build() -> list[str]:
        caplog.clear()
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "out"))
        config.plugins.on_startup(command="serve", dirty=False)
        config.site_url = url
        with caplog.at_level("INFO", logger="mkdocs"):
            build(config, serve_url=url)
        return [r.getMessage() for r in caplog.records]

    first = serve_build()
    total = int(next(m for m in map(THEMED.search, first) if m).group(2))
    digest = root / "content/papers/2106.09685.md"
    digest.write_text(digest.read_text(encoding="utf-8").replace(
        "## 4.", "保存した一文。\n\n## 4.", 1), encoding="utf-8")
    second = serve_build()
    converted = next(m for m in map(COUNTS.search, second) if m).groups()
    themed = next(m for m in map(THEMED.search, second) if m).groups()
    assert converted[1] == "1"  # the digest's page; its listings show only title and blurb
    assert themed == (str(total - 1), "1")
    assert "保存した一文。" in (root / "out/papers/2106.09685/index.html").read_text()


def test_a_preview_indexes_search_after_the_build_and_stops_it_for_the_next(
        project: Make, caplog: pytest.LogCaptureFixture) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = project(_content())
    url = "http://127.0.0.1:8000/"

    def serve_build() -> Any:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "out"))
        config.plugins.on_startup(command="serve", dirty=False)
        config.site_url = url
        build(config, serve_url=url)
        return config.plugins["paperdigest"]

    plugin = serve_build()
    assert plugin.indexing is not None  # the build returned before search was indexed
    plugin.indexing.join(300)
    assert (root / "out/pagefind/pagefind.js").is_file()
    plugin = serve_build()
    with caplog.at_level("WARNING", logger="mkdocs"):
        plugin.on_pre_build(config=None)  # the next save: this index is stopped, quietly
    assert plugin.indexing is None
    assert not [r for r in caplog.records if "search" in r.getMessage()]


def test_search_indexed_while_the_site_is_written_is_the_index_of_the_written_site(
        project: Make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from paperdigest.site import earlyindex

    root = project(_content())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    digest = root / "content/papers/2106.09685.md"
    text = digest.read_text(encoding="utf-8")
    sites = {}
    for edit in ("", "追記した一文。\n\n"):
        digest.write_text(text.replace("## 4.", f"{edit}## 4.", 1), encoding="utf-8")
        shutil.rmtree(root / ".cache", ignore_errors=True)
        _build_here(root, "first")  # the conversions and pages are cached; search is not
        shutil.rmtree(root / ".cache/paperdigest/search")
        with caplog.at_level("INFO", logger="mkdocs"):
            caplog.clear()
            _build_here(root, "early")
        assert "pages indexed while the site was written" in caplog.text
        for again in ("warm", "warm again"):  # no Pagefind, and the bundle is kept
            with caplog.at_level("INFO", logger="mkdocs"):
                caplog.clear()
                _build_here(root, again)
            assert "unchanged pages: the last index" in caplog.text, again
            assert "indexed while" not in caplog.text
        shutil.rmtree(root / ".cache/paperdigest/search")
        with monkeypatch.context() as patch:
            patch.setattr(earlyindex, "start", lambda *args: None)
            caplog.clear()
            _build_here(root, "after")
        assert "indexed while" not in caplog.text
        sites[edit] = _tree(root / "early")
        assert sites[edit] == _tree(root / "after")
        assert any(path.startswith("pagefind/fragment/") for path in sites[edit])
    assert sites[""] != sites["追記した一文。\n\n"]
    assert not list(root.glob(".paperdigest-index-*"))


def test_an_early_index_of_other_pages_is_thrown_away(tmp_path: Path) -> None:
    from paperdigest.site import earlyindex

    page = b'<html lang="ja"><body><div data-pagefind-body><p>x</p></div></body></html>'
    early = earlyindex.EarlyIndex("k" * 64, tmp_path / "beside")
    early.add("a/index.html", page)
    early.start()
    site = tmp_path / "site"
    site.mkdir()
    digest = hashlib.sha256(page).hexdigest()
    # Another page marked for search, or other bytes: nothing of it reaches the site.
    assert early.finish(site, {"a/index.html": digest, "b/index.html": digest},
                        {"a/index.html", "b/index.html"}) is None
    assert not (site / "pagefind").exists() and not early.folder.exists()
    again = earlyindex.EarlyIndex("k" * 64, tmp_path / "beside")
    again.add("a/index.html", page)
    again.start()
    done = again.finish(site, {"a/index.html": digest}, {"a/index.html"})
    assert done is not None and done.pages == 1 and (site / "pagefind/pagefind.js").is_file()
    assert list((tmp_path / "beside").iterdir()) == []
