"""The arXiv client, offline: canned Atom answers in arXiv's shape through MockTransport."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import DATA

from generator import arxiv as arxiv_mod
from generator.arxiv import DEFAULT_API, USER_AGENT, ArxivClient, api_url_from_env, parse_feed
from generator.cli import main
from generator.errors import ArxivError
from generator.ids import parse_arxiv_id
from generator.loader import load_site

FEEDS = DATA / "arxiv"
Make = Callable[[Mapping[str, str | bytes]], Path]


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


class Clock:
    """A fake clock: sleeping advances time instantly and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_for(responses: list[httpx.Response | Exception], seen: list[httpx.Request],
               clock: Clock, **kw: object) -> ArxivClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = arxiv_mod.make_client()
    http._transport = httpx.MockTransport(handler)
    return ArxivClient(http, sleep=clock.sleep, clock=clock, **kw)  # type: ignore[arg-type]


def test_fetch_parses_every_field() -> None:
    seen: list[httpx.Request] = []
    clock = Clock()
    client = client_for([httpx.Response(200, content=feed("2503.04504.xml"))], seen, clock)
    record = client.fetch(parse_arxiv_id("2503.04504"))  # type: ignore[arg-type]
    assert record.id.full == "2503.04504v1"
    assert record.title == "AnyAnomaly: Zero-Shot Customizable Video Anomaly Detection with LVLM"
    assert record.abstract.startswith("Video anomaly detection (VAD) is crucial for video "
                                      "analysis and surveillance in computer vision.")
    assert record.authors == ("Sunghyun Ahn", "Youngwan Jo", "Kijung Lee")
    assert record.published == dt.date(2025, 3, 6)
    assert (record.primary_category, record.categories) == ("cs.CV", ("cs.CV", "cs.AI"))
    assert record.comment == "12 pages, 9 figures"
    assert record.abs_url == "https://arxiv.org/abs/2503.04504v1"
    assert record.pdf_url == "https://arxiv.org/pdf/2503.04504v1"
    (request,) = seen
    assert request.url.params["id_list"] == "2503.04504"
    assert request.url.params["max_results"] == "1"
    assert str(request.url).startswith(DEFAULT_API)
    assert request.headers["User-Agent"] == USER_AGENT


def test_versioned_and_old_style_ids() -> None:
    clock = Clock()
    seen: list[httpx.Request] = []
    client = client_for([httpx.Response(200, content=feed("2502.18968v2.xml")),
                         httpx.Response(200, content=feed("hep-th_9711200.xml"))], seen, clock)
    v2 = client.fetch(parse_arxiv_id("2502.18968v2"))  # type: ignore[arg-type]
    assert (v2.id.full, v2.published, v2.doi) == ("2502.18968v2", dt.date(2025, 2, 26),
                                                  "10.1234/example.5678")
    old = client.fetch(parse_arxiv_id("hep-th/9711200"))  # type: ignore[arg-type]
    assert (old.id.base, old.id.version, old.primary_category) == ("hep-th/9711200", "v3",
                                                                   "hep-th")
    assert seen[0].url.params["id_list"] == "2502.18968v2"
    assert clock.sleeps == [3.0]  # the second request waited its turn


def test_incorrect_id_format() -> None:
    client = client_for([httpx.Response(400, content=feed("error_400.xml"))], [], Clock())
    with pytest.raises(ArxivError) as info:
        client.fetch(parse_arxiv_id("2503.99999"))  # type: ignore[arg-type]
    assert str(info.value) == ("arXiv rejected the id '2503.99999': incorrect id format for "
                               "2503.999999 (expected e.g. 2503.04504 or hep-th/9901001)")


def test_unknown_id() -> None:
    client = client_for([httpx.Response(200, content=feed("empty.xml"))], [], Clock())
    with pytest.raises(ArxivError) as info:
        client.fetch(parse_arxiv_id("2503.99999"))  # type: ignore[arg-type]
    assert str(info.value) == "arXiv has no paper with id '2503.99999': check the id"


def test_503_then_success_honours_retry_after() -> None:
    clock = Clock()
    client = client_for([httpx.Response(503, headers={"Retry-After": "7"}),
                         httpx.Response(200, content=feed("2503.04504.xml"))], [], clock)
    assert client.fetch(parse_arxiv_id("2503.04504")).title.startswith("AnyAnomaly")  # type: ignore[arg-type]
    assert clock.sleeps == [7.0]


def test_429_without_retry_after_backs_off() -> None:
    clock = Clock()
    client = client_for([httpx.Response(429), httpx.Response(429),
                         httpx.Response(200, content=feed("2503.04504.xml"))], [], clock)
    client.fetch(parse_arxiv_id("2503.04504"))  # type: ignore[arg-type]
    assert clock.sleeps == [3.0, 6.0]


def test_gives_up_after_retries() -> None:
    clock = Clock()
    client = client_for([httpx.Response(503)] * 3, [], clock, max_retries=2)
    with pytest.raises(ArxivError) as info:
        client.fetch(parse_arxiv_id("2503.04504"))  # type: ignore[arg-type]
    assert str(info.value) == ("the arXiv API did not answer for '2503.04504' after 3 attempts "
                               "(last: HTTP 503); try again later")


def test_network_down() -> None:
    request = httpx.Request("GET", DEFAULT_API)
    errors: list[httpx.Response | Exception] = [httpx.ConnectError("Name or service not known",
                                                                   request=request)] * 2
    client = client_for(errors, [], Clock(), max_retries=1)
    with pytest.raises(ArxivError) as info:
        client.fetch(parse_arxiv_id("2503.04504"))  # type: ignore[arg-type]
    assert str(info.value) == (f"could not reach the arXiv API at {DEFAULT_API} (ConnectError: "
                               "Name or service not known); check your connection or set "
                               "PAPERDIGEST_ARXIV_API")


def test_malformed_and_hostile_xml() -> None:
    with pytest.raises(ArxivError, match="not valid XML"):
        parse_feed(b"<feed><entry>")
    with pytest.raises(ArxivError, match="declares a DTD"):
        parse_feed(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><feed/>')


def test_api_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERDIGEST_ARXIV_API", raising=False)
    assert api_url_from_env() == DEFAULT_API
    monkeypatch.setenv("PAPERDIGEST_ARXIV_API", "http://mirror.test/api/query")
    assert api_url_from_env() == "http://mirror.test/api/query"
    assert api_url_from_env("http://option.test/q") == "http://option.test/q"


def _offline(monkeypatch: pytest.MonkeyPatch, answers: list[bytes]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=answers.pop(0))

    real = arxiv_mod.make_client

    def fake(**kw: float) -> httpx.Client:
        client = real(**kw)
        client._transport = httpx.MockTransport(handler)
        return client

    monkeypatch.setattr(arxiv_mod, "make_client", fake)
    monkeypatch.setattr(arxiv_mod.time, "sleep", lambda s: None)
    return seen


def test_new_scaffolds_a_digest(project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({})
    seen = _offline(monkeypatch, [feed("2503.04504.xml")])
    result = CliRunner().invoke(main, ["--root", str(root), "new",
                                       "https://arxiv.org/abs/2503.04504", "--arxiv-api",
                                       "http://mirror.test/q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("wrote content/papers/2503.04504.md: write the eight sections, "
                             "then run `paperdigest check`\n")
    assert str(seen[0].url).startswith("http://mirror.test/q?")
    text = (root / "content/papers/2503.04504.md").read_text(encoding="utf-8")
    assert text.startswith('---\narxiv: "2503.04504v1"\ntitle: "AnyAnomaly: Zero-Shot '
                           'Customizable Video Anomaly Detection with LVLM"\nauthors:\n'
                           '  - "Sunghyun Ahn"\n')
    assert "date: 2025-03-06\ncategory: \"cs.CV\"\n" in text
    assert "## 8. この論文を140字以内のツイートで要約すると？" in text
    # Until the sections are written, the check says exactly that.
    from generator.loader import check_content
    _, problems = check_content(root / "content", root=root)
    assert [p.field for p in problems].count("section 1") == 1


def test_new_never_overwrites(project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"content/papers/2503.04504.md": "mine\n"})
    _offline(monkeypatch, [feed("2503.04504.xml")])
    result = CliRunner().invoke(main, ["--root", str(root), "new", "2503.04504"])
    assert result.exit_code == 1
    assert "content/papers/2503.04504.md already exists: edit it, or pass --force" in result.stderr
    assert (root / "content/papers/2503.04504.md").read_text(encoding="utf-8") == "mine\n"


def test_new_reports_bad_id_and_unknown_paper(project: Make,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({})
    bad = CliRunner().invoke(main, ["--root", str(root), "new", "2503.4"])
    assert bad.exit_code == 1 and "'2503.4' is not an arXiv id or URL" in bad.stderr
    _offline(monkeypatch, [feed("empty.xml")])
    unknown = CliRunner().invoke(main, ["--root", str(root), "new", "2503.99999"])
    assert unknown.exit_code == 1
    assert "arXiv has no paper with id '2503.99999': check the id" in unknown.stderr
    assert list((root / "content/papers").iterdir()) == []


def test_import_fetch_fills_metadata(project: Make, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    root = project({})
    dump = tmp_path / "d.md"
    dump.write_text((DATA / "import" / "dump.md").read_text(encoding="utf-8").replace(
        "2503.05179", "2503.04504"), encoding="utf-8")
    _offline(monkeypatch, [feed("2503.04504.xml")])
    CliRunner().invoke(main, ["--root", str(root), "import", "--fetch", str(dump)])
    site = load_site(root / "content", root=root)
    paper = next(p for p in site.papers if p.slug == "2503.04504")
    assert paper.author_names == ("Sunghyun Ahn", "Youngwan Jo", "Kijung Lee")
    assert (paper.date, paper.category) == (dt.date(2025, 3, 6), "cs.CV")
