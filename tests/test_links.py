"""Links in digests: ``paperdigest check`` refuses exactly the links ``mkdocs build --strict``
refuses, and both name the digest's line and the form that works."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import SECTIONS, digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from paperdigest.content.loader import check_content
from paperdigest.site import plugin
from paperdigest.site.pagemap import render_for_links
from paperdigest.site.settings import load_project
from test_site_build import build

Make = Callable[[Mapping[str, str | bytes]], Path]

LORA = digest("2106.09685", title="LoRA")
RECORD = "name: Takuya Akiba\n"
LISTED = ["2106.0968.md", "../2106.09685.md", "../authors/takuya-akiba.yaml",
          "2106.09685.md#no-such-anchor", "nothere/"]
"""The forms a contributor got wrong, each with the form that works."""
FIXED = {"2106.0968.md": "2106.09685.md", "../2106.09685.md": "2106.09685.md",
         "../authors/takuya-akiba.yaml": "../authors/takuya-akiba.md",
         "2106.09685.md#no-such-anchor": "2106.09685.md"}
ACCEPTED = ["2106.09685.md", "2106.09685.md#section-3", "./2106.09685.md#cite",
            "../papers/2106.09685.md", "../authors/takuya-akiba.md", "../tags/llm.md",
            "../about.md", "../index.md", "#section-2", "?x=1", "https://example.org/x",
            "mailto:a@example.org", "//example.org/x", "/papers/2106.09685/",
            "../feed.xml", "../papers.json", "2106.09685.md?x=1#section-8"]


def with_link(arxiv: str, target: str, text: str = "LoRA") -> str:
    body = f"UBnormalで最高精度。\n\n詳しくは [{text}]({target}) を参照。"
    return digest(arxiv, sections=SECTIONS.replace("UBnormalで最高精度。", body))


def corpus(project: Make, targets: list[str]) -> tuple[Path, dict[str, str]]:
    """A project with one digest per link target; ``{digest path: target}``."""
    files: dict[str, str | bytes] = {"content/papers/2106.09685.md": LORA,
                                     "content/authors/takuya-akiba.yaml": RECORD}
    where = {}
    for i, target in enumerate(targets):
        path = f"content/papers/2503.{20000 + i}.md"
        files[path] = with_link(f"2503.{20000 + i}", target)
        where[path] = target
    root = project(files)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      search: none\n      cards: false\n"),
        encoding="utf-8")
    return root, where


def check_refuses(root: Path) -> set[str]:
    """Digests whose links ``check`` refuses."""
    project = load_project(root / "mkdocs.yml")
    _, problems = check_content(project.content_dir, root=root, pages_dir=project.docs_dir,
                                page_map=lambda s: render_for_links(s, project))
    assert all(p.field == "link" for p in problems if p.severity == "error"), problems
    return {p.path for p in problems if p.field == "link"}


def mkdocs_refuses(root: Path, where: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
                   ) -> set[str]:
    """Digests whose generated page MkDocs itself warns about in a strict build (the
    plugin's own link check turned off, so that MkDocs' validation decides)."""
    monkeypatch.setattr(plugin, "render_for_links", lambda site, project: None)
    warnings: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Keep()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=True)
        monkeypatch.chdir(root)
        mkdocs_build(config)
    except (Abort, PluginError):
        pass  # a strict build that warned
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    refused = set()
    for path in where:
        page = f"papers/{Path(path).stem}.md"
        if any(f"'{page}'" in w for w in warnings):
            refused.add(path)
    return refused


PREFIXES = ["", "./", "../", "../../", "/", "papers/", "../papers/", "../authors/", "../tags/",
            "../categories/"]
NAMES = ["2106.09685", "2106.0968", "2503.20000", "takuya-akiba", "sunghyun-ahn", "llm",
         "about", "index", "nothere", "cs.cv", "feed", "papers", ""]
SUFFIXES = [".md", "/", "", ".yaml", ".html", "/index.md", ".MD", ".xml", ".json"]
ANCHORS = ["", "", "#section-3", "#no-such-anchor", "#cite", "#related", "#lora", "#"]
targets = st.builds(lambda p, n, s, a: p + n + s + a, st.sampled_from(PREFIXES),
                    st.sampled_from(NAMES), st.sampled_from(SUFFIXES),
                    st.sampled_from(ANCHORS)).filter(lambda t: t.strip() and t != "#")


@settings(max_examples=1, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=st.lists(targets, min_size=40, max_size=40, unique=True))
def test_check_and_mkdocs_refuse_the_same_links(project: Make, monkeypatch: pytest.MonkeyPatch,
                                                 generated: list[str]) -> None:
    """One build judges every form (a hypothesis draw of 40 and the listed ones)."""
    forms = list(dict.fromkeys([*LISTED, *ACCEPTED, "#nope", "2106.09685/", *generated]))
    root, where = corpus(project, forms)
    by_check = check_refuses(root)
    by_mkdocs = mkdocs_refuses(root, where, monkeypatch)
    assert {where[p] for p in by_check} == {where[p] for p in by_mkdocs}
    assert set(LISTED) <= {where[p] for p in by_check}
    assert not set(ACCEPTED) & {where[p] for p in by_check}


def test_the_build_names_the_digest_line_and_the_form_that_works(project: Make,
                                                                  tmp_path: Path) -> None:
    root, where = corpus(project, LISTED)
    result = build(root / "mkdocs.yml", tmp_path / "out")
    assert result.returncode != 0
    assert "Doc file 'papers/" not in result.stderr  # never MkDocs' message about the page
    for path, target in where.items():
        line = with_link("2503.20000", target).split("\n").index(
            f"詳しくは [LoRA]({target}) を参照。") + 1
        fix = f" — write [LoRA]({FIXED[target]})" if target in FIXED else " — write [text]("
        assert f"{path}:{line}: link: '{target}': " in result.stderr
        assert any(fix in row for row in result.stderr.splitlines()
                   if row.startswith(f"{path}:{line}:")), (target, result.stderr)


def test_a_digest_linking_right_builds(project: Make, tmp_path: Path) -> None:
    root, _ = corpus(project, ACCEPTED)
    result = build(root / "mkdocs.yml", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "papers" / "2503.20000" / "index.html").read_text("utf-8")
    assert 'href="../2106.09685/"' in html
