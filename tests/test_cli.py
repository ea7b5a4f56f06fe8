from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, digest, move_content
from paperdigest.cli import github_annotation, main
from paperdigest.errors import Problem

Make = Callable[[Mapping[str, str | bytes]], Path]


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_check_ok(project: Make) -> None:
    code, out, _ = run(project({"content/papers/a.md": digest(added="2025-03-07")}), "check")
    assert code == 0
    assert out == "OK: 1 papers, 2 authors, 3 tags.\n"


def test_check_warns_while_site_url_is_the_example(project: Make) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07")})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "site_url: https://digests.paperdigest.dev/", "site_url: https://www.example.com/x/"),
        encoding="utf-8")
    code, out, _ = run(root, "check")
    assert code == 0
    assert out.splitlines() == [
        "mkdocs.yml:3: warning: site_url: is still the example address "
        "https://www.example.com/x/: set it to the address where the site is published "
        "(share links, feeds and citations use it)",
        "OK: 1 papers, 2 authors, 3 tags.",
    ]


def test_check_follows_the_content_dir_of_mkdocs_yml(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07")})
    move_content(root)
    (root / "digests/papers/b.md").write_text(digest("2503.00002", front="date: x\n"),
                                             encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = CliRunner().invoke(main, ["--config-file", str(root / "mkdocs.yml"), "check"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "digests/papers/b.md:2: date: 'x' is not a date: write it as YYYY-MM-DD, e.g. 2025-03-06"]


def test_a_broken_mkdocs_yml_is_a_message(project: Make) -> None:
    root = project({"content/papers/a.md": digest()})
    (root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: content/pages\nplugins:\n"
                                     "  - paperdigest:\n      per_page: many\n",
                                     encoding="utf-8")
    code, _, err = run(root, "check")
    assert code == 1
    assert err == (f"Error: {root / 'mkdocs.yml'}: Config value 'plugins': Plugin "
                   "'paperdigest' option 'per_page': Expected type: <class 'int'> but received: "
                   "<class 'str'>: fix mkdocs.yml (mkdocs build says the same)\n")


def test_check_reports_every_problem_with_file_and_line(project: Make) -> None:
    root = project({
        "content/papers/a.md": digest(front="tag: [x]\nauthors: [42]\n"),
        "content/papers/b.md": digest("2503.00002", front="date: 2025-13-01\n"),
    })
    code, out, err = run(root, "check")
    assert code == 1
    assert out.splitlines() == [
        "content/papers/a.md:2: tag: unknown key: did you mean 'tags'?",
        "content/papers/a.md:3: authors[0]: expected a name, got the number 42: quote it if "
        "it is meant as text",
        "content/papers/b.md:2: date: '2025-13-01' is not a real date: write it as YYYY-MM-DD",
    ]
    assert err == "3 problems found.\n"


def test_check_limited_to_paths(project: Make) -> None:
    root = project({
        "content/papers/a.md": digest(front="tag: [x]\n"),
        "content/papers/b.md": digest("2503.00002", front="date: x\n"),
    })
    code, out, _ = run(root, "check", str(root / "content/papers/b.md"))
    assert code == 1
    assert out.splitlines() == ["content/papers/b.md:2: date: 'x' is not a date: write it as "
                                "YYYY-MM-DD, e.g. 2025-03-06"]


def test_check_json(project: Make) -> None:
    root = project({"content/papers/a.md": digest(front="tag: [x]\n")})
    code, out, _ = run(root, "check", "--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "ok": False, "errors": 1, "warnings": 0,
        "problems": [{"path": "content/papers/a.md", "line": 2, "column": None, "field": "tag",
                      "severity": "error", "message": "unknown key: did you mean 'tags'?"}],
    }


def test_check_github_annotations_and_summary(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest(front="tag: [x]\n")})
    summary = tmp_path / "summary.md"
    code, out, err = run(root, "check", "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1
    assert out == ("::error file=content/papers/a.md,line=2,title=paperdigest%3A tag::"
                   "tag: unknown key: did you mean 'tags'?\n")
    assert "content/papers/a.md:2: tag: unknown key" in err
    assert "| content/papers/a.md | 2 | tag | unknown key: did you mean 'tags'? |" in (
        summary.read_text(encoding="utf-8"))


def test_annotation_escaping() -> None:
    problem = Problem("a,b:c.md", 3, "x", "100% wrong\r\nsecond: line, here", column=4)
    assert github_annotation(problem) == (
        "::error file=a%2Cb%3Ac.md,line=3,col=4,title=paperdigest%3A x::"
        "x: 100%25 wrong%0D%0Asecond: line, here"
    )


def test_check_without_content(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "check")
    assert code == 1
    assert "no content/papers folder in" in err


def test_export_writes_every_page(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest()})
    out = tmp_path / "out"
    code, stdout, _ = run(root, "export", str(out))
    assert code == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert "papers/2503.04504.md" in written and "index.md" in written
    assert (out / "feed.xml").exists() and (out / "papers.json").exists()
    others = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".md"]
    assert stdout == (f"wrote {len(written)} pages and {len(others)} feeds, data files and "
                      f"share cards to {out}\n")
    assert (out / "assets/cards/papers/2503.04504.png").read_bytes().startswith(b"\x89PNG")
    assert "# AnyAnomaly" in (out / "papers/2503.04504.md").read_text(encoding="utf-8")


def test_export_refuses_invalid_content(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest(front="tag: x\n")})
    code, _, err = run(root, "export", str(tmp_path / "out"))
    assert code == 1
    assert "content/papers/a.md:2: tag: unknown key" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "length", "code"), [("あ" * 128, 256, 0), ("あ" * 129, 258, 1)])
def test_blurb_command(text: str, length: int, code: int) -> None:
    result = CliRunner().invoke(main, ["blurb", "--json", text])
    assert result.exit_code == code
    data = json.loads(result.stdout)
    assert data["weighted_length"] == length
    assert (data["limit"], data["share_limit"], data["ok"]) == (280, 256, code == 0)


def test_blurb_from_stdin() -> None:
    result = CliRunner().invoke(main, ["blurb", "-"], input="AnyAnomaly 🎉\n")
    assert result.exit_code == 0
    assert result.stdout == "13 / 280 as X counts it (243 left with the page link attached)\n"


def _digests_project(project: Make) -> Path:
    """A project whose mkdocs.yml says ``content_dir: digests``."""
    root = project({"content/papers/a.md": digest()})
    move_content(root)
    return root


def test_authors_add_and_refresh_follow_the_content_dir(project: Make) -> None:
    import functools

    import httpx
    from paperdigest.sources.http import Limits, Network, Timing, make_client

    root = _digests_project(project)
    code, out, err = run(root, "authors", "add", "Ann Lee", "--openalex", "A5023888391")
    assert (code, out, err) == (0, "wrote digests/authors/ann-lee.yaml\n", "")
    assert not (root / "content").exists()
    figures = {"id": "https://openalex.org/A5023888391", "works_count": 67,
               "cited_by_count": 4261, "summary_stats": {"h_index": 21}}
    listed = {"meta": {"next_cursor": None}, "results": [
        {"display_name": "Altmetrics: a manifesto", "publication_date": "2010-10-26",
         "cited_by_count": 1403}]}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=listed if request.url.path == "/works" else
                              {**figures, "counts_by_year": [{"year": 2025,
                                                              "cited_by_count": 455}]})

    network = Network(factory=functools.partial(make_client, transport=httpx.MockTransport(
        answer)),
        timing=Timing(sleep=lambda s: None, today=lambda: dt.date(2026, 11, 22)),
        limits=Limits())
    result = CliRunner().invoke(main, ["--root", str(root), "authors", "refresh", "--dry-run"],
                                obj={"network": network})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["--- a/digests/authors/ann-lee.yaml",
                                              "+++ b/digests/authors/ann-lee.yaml"]
    assert "+++ b/digests/authors/ann-lee.works.json" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-2:] == [
        "updated: ann-lee (Ann Lee): h-index 21, 4,261 citations, 67 papers, 1 works listed",
        "1 updated, 0 unchanged, 0 skipped, 0 failed (dry run: nothing written)"]
    code, _, _ = run(root, "check")
    assert code == 0


def test_authors_refresh_without_an_authors_folder(project: Make) -> None:
    root = _digests_project(project)
    (root / "digests/authors").rmdir()
    code, _, err = run(root, "authors", "refresh")
    assert code == 1
    assert err == ("Error: digests/authors: no such folder: add a record with `paperdigest "
                   "authors add`, or check content_dir in mkdocs.yml\n")


def test_authors_add_into_a_read_only_folder(project: Make,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import tempfile

    root = project({})

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = run(root, "authors", "add", "Ann Lee")
    assert code == 1
    assert err == ("Error: content/authors/ann-lee.yaml: Permission denied: make the folder "
                   "writable, or run the command where you may write\n")
    assert list((root / "content/authors").iterdir()) == []


def test_import_fetch_fills_the_code_link_named_in_the_abstract(project: Make,
                                                                tmp_path: Path) -> None:
    import functools

    import httpx
    from paperdigest.sources.http import Limits, Network, Timing, make_client

    root = project({})
    recorded = (DATA / "arxiv" / "2503.04504.xml").read_text(encoding="utf-8")
    answer = recorded.replace("keeps only the opening of the abstract.",
                              "Code: https://github.com/SkiddieAhn/Paper-AnyAnomaly.")
    network = Network(factory=functools.partial(make_client, transport=httpx.MockTransport(
        lambda request: httpx.Response(200, text=answer))),
        timing=Timing(sleep=lambda s: None, today=lambda: dt.date(2026, 11, 22)),
        limits=Limits())
    dump = tmp_path / "dump.md"
    dump.write_text(digest().split("---\n", 2)[2].lstrip("\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "import", "--fetch", str(dump)],
                                obj={"network": network})
    assert result.exit_code == 0, result.output
    text = (root / "content/papers/2503.04504.md").read_text(encoding="utf-8")
    assert 'code: "https://github.com/SkiddieAhn/Paper-AnyAnomaly"' in text
    assert "category: cs.CV" in text or 'category: "cs.CV"' in text
