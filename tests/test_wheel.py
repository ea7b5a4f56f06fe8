"""The built wheel works outside this checkout: templates, overrides and assets are inside it.

The wheel is built without build isolation (hatchling comes with the test extras) and
installed without dependencies into a fresh virtual environment in ``tmp_path``; the
dependencies are borrowed from the test environment through a ``.pth`` file that lists a
folder of links to every installed distribution except paperdigest itself. Nothing is
downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, digest, write_tree

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--no-index", "-q", "-w", str(out), str(REPO)], cwd=out)
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("paperdigest-*.whl")
    return found


def test_the_wheel_carries_templates_overrides_and_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(REPO).as_posix() for p in (REPO / "site_templates").rglob("*")
               if p.is_file()}
    assert shipped and {f"paperdigest/{n}" for n in shipped} <= names
    assert "paperdigest/py.typed" in names
    assert not any(n.startswith(("tests/", "content/", "generator/")) for n in names)


EXTRAS = ("pil", "pillow", "noto_cjk", "pagefind")
"""Distributions of the ``cards`` and ``search`` extras, by the start of their folder names."""


def _fresh_env(tmp_path: Path, wheel: Path, *, extras: bool = True) -> Path:
    """A virtual environment with the wheel and its dependencies (``extras``: those of
    ``paperdigest[cards,search]`` too), borrowed from this one."""
    venv = tmp_path / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                         "['purelib'])"], cwd=tmp_path).stdout.strip())
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(purelib)  # a wheel is a zip laid out for site-packages
    deps = tmp_path / "deps"
    deps.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        name = entry.name.lower()
        if "paperdigest" not in name and (extras or not name.startswith(EXTRAS)):
            (deps / entry.name).symlink_to(entry)
    (purelib / "borrowed-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return python


def test_an_installed_wheel_builds_a_site_outside_the_checkout(tmp_path: Path,
                                                               wheel: Path) -> None:
    python = _fresh_env(tmp_path, wheel)
    site = tmp_path / "mysite"
    write_tree(site, {
        "mkdocs.yml": ("site_name: Outside\nsite_url: https://digests.example.net/\n"
                       "docs_dir: content/pages\ntheme:\n  name: material\n  language: ja\n"
                       "  font: false\nplugins:\n  - paperdigest:\n      search: none\n"),
        "content/pages/about.md": "# About\n",
        "content/papers/2503.04504.md": digest(),
        "content/authors/.keep": "",
    })
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": ""}
    where = _run([str(python), "-c", "import paperdigest; print(paperdigest.__file__)"],
                 cwd=site, env=env)
    assert where.returncode == 0, where.stderr
    assert not Path(where.stdout.strip()).resolve().is_relative_to(REPO)
    built = _run([str(python), "-m", "mkdocs", "build", "--strict"], cwd=site, env=env)
    assert built.returncode == 0, built.stderr
    page = (site / "site" / "papers" / "2503.04504" / "index.html").read_text(encoding="utf-8")
    assert "AnyAnomaly" in page and "pd-blurb" in page
    assert (site / "site" / "assets" / "paperdigest" / "paperdigest.css").is_file()
    # the overrides come from the package: escaped title and the share meta
    assert '<meta property="og:title" content="AnyAnomaly">' in page
    checked = _run([str(python), "-m", "paperdigest", "check"], cwd=site, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK: 1 papers" in checked.stdout


LAB_CONFIG = """\
site_name: Lab
site_url: https://lab.example.net/
theme:
  name: material
  font: false
  features: [navigation.tabs]
nav:
  - Home: index.md
  - Guide: guide.md
  - Blog: blog/index.md
  - Papers: papers/index.md
plugins:
  - search
  - tags
  - blog
  - paperdigest:
      root: papers
      search: none
      cards: false
"""
"""The README's "Add digests to an existing MkDocs site", as written there."""


def test_digests_join_an_existing_docs_site(tmp_path: Path, wheel: Path) -> None:
    # No extras: cards: false and search: none need neither Pillow, the fonts nor Pagefind.
    python = _fresh_env(tmp_path, wheel, extras=False)
    site = tmp_path / "lab"
    write_tree(site, {
        "mkdocs.yml": LAB_CONFIG,
        "docs/index.md": "# Lab\n\nOur home.\n",
        "docs/guide.md": ("---\ntags: [guide]\n---\n# Guide\n\n"
                          "Read [the papers](papers/index.md).\n"),
        "docs/blog/index.md": "# Blog\n",
        "docs/blog/posts/hello.md": "---\ndate: 2025-01-02\n---\n# Hello\n\nFirst post.\n",
        "content/papers/2503.04504.md": digest(),
        "content/authors/.keep": "",
    })
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert LAB_CONFIG in readme  # the guide shows exactly what is tested here
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": ""}
    built = _run([str(python), "-m", "mkdocs", "build", "--strict"], cwd=site, env=env)
    assert built.returncode == 0, built.stderr
    out = site / "site"
    assert "Our home." in (out / "index.html").read_text(encoding="utf-8")  # its own home
    assert (out / "blog" / "2025" / "01" / "02" / "hello" / "index.html").is_file()
    assert (out / "tags.json").is_file()  # Material's tags plugin still ran
    guide = (out / "guide" / "index.html").read_text(encoding="utf-8")
    assert 'href="../papers/"' in guide  # a nav tab and a link to the digest home
    home = (out / "papers" / "index.html").read_text(encoding="utf-8")
    assert 'href="papers/2503.04504/"' in home
    paper = out / "papers" / "papers" / "2503.04504" / "index.html"
    assert "AnyAnomaly" in paper.read_text(encoding="utf-8")
    assert "https://lab.example.net/papers/papers/2503.04504/" in (
        out / "papers" / "feed.xml").read_text(encoding="utf-8")
    assert "AnyAnomaly" in (out / "search" / "search_index.json").read_text(encoding="utf-8")
    checked = _run([str(python), "-m", "paperdigest", "check"], cwd=site, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(("setting", "extra"), [
    ("cards: true\n      search: none", "cards: true draws share cards with Pillow, which is "
     "not installed: pip install 'paperdigest[cards]', or set cards: false"),
    ("cards: false\n      search: pagefind", "search needs Pagefind's extended build; install "
     "it with: pip install 'paperdigest[search]'"),
])
def test_a_feature_without_its_extra_names_the_extra(tmp_path: Path, wheel: Path,
                                                     setting: str, extra: str) -> None:
    python = _fresh_env(tmp_path, wheel, extras=False)
    site = tmp_path / "lab"
    config = LAB_CONFIG.replace("search: none\n      cards: false", setting)
    write_tree(site, {"mkdocs.yml": config, "docs/index.md": "# Lab\n",
                      "docs/guide.md": "# Guide\n", "docs/blog/index.md": "# Blog\n",
                      "content/papers/2503.04504.md": digest(), "content/authors/.keep": ""})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": ""}
    built = _run([str(python), "-m", "mkdocs", "build", "--strict"], cwd=site, env=env)
    assert built.returncode == 1
    assert extra in built.stderr and "Traceback" not in built.stderr
