"""Pagefind search: the binary, the index it writes, the header override, a real build.

Queries in a browser are measured by ``bench/measure_search.py``; here the non-browser parts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import DATA, REPO
from paperdigest.site import search

MATERIAL = Path(__import__("material").__file__).resolve().parent / "templates"
OVERRIDE = REPO / "site_templates" / "overrides" / "partials" / "header.html"

PAGE = """<!doctype html><html lang="ja"><head><title>{title}</title></head><body>
<nav>ナビゲーション</nav>{body}</body></html>"""


def test_the_extended_binary_is_used() -> None:
    binary = search.executable()
    assert binary.name == "pagefind_extended"
    assert os.access(binary, os.X_OK)


def test_index_only_pages_marked_for_search(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(PAGE.format(
        title="A", body='<div data-pagefind-body><h1>異常検知</h1><p>動画の異常検知。</p>'
                        '<article class="pd-card">他の論文</article></div>'), encoding="utf-8")
    (tmp_path / "index.html").write_text(PAGE.format(title="一覧", body="<p>一覧</p>"),
                                         encoding="utf-8")
    done = search.build_index(tmp_path)
    bundle = tmp_path / search.BUNDLE_DIR
    assert done.pages == 1
    assert (bundle / "pagefind-ui.js").is_file()
    assert '"ja"' in (bundle / "pagefind-entry.json").read_text(encoding="utf-8")
    assert done == search.report(bundle, 1)
    assert done.bytes > 0 and done.files == len([p for p in bundle.rglob("*") if p.is_file()])


def test_a_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "pagefind"
    with pytest.raises(search.SearchIndexError) as caught:
        search.build_index(tmp_path, binary=missing)
    assert str(caught.value) == (
        f"paperdigest: could not run {missing}: [Errno 2] No such file or directory: "
        f"'{missing}'; install it with: pip install 'paperdigest[search]'")


def test_a_failing_run_reports_pagefind_output(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.write_text("#!/bin/sh\necho 'Error: broken index' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(search.SearchIndexError) as caught:
        search.build_index(tmp_path, binary=fake)
    assert str(caught.value) == (f"paperdigest: Pagefind failed to index {tmp_path} (exit 3):\n"
                                 "Error: broken index")


def test_a_hung_indexer_is_stopped_at_its_deadline(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    with pytest.raises(search.SearchIndexError) as caught:
        search.build_index(tmp_path, binary=fake, timeout=0.5)
    assert str(caught.value) == (
        f"paperdigest: Pagefind did not finish indexing {tmp_path} in 0.5 s and was stopped: "
        "build again, or set search: none for the paperdigest plugin in mkdocs.yml")


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a reaper (containers may have none)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_the_indexer_dies_with_the_build(tmp_path: Path) -> None:
    """A build killed outright (a cancelled CI job) leaves no Pagefind running."""
    fake = tmp_path / "fake"
    pid_file = tmp_path / "child.pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    fake.chmod(0o755)
    script = (f"from pathlib import Path; from paperdigest.site import search; "
              f"search.build_index(Path({str(tmp_path)!r}), binary=Path({str(fake)!r}))")
    build = subprocess.Popen([sys.executable, "-c", script])
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pid_file.read_text())
    build.kill()
    build.wait()
    for _ in range(200):
        if not _alive(child):
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("Pagefind outlived the build that started it")


def test_header_override_differs_from_material_only_by_the_search_block() -> None:
    ours = OVERRIDE.read_text(encoding="utf-8")
    start = ours.index("    {#- paperdigest: Pagefind search")
    end = ours.index("{#- end paperdigest -#}\n") + len("{#- end paperdigest -#}\n")
    body = (ours[:start] + ours[end:]).split("-#}\n", 1)[1]
    # The other difference: names and titles are escaped (a page title is content).
    escaped = "            {#- escaped: a page's front-matter title is text, whoever wrote it -#}\n"
    assert escaped in body
    body = body.replace(escaped, "")
    for name in ("page.meta.title", "page.title", 'aria-label="{{ config.site_name',
                 "            {{ config.site_name"):
        assert body.count(name + " | e }}") == 1, name
        body = body.replace(name + " | e }}", name + " }}")
    theirs = (MATERIAL / "partials" / "header.html").read_text(encoding="utf-8")
    assert body == theirs.split("-#}\n", 1)[1], "Material's header changed: update the override"


@pytest.mark.slow
def test_built_site_has_search_feeds_and_reader_pages(
        project: Callable[[Mapping[str, str | bytes]], Path]) -> None:
    source = DATA / "reader" / "content"
    root = project({f"content/{p.relative_to(source).as_posix()}": p.read_bytes()
                    for p in source.rglob("*") if p.is_file()})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
                            cwd=root, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert not (site / "search" / "search_index.json").exists()  # no lunr index
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    for path in ("feed.xml", "feed.json", "papers.json", "authors/alice-smith/feed.xml",
                 "tags/llm/feed.xml"):
        assert (site / path).is_file(), path
    author = (site / "authors" / "alice-smith" / "index.html").read_text(encoding="utf-8")
    assert ('<link rel="alternate feed" type="application/atom+xml" title="Alice Smith の新着 '
            '(Atom)" href="feed.xml">') in author
    assert '<link rel="alternate feed" type="application/atom+xml" title="paperdigest (Atom)" ' \
           'href="../../feed.xml">' in author
    assert "<div data-pagefind-body>" in author
    paper = (site / "papers" / "2503.00001" / "index.html").read_text(encoding="utf-8")
    assert "<div data-pagefind-body>" in paper and "data-pd-search-open" in paper
    assert 'class="pd-cite"' in paper and "10.48550/arXiv.2503.00001" in paper
    listing = (site / "papers" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in listing
    stats_page = (site / "stats" / "index.html").read_text(encoding="utf-8")
    assert stats_page.count('<svg class="pd-chart"') == 4
    assert (site / "archive" / "2025-03" / "index.html").is_file()
    assert (site / "categories" / "cs.cl" / "index.html").is_file()
