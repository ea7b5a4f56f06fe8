"""Author metrics clients and ``paperdigest authors``, offline through MockTransport."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import DATA

from generator import metrics as metrics_mod
from generator.cli import main
from generator.errors import MetricsError
from generator.metrics import OPENALEX, S2, MetricsClient

TODAY = dt.date(2026, 11, 22)
Handler = Callable[[httpx.Request], httpx.Response]


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(DATA / "metrics" / name).read_bytes(),
                          headers={"content-type": "application/json"})


def client(source: str, handler: Handler, sleeps: list[float] | None = None,
           **kw: object) -> MetricsClient:
    http = metrics_mod.make_client()
    http._transport = httpx.MockTransport(handler)
    box = sleeps if sleeps is not None else []
    return MetricsClient(http, source, today=lambda: TODAY, sleep=box.append,
                         clock=lambda: 0.0, min_interval=0.0, **kw)  # type: ignore[arg-type]


def test_openalex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", "k123")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer("openalex_A5023888391.json")

    m = client(OPENALEX, handler, base_url="http://oa.test").fetch("https://openalex.org/A5023888391")
    assert (m.h_index, m.citations, m.papers, m.as_of, m.source, m.source_id) == (
        17, 11890, 61, TODAY, "openalex", "A5023888391")
    assert str(seen[0].url) == "http://oa.test/authors/A5023888391?api_key=k123"


def test_openalex_follows_merged_author() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/A5000000001"):
            return httpx.Response(301, headers={"Location": "http://oa.test/authors/A5023888391"})
        return answer("openalex_A5023888391.json")

    m = client(OPENALEX, handler, base_url="http://oa.test").fetch("A5000000001")
    assert m.source_id == "A5023888391"


def test_semantic_scholar_with_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDIGEST_S2_API", "http://s2.test/graph/v1")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer("s2_1741101.json")

    m = client(S2, handler, api_key="s2key").fetch("1741101")
    assert (m.h_index, m.citations, m.papers, m.source) == (10, 6, 4, "semantic-scholar")
    assert str(seen[0].url) == ("http://s2.test/graph/v1/author/1741101?"
                                "fields=hIndex%2CcitationCount%2CpaperCount")
    assert seen[0].headers["x-api-key"] == "s2key"


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ([httpx.Response(404)], "OpenAlex has no author with id A1234: check the id in the record"),
        ([httpx.Response(200, content=b"{not json")], "OpenAlex answered A1234 with invalid JSON"),
        (["missing"], "OpenAlex's answer for A1234 has no summary_stats.h_index"),
        ([httpx.Response(503)] * 3,
         "OpenAlex did not answer for A1234 after 3 attempts (last: HTTP 503)"),
        (["timeout"] * 3, "OpenAlex did not answer for A1234 after 3 attempts (last: timed out)"),
    ],
)
def test_failures(responses: list[object], message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        item = responses.pop(0)
        if item == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if item == "missing":
            return answer("openalex_missing_field.json")
        assert isinstance(item, httpx.Response)
        return item

    with pytest.raises(MetricsError) as info:
        client(OPENALEX, handler, max_retries=2).fetch("A1234")
    assert str(info.value) == message


def test_429_honours_retry_after() -> None:
    replies = [httpx.Response(429, headers={"Retry-After": "9"}), answer("s2_1741101.json")]
    sleeps: list[float] = []
    m = client(S2, lambda r: replies.pop(0), sleeps).fetch("1741101")
    assert m.h_index == 10 and sleeps == [9.0]


RECORD = """\
# Takuya Akiba: figures refreshed by the weekly job
name: Takuya Akiba
native_name: 秋葉 拓哉   # as on his pages
openalex: A5023888391
metrics:
  h_index: 16   # copied by hand
  citations: 11268
  novelty: 49%
  as_of: 2026-11-01
  source: profile page

bio: 'Optuna の筆頭著者。'
"""


def test_refresh_rewrites_only_the_metrics_values(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "content/authors"
    folder.mkdir(parents=True)
    (folder / "takuya-akiba.yaml").write_text(RECORD, encoding="utf-8")
    (folder / "no-ids.yaml").write_text("name: Nobody\n", encoding="utf-8")
    (folder / "broken-id.yaml").write_text("name: Broken\nsemantic_scholar: '999'\n",
                                           encoding="utf-8")

    def handler(request: httpx.Request) -> httpx.Response:
        if "openalex" in request.url.host or request.url.host == "oa.test":
            return answer("openalex_A5023888391.json")
        return httpx.Response(404)

    monkeypatch.setenv("PAPERDIGEST_OPENALEX_API", "http://oa.test")
    monkeypatch.setenv("PAPERDIGEST_S2_API", "http://s2.test/graph/v1")
    real = metrics_mod.make_client

    def fake(timeout: float = 20.0) -> httpx.Client:
        http = real(timeout)
        http._transport = httpx.MockTransport(handler)
        return http

    monkeypatch.setattr(metrics_mod, "make_client", fake)
    monkeypatch.setattr(metrics_mod, "clock_today", lambda: TODAY)
    monkeypatch.setattr(metrics_mod.time, "sleep", lambda s: None)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "authors", "refresh"])
    assert result.exit_code == 1
    assert "updated: takuya-akiba (Takuya Akiba): h-index 17, 11,890 citations, 61 papers" in (
        result.stdout)
    assert "skipped: no-ids (Nobody): no openalex or semantic_scholar id in the record" in (
        result.stdout)
    assert ("failed: broken-id (Broken): Semantic Scholar has no author with id 999: check the "
            "id in the record; kept the old values") in result.stderr
    assert result.stdout.splitlines()[-1] == "1 updated, 0 unchanged, 1 skipped, 1 failed"
    assert (folder / "takuya-akiba.yaml").read_text(encoding="utf-8") == RECORD.replace(
        "h_index: 16   # copied by hand", "h_index: 17   # copied by hand").replace(
        "citations: 11268", "citations: 11890").replace(
        "as_of: 2026-11-01", "as_of: 2026-11-22").replace(
        "source: profile page", "source: openalex\n  papers: 61").replace(
        "novelty: 49%\n", "novelty: 49%\n")
    assert (folder / "broken-id.yaml").read_text(encoding="utf-8") == (
        "name: Broken\nsemantic_scholar: '999'\n")


def test_authors_add(tmp_path: Path) -> None:
    (tmp_path / "content/authors").mkdir(parents=True)
    run = CliRunner().invoke
    result = run(main, ["--root", str(tmp_path), "authors", "add", "Shotaro Sano",
                        "--openalex", "A5000000003"])
    assert result.exit_code == 0 and result.stdout == "wrote content/authors/shotaro-sano.yaml\n"
    assert (tmp_path / "content/authors/shotaro-sano.yaml").read_text(encoding="utf-8") == (
        "name: Shotaro Sano\nopenalex: A5000000003\n"
        "# native_name, affiliation, homepage, x, github, orcid, bio: see CONTRIBUTING.md\n")
    again = run(main, ["--root", str(tmp_path), "authors", "add", "Shotaro Sano"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    japanese = run(main, ["--root", str(tmp_path), "authors", "add", "岡野原 大輔"])
    assert japanese.exit_code == 1 and "pass --id with a lower-case ASCII id" in japanese.stderr
