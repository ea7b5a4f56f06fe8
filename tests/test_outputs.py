"""One path from content to outputs: the plugin and the commands agree on what a project is
and on what it generates; settings are declared once, in ``PluginConfig``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import digest
from mkdocs.config import load_config
from paperdigest.cli import main
from paperdigest.content.loader import LoadCache
from paperdigest.content.model import Site
from paperdigest.errors import Problem, Problems, Severity
from paperdigest.project import Project
from paperdigest.site import generated
from paperdigest.site.cachestore import Store
from paperdigest.site.outputs import file_bytes, project_content
from paperdigest.site.plugin import PaperdigestPlugin
from paperdigest.site.render import render_files, render_site
from paperdigest.site.settings import PluginConfig, default_project, load_project

Make = Callable[[Mapping[str, str | bytes]], Path]

RECORD = "name: Sunghyun Ahn\naffiliation: Yonsei University\n"


def _plugin_outputs(root: Path) -> dict[str, bytes]:
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["paperdigest"]
    assert isinstance(plugin, PaperdigestPlugin)
    config.plugins.on_config(config)  # type: ignore[attr-defined]
    files = {uri: file_bytes(data) for uri, data in plugin.files.items()}
    return {uri: data if isinstance(data, bytes) else data.encode("utf-8")
            for uri, data in {**plugin.pages, **files}.items()}


def _exported(root: Path, out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(main, ["--config-file", str(root / "mkdocs.yml"), "export",
                                       str(out)])
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_plugin_and_export_generate_the_same_outputs(project: Make, tmp_path: Path) -> None:
    root = project({
        "content/papers/a.md": digest(),
        "content/papers/b.md": digest("2106.09685", title="LoRA", front="draft: true\n"),
        "content/authors/sunghyun-ahn.yaml": RECORD,
    })
    config = root / "mkdocs.yml"
    # Settings away from their defaults must reach both paths alike.
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest", "  - paperdigest:\n      per_page: 1\n      drafts: true\n"
        "      score_label: 評価"), encoding="utf-8")
    assert load_project(config).per_page == 1
    built = _plugin_outputs(root)
    exported = _exported(root, tmp_path / "out")
    assert "papers/2106.09685.md" in built  # the draft, as drafts: true asks
    assert "papers/page/2.md" in built  # per_page: 1
    assert any(uri.endswith(".png") for uri in built)  # the share cards
    assert sorted(exported) == sorted(built)
    assert exported == built


def test_export_checks_the_hand_written_pages_as_the_build_does(project: Make,
                                                                tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest(),
                    "content/pages/papers/2503.04504.md": "# Mine\n"})
    result = CliRunner().invoke(main, ["--config-file", str(root / "mkdocs.yml"), "export",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "content/pages/papers/2503.04504.md: 'papers/2503.04504.md' is where the site " \
        "puts its own 'papers'" in result.output
    assert not (tmp_path / "out").exists()


def test_project_declares_no_default_of_its_own() -> None:
    missing = dataclasses.MISSING
    assert [f.name for f in dataclasses.fields(Project)
            if f.default is not missing or f.default_factory is not missing] == []


def test_defaults_come_from_the_plugin_config(tmp_path: Path) -> None:
    """A folder without mkdocs.yml and a mkdocs.yml with a bare plugin entry get the same
    settings: those ``PluginConfig`` declares."""
    bare = default_project(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: paperdigest\nsite_url: https://example.org/\ndocs_dir: content/pages\n"
        "theme:\n  name: material\nplugins:\n  - paperdigest\n", encoding="utf-8")
    (tmp_path / "content" / "pages").mkdir(parents=True)
    configured = load_project(tmp_path / "mkdocs.yml")
    assert dataclasses.replace(configured, config_file=None) == bare
    block = PluginConfig()
    block.load_dict({})
    assert not block.validate()[0]
    for name in ("per_page", "home_count", "authors_per_index", "drafts", "search",
                 "score_label", "score_note", "contributing_url", "cards"):
        assert getattr(bare, name) == block[name], name


# --- problems and errors: one severity type, one collector, one place for messages ----------

def test_severity_is_an_enum_and_reads_as_before() -> None:
    problem = Problem("a.md", 1, None, "w", Severity.WARNING)
    assert not problem.is_error and str(problem) == "a.md:1: warning: w"
    assert json.dumps({"severity": problem.severity}) == '{"severity": "warning"}'
    found = Problems()
    found.add("b.md", 2, "title", "bad")
    found.add("a.md", None, None, "odd", Severity.WARNING)
    assert found.has_errors and [p.path for p in found.errors] == ["b.md"]
    assert [p.path for p in found.in_order()] == ["a.md", "b.md"]


def test_cli_errors_become_messages_in_one_place(project: Make, tmp_path: Path) -> None:
    source = (Path(__file__).parent.parent / "generator/paperdigest/cli.py").read_text(
        encoding="utf-8")
    assert source.count("except PaperdigestError") == 1
    root = project({"content/papers/a.md": digest()})
    summary = tmp_path / "summary-is-a-folder"
    summary.mkdir()
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--format", "github"],
                                env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.endswith(f"Error: {summary}: Is a directory: check the path and run "
                                  "it again\n")


def _rendered(root: Path, cache: LoadCache | None = None) -> tuple[Site, Project]:
    project = default_project(root, cards=False)
    site, problems = project_content(project, cache)
    assert site is not None, problems
    return site, project


def test_the_generator_output_is_kept_by_its_inputs_and_equals_a_fresh_render(
        project: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"content/papers/a.md": digest("2503.00001", added="2025-04-01"),
                    "content/papers/b.md": digest("2503.00002", added="2025-04-02"),
                    "content/authors/ann.yaml": RECORD})
    store = Store(tmp_path / "outputs", b"0" * 64, ".out")
    site, proj = _rendered(root)
    fresh = render_site(site, proj), render_files(site, proj)
    used: set[str] = set()
    assert generated.generate(site, proj, store, used) == fresh
    assert generated.inputs_digest(site, proj) in used  # with one entry per paper page
    assert len(used) == 1 + len(site.papers) + 1  # and the related lists
    # A later build: its own load of the same files (from the shelf or not), no memory of
    # the last render, and nothing rendered.
    monkeypatch.setattr(generated, "_LAST", None)
    monkeypatch.setattr(generated, "render_site", _must_not_render)
    again, _ = _rendered(root)
    assert generated.inputs_digest(again, proj) == generated.inputs_digest(site, proj)
    assert generated.generate(again, proj, store) == fresh
    # Whatever a page shows changes the key: a record, a setting, a template.
    (root / "content/authors/ann.yaml").write_text(RECORD.replace("Yonsei", "Seoul"),
                                                   encoding="utf-8")
    edited, _ = _rendered(root)
    keys = {generated.inputs_digest(s, p) for s, p in [
        (site, proj), (edited, proj), (site, dataclasses.replace(proj, per_page=1)),
        (site, dataclasses.replace(proj, site_name="Other"))]}
    assert len(keys) == 4


def test_a_damaged_output_entry_is_rendered_again(project: Make, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"content/papers/a.md": digest("2503.00001", added="2025-04-01")})
    store = Store(tmp_path / "outputs", b"0" * 64, ".out")
    site, proj = _rendered(root)
    fresh = generated.generate(site, proj, store)
    for path in (tmp_path / "outputs").rglob("*.out"):
        data = path.read_bytes()
        path.write_bytes(data[:-10] + b"0123456789")  # the tag no longer matches
    monkeypatch.setattr(generated, "_LAST", None)
    calls: list[object] = []
    monkeypatch.setattr(generated, "render_site",
                        lambda *a, **kw: calls.append(a) or render_site(*a, **kw))  # type: ignore[func-returns-value]
    assert generated.generate(site, proj, store) == fresh and len(calls) == 1


def _must_not_render(*args: object) -> None:
    raise AssertionError("rendered although the same inputs were rendered before")


def test_the_link_check_takes_the_rendered_site_from_the_cache_too(
        project: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = "- [LoRA](2106.09685.md) と比べる。\n\n## 2."
    root = project({"content/papers/a.md": digest("2503.00001", added="2025-04-01").replace(
        "## 2.", link, 1),
        "content/papers/b.md": digest("2106.09685", added="2025-04-02")})
    store = Store(tmp_path / "outputs", b"0" * 64, ".out")
    proj = default_project(root, cards=False)
    used: set[str] = set()
    site, problems = project_content(proj, None, store, used)
    assert site is not None, problems
    assert generated.inputs_digest(site, proj) in used  # the check rendered, and kept it
    monkeypatch.setattr(generated, "_LAST", None)
    monkeypatch.setattr(generated, "render_site", _must_not_render)
    again, _ = project_content(proj, None, store, set())
    assert again is not None
