"""Links in digests: ``paperdigest check`` refuses exactly the links ``mkdocs build --strict``
refuses, and both name the digest's line and the form that works."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SECTIONS, SITE_URL, digest, write_tree
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from paperdigest.cli import main
from paperdigest.site import outputs
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


PAGE_TARGETS = ["papers/2106.09685.md", "papers/2106.0968.md", "about.md", "about.md#about",
                "about.md#nope", "authors/takuya-akiba.md", "../papers/2106.09685.md",
                "papers/2106.09685/", "papers/2106.09685.md#section-3", "tags/llm.md"]
"""Links from a hand-written page (``content/pages/p<n>.md``, at the root of the site)."""


def _fresh_project(parent: Path, files: Mapping[str, str | bytes]) -> Path:
    """What the ``project`` fixture makes, in a new folder under ``parent`` (hypothesis may
    run a test body more than once with the same fixtures)."""
    root = Path(tempfile.mkdtemp(dir=parent))
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace(
        "site_url: https://paperdigest.example.org/", f"site_url: {SITE_URL}"), encoding="utf-8")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    write_tree(root, {"content/pages/about.md": "# About\n\nサンプル。\n", **files})
    return root


def corpus(project: Make | Path, targets: list[str], page_targets: list[str] = ()
           ) -> tuple[Path, dict[str, str]]:
    """A project with one digest per link target, and one hand-written page per page
    target; ``{file: target}``."""
    files: dict[str, str | bytes] = {"content/papers/2106.09685.md": LORA,
                                     "content/authors/takuya-akiba.yaml": RECORD}
    where = {}
    for i, target in enumerate(targets):
        path = f"content/papers/2503.{20000 + i}.md"
        files[path] = with_link(f"2503.{20000 + i}", target)
        where[path] = target
    for i, target in enumerate(page_targets):
        path = f"content/pages/p{i}.md"
        files[path] = f"# Page {i}\n\nSee [this]({target}).\n"
        where[path] = target
    root = project(files) if callable(project) else _fresh_project(project, files)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      search: none\n      cards: false\n"),
        encoding="utf-8")
    return root, where


def check_refuses(root: Path) -> set[str]:
    """Digests whose links ``paperdigest check`` refuses."""
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    errors = [p for p in problems if p["severity"] == "error"]
    assert all(p["field"] == "link" for p in errors), errors
    assert result.exit_code == (1 if errors else 0)
    return {p["path"] for p in errors}


def mkdocs_refuses(root: Path, where: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
                   ) -> set[str]:
    """Digests whose generated page MkDocs itself warns about in a strict build (the
    plugin's own link check turned off, so that MkDocs' validation decides)."""
    warnings: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Keep()
    logger = logging.getLogger("mkdocs")
    level = logger.level  # an earlier `mkdocs build -q` in this process set it to ERROR
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with monkeypatch.context() as patch:  # undone before hypothesis runs the test again
            patch.setattr(outputs, "render_for_links", lambda *args: None)
            patch.chdir(root)
            config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"),
                                 strict=True)
            mkdocs_build(config)
    except (Abort, PluginError):
        pass  # a strict build that warned
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    refused = set()
    for path in where:
        page = (f"papers/{Path(path).stem}.md" if path.startswith("content/papers/")
                else path.removeprefix("content/pages/"))
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


@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=st.lists(targets, min_size=40, max_size=40, unique=True))
def test_check_and_mkdocs_refuse_the_same_links(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 generated: list[str]) -> None:
    """One build judges every form (a hypothesis draw of 40 and the listed ones)."""
    forms = list(dict.fromkeys([*LISTED, *ACCEPTED, "#nope", "2106.09685/", *generated]))
    root, where = corpus(tmp_path, forms, PAGE_TARGETS)
    by_check = check_refuses(root)
    by_mkdocs = mkdocs_refuses(root, where, monkeypatch)
    assert by_check == by_mkdocs
    assert {"content/pages/p1.md", "content/pages/p4.md"} <= by_check
    from_digests = {where[p] for p in by_check if p.startswith("content/papers/")}
    assert set(LISTED) <= from_digests
    assert not set(ACCEPTED) & from_digests


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


def test_many_broken_links_are_judged_in_linear_time() -> None:
    from growth import assert_linear
    from paperdigest.content.links import PageMap, link_problems

    def run(n: int) -> None:
        pages = PageMap(frozenset(f"papers/2503.{k:05d}.md" for k in range(n)),
                        lambda uri: None, lambda paper: "")
        body = "\n\n".join(f"[p{k}](2503.{k:05d}x.md)" for k in range(n))
        found = link_problems("content/papers/x.md", "papers/x.md", body, body, 1, pages)
        assert len(found) == n

    assert_linear(run, 200, label="broken links")


def test_an_old_style_digest_links_from_its_own_folder(project: Make) -> None:
    """``papers/hep-th/9711200.md`` sits a folder deeper: the fix says so."""
    root = project({"content/papers/2106.09685.md": LORA,
                    "content/papers/hep-th/9711200.md": with_link("hep-th/9711200",
                                                                  "2106.09685.md")})
    result = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert ("link: '2106.09685.md': no page or file of the site is there — write "
            "[LoRA](../2106.09685.md)") in result.output
