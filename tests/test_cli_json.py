"""The command line at its edges: errors of ``--json`` commands as JSON, and an import that
cannot fetch says so (offline: a ``MockTransport`` that fails, a fake clock)."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from conftest import DATA
from fakeclock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.cli import main
from paperdigest.sources import http
from paperdigest.sources.arxiv import API_ENV
from paperdigest.sources.http import Limits, Network, Timing

Make = Callable[[Mapping[str, str | bytes]], Path]


def invoke(root: Path, *args: str, obj: dict[str, object] | None = None) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], obj=obj or {})


def json_error(result: Result) -> str:
    """The error of a JSON command: one JSON object on stdout, nothing else."""
    out = json.loads(result.stdout)
    assert set(out) == {"ok", "error"} and out["ok"] is False
    assert result.stderr == ""
    assert isinstance(out["error"], str)
    return out["error"]


def test_blurb_thread_of_an_unknown_paper_answers_in_json(project: Make) -> None:
    root = project({})
    result = invoke(root, "blurb", "--thread", "2503.99999", "--json")
    assert result.exit_code == 1
    assert json_error(result) == ("no digest of arXiv:2503.99999 in content/papers: write one "
                                  "with `paperdigest new 2503.99999`")
    plain = invoke(root, "blurb", "--thread", "2503.99999")
    assert plain.exit_code == 1 and plain.stderr.startswith("Error: no digest of arXiv")


def test_blurb_thread_errors_are_always_json(project: Make) -> None:
    root = project({})

    @given(wanted=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                          min_size=1, max_size=30).filter(lambda t: not t.startswith("-")))
    @settings(max_examples=25, deadline=None)
    def answers_in_json(wanted: str) -> None:
        result = invoke(root, "blurb", "--thread", wanted, "--json")
        assert result.exit_code == 1
        error = json_error(result)
        assert error.startswith((f"'{wanted}' is not an arXiv id", "no digest of arXiv:"))

    answers_in_json()


def test_blurb_usage_errors_answer_in_json(project: Make) -> None:
    root = project({})
    result = invoke(root, "blurb", "--json")
    assert result.exit_code == 2
    assert json_error(result) == "give TEXT to count (- for standard input) or --thread ID"
    both = invoke(root, "blurb", "text", "--thread", "2503.04504", "--json")
    assert (both.exit_code, json_error(both)) == (2, "give TEXT or --thread ID, not both")


def test_check_json_without_a_papers_folder(project: Make) -> None:
    root = project({})
    shutil.rmtree(root / "content" / "papers")
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 1
    assert json_error(result) == (f"no content/papers folder in {root}: run this in the "
                                  "project folder or pass --config-file")
    assert invoke(root, "check").stderr.startswith("Error: no content/papers folder")


def offline(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], Clock,
                                                            dict[str, object]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    clock = Clock()
    network = Network(factory=functools.partial(http.make_client,
                                                transport=httpx.MockTransport(handler)),
                      timing=Timing(clock=clock, sleep=clock.sleep), limits=Limits())
    return seen, clock, {"network": network}


@pytest.fixture(autouse=True)
def _no_api_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_ENV, raising=False)


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_fetch_offline_reports_and_fails(project: Make, dry_run: bool) -> None:
    root = project({})
    seen, clock, obj = offline(httpx.ConnectError("[Errno -2] Name or service not known"))
    args = ["import", "--fetch", *(["--dry-run"] if dry_run else []), str(DATA / "import" /
                                                                          "dump.md")]
    result = invoke(root, *args, obj=obj)
    assert result.exit_code == 1
    assert ("cannot reach export.arxiv.org: check your connection or set "
            "PAPERDIGEST_ARXIV_API (the name does not resolve)") in result.stderr
    assert (len(seen), clock.sleeps) == (1, [])
    assert list((root / "content" / "papers").iterdir()) == []


def test_authors_refresh_offline_says_so_at_once(tmp_path: Path) -> None:
    from test_metrics import RECORD, refresh_cli
    from test_metrics import offline as metrics_offline

    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    (folder / "jason-priem.yaml").write_text(RECORD, encoding="utf-8")
    asked: list[httpx.Request] = []

    def down(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    clock = Clock()
    result = refresh_cli(tmp_path, metrics_offline(down, clock))
    assert result.exit_code == 1
    assert ("failed: jason-priem (Jason Priem): cannot reach api.openalex.org: check your "
            "connection or set PAPERDIGEST_OPENALEX_API (the name does not resolve)"
            ) in result.stderr
    assert "try again later" not in result.stderr
    assert (len(asked), clock.sleeps) == (1, [])  # one attempt, no waiting
    assert (folder / "jason-priem.yaml").read_text(encoding="utf-8") == RECORD
