"""The ``root:`` setting: every generated page and feed under one folder of a site that has
its own pages, or, at the top, a site's own ``index.md`` as its home page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SITE_URL, digest
from hypothesis import given
from hypothesis import strategies as st
from paperdigest.cli import main
from paperdigest.content.pages import RESERVED
from paperdigest.site import paths

Make = Callable[[Mapping[str, str | bytes]], Path]
P = "content/papers/2503.04504.md"
OWN_HOME = "# Our lab\n\nWelcome to the lab's site.\n"


def configure(root: Path, block: str, nav: str) -> None:
    """Give the project's mkdocs.yml this plugin block and this nav."""
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    head, _, rest = config.partition("\nnav:\n")
    _, _, tail = rest.partition("\nplugins:\n")
    plugins_end = tail.index("\nextra_css:")
    config = f"{head}\nnav:\n{nav}\nplugins:\n{block}\n{tail[plugins_end:]}"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")


def build(root: Path, *, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *(["-q"] if quiet else []),
         "-f", str(root / "mkdocs.yml"), "-d", str(root / "out")],
        capture_output=True, text=True, env=env, check=False, cwd=root)


# --- the setting ---------------------------------------------------------------------------


@pytest.mark.parametrize(("given_root", "mount"), [
    ("", ""), ("/", ""), ("papers", "papers"), ("/papers/", "papers"),
    ("research/digests", "research/digests"), (" papers ", "papers"),
])
def test_mount_points(given_root: str, mount: str) -> None:
    assert paths.mount_point(given_root) == mount


@pytest.mark.parametrize(("given_root", "message"), [
    ("../up", "root: '../up' is not a folder path"),
    ("a//b", "root: 'a//b' is not a folder path"),
    ("papers/<x>", "root: 'papers/<x>' is not a folder path"),
    ("assets", "root: 'assets' is where the site keeps its 'assets': choose another folder"),
    ("search/x", "root: 'search/x' is where the site keeps its 'search'"),
])
def test_bad_mount_points(given_root: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(
            "[", r"\[")) as info:
        paths.mount_point(given_root)
    assert str(info.value).startswith(message)


@given(st.text(max_size=30))
def test_a_mount_point_never_leaves_the_site(text: str) -> None:
    try:
        mount = paths.mount_point(text)
    except ValueError:
        return
    if mount:
        assert paths.mounted(mount, "papers/x.md") == f"{mount}/papers/x.md"
        assert ".." not in mount.split("/") and not mount.startswith("/")
        assert mount.split("/")[0] not in paths.SITE_LEVEL


def test_reserved_names_follow_the_mount() -> None:
    assert paths.reserved("") == RESERVED - {"index.md"}
    assert paths.reserved("papers/x") == paths.SITE_LEVEL | {"papers"}
    assert "authors" not in paths.reserved("papers") and "index.md" not in paths.reserved("x")


def test_urls_under_the_mount() -> None:
    base = paths.base_url("https://lab.example.net/", "papers")
    assert base == "https://lab.example.net/papers/"
    assert paths.absolute(base, paths.HOME) == "https://lab.example.net/papers/"
    assert paths.base_url("https://lab.example.net", "") == "https://lab.example.net/"


# --- building ------------------------------------------------------------------------------


def test_a_site_with_its_own_home_and_digests_under_papers(project: Make) -> None:
    root = project({P: digest(), "content/pages/index.md": OWN_HOME,
                    "content/pages/authors/index.md": "# Our people\n"})
    configure(root, "  - paperdigest:\n      root: papers",
              "  - Home: index.md\n  - People: authors/index.md\n"
              "  - Digests: papers/index.md\n  - About: about.md\n")
    result = build(root)
    assert result.returncode == 0, result.stderr
    out = root / "out"
    assert "Welcome to the lab" in (out / "index.html").read_text(encoding="utf-8")
    assert "Our people" in (out / "authors" / "index.html").read_text(encoding="utf-8")
    home = (out / "papers" / "index.html").read_text(encoding="utf-8")
    assert 'href="papers/2503.04504/"' in home  # the digest home lists the paper
    paper = (out / "papers" / "papers" / "2503.04504" / "index.html").read_text(
        encoding="utf-8")
    assert f'content="{SITE_URL}papers/assets/cards/papers/2503.04504.png"' in paper
    assert (out / "papers" / "assets" / "cards" / "papers" / "2503.04504.png").is_file()
    assert (out / "papers" / "authors" / "index.html").is_file()
    assert (out / "papers" / "tags" / "index.html").is_file()
    feed = (out / "papers" / "feed.xml").read_text(encoding="utf-8")
    assert f"{SITE_URL}papers/papers/2503.04504/" in feed
    assert json.loads((out / "papers" / "papers.json").read_text(encoding="utf-8"))
    # Every page finds the feeds under the folder, the site's own home included.
    assert 'href="papers/feed.xml"' in (out / "index.html").read_text(encoding="utf-8")
    for page in (out / "index.html", out / "papers" / "authors" / "sunghyun-ahn" / "index.html",
                 out / "papers" / "tags" / "llm" / "index.html"):
        feeds = re.findall(r'<link rel="alternate feed" [^>]*href="([^"]+)"',
                           page.read_text(encoding="utf-8"))
        assert len(feeds) == (2 if page.parent == out else 3), (page, feeds)
        for href in feeds:
            assert (page.parent / href).resolve().is_file(), (page, href)
    # Nothing generated at the top but what the site itself keeps there.
    top = {p.name for p in out.iterdir()}
    assert top <= {"index.html", "about", "authors", "papers", "assets", "404.html",
                   "sitemap.xml", "sitemap.xml.gz", "search", "pagefind"}, top
    assert not (out / "feed.xml").exists() and not (out / "tags").exists()


def test_at_the_top_a_site_index_is_the_home_page(project: Make) -> None:
    root = project({P: digest(), "content/pages/index.md": OWN_HOME})
    result = build(root, quiet=False)
    assert result.returncode == 0, result.stderr
    out = root / "out"
    assert "Welcome to the lab" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "papers" / "2503.04504" / "index.html").is_file()
    assert "content/pages/index.md is the site's home page; the latest digests are listed at " \
           "/papers/" in result.stderr
    check = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert check.exit_code == 0, check.output


def test_a_bad_root_is_named_by_check_and_build(project: Make) -> None:
    root = project({P: digest()})
    configure(root, "  - paperdigest:\n      root: ../elsewhere",
              "  - Home: index.md\n")
    check = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert check.exit_code == 1
    assert check.stderr == ("Error: mkdocs.yml: plugins: paperdigest: root: '../elsewhere' is "
                            "not a folder path: use names of letters, digits, '-', '_' and '.' "
                            "joined by '/', e.g. root: papers\n")
    result = build(root)
    assert result.returncode == 1
    assert "root: '../elsewhere' is not a folder path" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_shows_problems_under_the_mount(project: Make) -> None:
    from test_serve_errors import BROKEN, serve_build

    root = project({P: BROKEN, "content/pages/index.md": OWN_HOME})
    configure(root, "  - paperdigest:\n      root: papers",
              "  - Home: index.md\n  - Digests: papers/index.md\n  - Tags: papers/tags/index.md\n")
    out = serve_build(root)
    assert "Welcome to the lab" in (out / "index.html").read_text(encoding="utf-8")
    for page in ("papers/index.html", "papers/tags/index.html"):
        assert "内容にエラーがあります" in (out / page).read_text(encoding="utf-8"), page
    assert not (out / "tags").exists()


def test_the_thread_kit_links_the_paper_under_the_mount(project: Make) -> None:
    root = project({P: digest()})
    configure(root, "  - paperdigest:\n      root: papers", "  - Digests: papers/index.md\n")
    result = CliRunner().invoke(main, ["--root", str(root), "blurb", "--thread", "2503.04504",
                                       "--json"])
    assert json.loads(result.stdout)["url"] == f"{SITE_URL}papers/papers/2503.04504/"
