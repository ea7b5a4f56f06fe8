"""Author metrics clients, offline: recorded answers replayed through MockTransport."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from conftest import DATA
from fakeclock import Clock as FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.cli import main
from paperdigest.content import schema
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.records import check_record
from paperdigest.content.works import dump_works, parse_works
from paperdigest.errors import MetricsError
from paperdigest.sources import http
from paperdigest.sources.http import Limits, Network, Timing
from paperdigest.sources.metrics import (
    OPENALEX,
    S2,
    USER_AGENT,
    Metrics,
    MetricsClient,
    make_client,
    normalize_id,
)
from paperdigest.sources.works import S2_MAX_PAGES, WorksClient

TODAY = dt.date(2026, 11, 22)
OA_QUERY = "select=id%2Cworks_count%2Ccited_by_count%2Csummary_stats"
S2_QUERY = "fields=hIndex%2CcitationCount%2CpaperCount"
OA_URL = "https://api.openalex.org/authors/A5023888391"
S2_URL = ("https://api.semanticscholar.org/graph/v1/author/1741101?fields=hIndex,citationCount,"
          "paperCount")
Handler = Callable[[httpx.Request], httpx.Response]
Reply = str | httpx.Response | type[Exception]


@pytest.fixture(autouse=True)
def _no_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENALEX_API_KEY", "S2_API_KEY", "PAPERDIGEST_OPENALEX_API",
                 "PAPERDIGEST_S2_API"):
        monkeypatch.delenv(name, raising=False)


def recorded(name: str) -> httpx.Response:
    """A response from tests/data/metrics/<name>.json (status, headers, body)."""
    data = json.loads((DATA / "metrics" / f"{name}.json").read_text(encoding="utf-8"))
    body = data["body"]
    content = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
    return httpx.Response(data["status"], headers=data["headers"], content=content)


class Server:
    """Replays replies in order and remembers every request."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, type):
            raise reply("recorded failure", request=request)  # type: ignore[call-arg]
        return recorded(reply) if isinstance(reply, str) else reply

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def client(source: str, handler: Handler, sleeps: list[float] | None = None,
           **options: object) -> MetricsClient:
    box: list[float] = sleeps if sleeps is not None else []
    settings: dict[str, object] = {"today": lambda: TODAY, "sleep": box.append,
                                   "clock": lambda: 0.0, "min_interval": 0.0}
    settings.update(options)
    return MetricsClient(make_client(transport=httpx.MockTransport(handler)), source,
                         **settings)  # type: ignore[arg-type]


def test_openalex() -> None:
    server = Server("openalex_author_A5023888391")
    got = client(OPENALEX, server).fetch("A5023888391")
    assert got == Metrics(21, 4261, 67, TODAY, "openalex", "A5023888391", OA_URL)
    assert server.urls == [f"https://api.openalex.org/authors/A5023888391?{OA_QUERY}"]
    assert server.requests[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("paperdigest/") and "author metrics" in USER_AGENT


def test_openalex_full_author_object() -> None:
    got = client(OPENALEX, Server("openalex_author_full_A5023888391")).fetch("A5023888391")
    assert (got.h_index, got.citations, got.papers) == (21, 4261, 67)


@pytest.mark.parametrize("given", ["https://openalex.org/A5023888391", "a5023888391",
                                   " A5023888391\n", "openalex.org/A5023888391",
                                   "https://api.openalex.org/authors/A5023888391"])
def test_openalex_id_spellings(given: str) -> None:
    server = Server("openalex_author_A5023888391")
    assert client(OPENALEX, server).fetch(given).source_id == "A5023888391"
    assert server.requests[0].url.path == "/authors/A5023888391"


def test_openalex_key_is_a_query_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", "oa-key-123")
    monkeypatch.setenv("PAPERDIGEST_OPENALEX_API", "http://oa.test/")
    server = Server("openalex_author_A5023888391", "openalex_not_found")
    oa = client(OPENALEX, server)
    oa.fetch("A5023888391")
    assert server.urls[0] == f"http://oa.test/authors/A5023888391?{OA_QUERY}&api_key=oa-key-123"
    with pytest.raises(MetricsError) as info:
        oa.fetch("A9999999999")
    assert "oa-key-123" not in str(info.value)


def test_openalex_merged_author_reports_the_new_id() -> None:
    server = Server("openalex_merged_A2208157607", "openalex_author_A5023888391")
    got = client(OPENALEX, server, api_key="oa-key-123").fetch("A2208157607")
    assert got == Metrics(21, 4261, 67, TODAY, "openalex", "A5023888391", OA_URL)
    # The second request is built again on our base URL, so the key goes along.
    assert server.urls == [
        f"https://api.openalex.org/authors/A2208157607?{OA_QUERY}&api_key=oa-key-123",
        f"https://api.openalex.org/authors/A5023888391?{OA_QUERY}&api_key=oa-key-123"]


def test_relative_redirect() -> None:
    moved = httpx.Response(301, headers={"location": "/authors/a5023888391"})
    server = Server(moved, "openalex_author_A5023888391")
    assert client(OPENALEX, server).fetch("A1").source_id == "A5023888391"


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        ([httpx.Response(301, headers={"location": "https://api.openalex.org/works/W2741809807"})],
         "OpenAlex redirected A2208157607 to 'https://api.openalex.org/works/W2741809807', "
         "which is not an author: check the id in the record"),
        ([httpx.Response(301, headers={"location": "/authors/A2208157607"})] * 4,
         "OpenAlex redirected A2208157607 more than 3 times: check the id in the record"),
    ],
)
def test_bad_redirects(replies: list[Reply], message: str) -> None:
    with pytest.raises(MetricsError) as info:
        client(OPENALEX, Server(*replies)).fetch("A2208157607")
    assert str(info.value) == message


def test_semantic_scholar(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Server("s2_author_1741101", "s2_author_1741101")
    s2 = client(S2, server)
    assert s2.fetch("1741101") == Metrics(10, 6, 4, TODAY, "semantic-scholar", "1741101",
                                          S2_URL)
    assert server.urls == [f"https://api.semanticscholar.org/graph/v1/author/1741101?{S2_QUERY}"]
    assert "x-api-key" not in server.requests[0].headers
    monkeypatch.setenv("S2_API_KEY", "s2-key")
    monkeypatch.setenv("PAPERDIGEST_S2_API", "http://s2.test/graph/v1")
    client(S2, server).fetch("https://www.semanticscholar.org/author/Susumu-Takeuchi/1741101")
    assert server.urls[1] == f"http://s2.test/graph/v1/author/1741101?{S2_QUERY}"
    assert server.requests[1].headers["x-api-key"] == "s2-key"


@pytest.mark.parametrize(
    ("source", "given", "message"),
    [
        (OPENALEX, "A12x", "'A12x' is not an OpenAlex author id: write it as A followed by "
                           "digits, e.g. A5023888391"),
        (OPENALEX, "W2741809807", "'W2741809807' is not an OpenAlex author id: write it as A "
                                  "followed by digits, e.g. A5023888391"),
        (OPENALEX, "../works", "'../works' is not an OpenAlex author id: write it as A followed "
                               "by digits, e.g. A5023888391"),
        (S2, "", "'' is not a Semantic Scholar author id: write the number at the end of the "
                 "author's page URL, e.g. 1741101"),
        (S2, "1741101?fields=email", "'1741101?fields=email' is not a Semantic Scholar author "
                                     "id: write the number at the end of the author's page "
                                     "URL, e.g. 1741101"),
    ],
)
def test_ids_are_checked_before_any_request(source: str, given: str, message: str) -> None:
    server = Server()
    with pytest.raises(MetricsError) as info:
        client(source, server).fetch(given)
    assert str(info.value) == message
    assert server.requests == []


def test_normalize_id() -> None:
    assert normalize_id(OPENALEX, "https://openalex.org/a123") == "A123"
    assert normalize_id(S2, "semanticscholar.org/author/1741101") == "1741101"


# Every failure: a MetricsError naming the source and the id, never partial figures.
FAILURES = [
    pytest.param(OPENALEX, [httpx.ReadTimeout] * 5,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: timed out): "
                 "try again later", [1.0, 2.0, 4.0, 8.0], id="timeout"),
    pytest.param(OPENALEX, ["openalex_rate_limited"] + [httpx.ReadTimeout] * 4,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: timed out): "
                 "try again later", [7.0, 2.0, 4.0, 8.0], id="429-then-timeouts"),
    pytest.param(OPENALEX, [httpx.ConnectError],
                 "cannot reach api.openalex.org: check your connection or set "
                 "PAPERDIGEST_OPENALEX_API (recorded failure)", [], id="offline"),
    pytest.param(S2, [httpx.ConnectError],
                 "cannot reach api.semanticscholar.org: check your connection or set "
                 "PAPERDIGEST_S2_API (recorded failure)", [], id="offline-s2"),
    pytest.param(OPENALEX, [httpx.ReadError] * 5,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: lost the "
                 "connection (ReadError)): try again later", [1.0, 2.0, 4.0, 8.0],
                 id="connection-lost"),
    pytest.param(OPENALEX, ["openalex_unavailable"] * 5,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: HTTP 503): try "
                 "again later", [1.0, 2.0, 4.0, 8.0], id="503-gives-up"),
    pytest.param(OPENALEX, [httpx.Response(403)] * 5,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: HTTP 403, rate "
                 "limit): try again later; an API key in OPENALEX_API_KEY raises the limit",
                 [1.0, 2.0, 4.0, 8.0], id="openalex-403-slow-down"),
    pytest.param(OPENALEX, ["openalex_daily_limit"],
                 "OpenAlex asks to wait 43200 s before answering for A5023888391 (HTTP 429): run "
                 "the refresh again later; an API key in OPENALEX_API_KEY raises the limit", [],
                 id="daily-limit"),
    pytest.param(OPENALEX, ["openalex_not_found"],
                 "no author with id A5023888391 at OpenAlex: check the openalex id in the record",
                 [], id="404"),
    pytest.param(S2, ["s2_not_found"],
                 "no author with id 1741101 at Semantic Scholar: check the semantic_scholar id "
                 "in the record", [], id="s2-404"),
    pytest.param(OPENALEX, ["openalex_truncated"],
                 "OpenAlex sent malformed JSON for A5023888391 (Unterminated string starting "
                 "at): try again later", [], id="malformed-json"),
    pytest.param(OPENALEX, [httpx.Response(200, json=[1, 2])],
                 "OpenAlex sent list instead of an author object for A5023888391: try again "
                 "later", [], id="json-list"),
    pytest.param(OPENALEX, ["openalex_missing_h_index"],
                 "OpenAlex's answer for A5023888391 has no summary_stats.h_index: try again "
                 "later or use the other source", [], id="missing-field"),
    pytest.param(OPENALEX, [httpx.Response(200, json={"summary_stats": {"h_index": 3},
                                                      "cited_by_count": "4261",
                                                      "works_count": 67})],
                 "OpenAlex's answer for A5023888391 has cited_by_count = \"4261\", not a count: "
                 "try again later or use the other source", [], id="text-instead-of-number"),
    pytest.param(S2, ["s2_null_h_index"],
                 "Semantic Scholar's answer for 1741101 has no hIndex: try again later or use "
                 "the other source", [],
                 id="s2-null-field"),
    pytest.param(S2, ["s2_forbidden"],
                 "Semantic Scholar refused the request for 1741101 (HTTP 403): set an API key in "
                 "S2_API_KEY", [], id="s2-403"),
    pytest.param(S2, ["s2_bad_fields"],
                 "Semantic Scholar answered HTTP 400 for 1741101 (Unrecognized or unsupported "
                 "fields: [hindex]): check the semantic_scholar id in the record", [],
                 id="s2-400"),
    pytest.param(S2, ["s2_rate_limited"] * 5,
                 "Semantic Scholar did not answer for 1741101 after 5 attempts (last: HTTP 429, "
                 "rate limit): try again later; an API key in S2_API_KEY raises the limit",
                 [30.0] * 4, id="s2-429-gives-up"),
]


@pytest.mark.parametrize(("source", "replies", "message", "waits"), FAILURES)
def test_failures(source: str, replies: list[Reply], message: str, waits: list[float]) -> None:
    author = "A5023888391" if source == OPENALEX else "1741101"
    server, sleeps = Server(*replies), list[float]()
    with pytest.raises(MetricsError) as info:
        client(source, server, sleeps).fetch(author)
    assert str(info.value) == message
    assert sleeps == waits
    assert server.replies == []  # every recorded reply was used: no extra attempt


def test_429_honours_retry_after_then_succeeds() -> None:
    sleeps: list[float] = []
    server = Server("openalex_rate_limited", "openalex_author_A5023888391")
    got = client(OPENALEX, server, sleeps).fetch("A5023888391")
    assert got.h_index == 21 and sleeps == [7.0] and len(server.requests) == 2


def test_retry_after_as_a_date_is_measured_against_the_server_clock() -> None:
    busy = httpx.Response(429, headers={"date": "Sun, 22 Nov 2026 10:00:00 GMT",
                                        "retry-after": "Sun, 22 Nov 2026 10:00:12 GMT"})
    sleeps: list[float] = []
    client(S2, Server(busy, "s2_author_1741101"), sleeps).fetch("1741101")
    assert sleeps == [12.0]


def test_server_errors_back_off_then_succeed() -> None:
    sleeps: list[float] = []
    server = Server("openalex_unavailable", httpx.Response(502), "openalex_author_A5023888391")
    assert client(OPENALEX, server, sleeps).fetch("A5023888391").citations == 4261
    assert sleeps == [1.0, 2.0]


def test_max_retries_zero_means_one_attempt() -> None:
    server = Server("openalex_unavailable")
    with pytest.raises(MetricsError, match="after 1 attempts"):
        client(OPENALEX, server, max_retries=0).fetch("A5023888391")


def Clock() -> FakeClock:
    """The clock of these tests starts at 100 s."""
    return FakeClock(100.0)


def test_requests_are_spaced() -> None:
    """Semantic Scholar gets at most one request a second unless told otherwise."""
    clock = Clock()
    server = Server(*["s2_author_1741101"] * 3)
    s2 = client(S2, server, clock=clock, sleep=clock.sleep, min_interval=None)
    assert s2.min_interval == 1.0
    s2.fetch("1741101")
    clock.now += 0.25
    s2.fetch("1741101")
    clock.now += 2.5
    s2.fetch("1741101")
    assert clock.sleeps == [0.75]  # the third request came 2.5 s after the second: no wait
    assert client(OPENALEX, Server(), min_interval=None).min_interval == 0.1
    assert client(S2, Server(), min_interval=None, api_key="k").min_interval == 1.0


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="unknown metrics source 'scholar'"):
        MetricsClient(make_client(), "scholar")
    with pytest.raises(MetricsError) as info:
        client(S2, Server(), base_url="ftp://s2.test").fetch("1741101")
    assert str(info.value) == "PAPERDIGEST_S2_API must be an http(s) URL, got 'ftp://s2.test'"


def test_make_client() -> None:
    with make_client() as http:
        assert http.headers["user-agent"] == USER_AGENT
        assert http.follow_redirects is False  # redirects are read for the merged id
        assert http.timeout.read == 20.0


def test_metrics_block_values() -> None:
    m = Metrics(21, 4261, 67, TODAY, "openalex", "A5023888391")
    assert m.as_block() == {"h_index": 21, "citations": 4261, "papers": 67, "as_of": TODAY,
                            "source": "openalex"}


# --- through the command line -------------------------------------------------------------

RECORD = """\
# Jason Priem: figures refreshed by the weekly job
name: Jason Priem
openalex: https://openalex.org/A5023888391   # profile URL is fine too
metrics:
  h_index: 16   # copied by hand
  citations: 3900
  novelty: 49%
  as_of: 2026-11-01
  source: profile page

bio: 'OpenAlex の共同創設者。'
"""


def offline(handler: Handler, clock: Clock | None = None,
            limits: Limits | None = None) -> dict[str, object]:
    """The CLI's ``obj``: its clients answer from ``handler``, on a fake clock, on TODAY."""
    clock = clock or Clock()
    factory = functools.partial(http.make_client, transport=httpx.MockTransport(handler))
    timing = Timing(clock=clock, sleep=clock.sleep, today=lambda: TODAY)
    return {"network": Network(factory=factory, timing=timing, limits=limits or Limits())}


def openalex(request: httpx.Request) -> httpx.Response:
    """OpenAlex as recorded for A5023888391: the author, its yearly counts, two works pages."""
    if request.url.path == "/works":
        return recorded("openalex_works_A5023888391_p1" if request.url.params["cursor"] == "*"
                        else "openalex_works_A5023888391_p2")
    if request.url.params.get("select") == "id,counts_by_year":
        return recorded("openalex_author_counts_A5023888391")
    return recorded("openalex_author_A5023888391")


def refresh_cli(root: Path, obj: dict[str, object], *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), "authors", "refresh", *args], obj=obj)


def test_authors_refresh(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    (folder / "jason-priem.yaml").write_bytes(RECORD.encode())
    (folder / "no-ids.yaml").write_text("name: Nobody\n", encoding="utf-8")
    (folder / "broken-id.yaml").write_text("name: Broken\nsemantic_scholar: '999'\n",
                                           encoding="utf-8")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return openalex(request)
        return recorded("s2_not_found")

    result = refresh_cli(tmp_path, offline(handler))
    assert result.exit_code == 1, result.output
    assert ("updated: jason-priem (Jason Priem): h-index 21, 4,261 citations, 67 papers, "
            "4 works listed") in result.stdout
    assert ("failed: broken-id (Broken): no author with id 999 at Semantic Scholar: check the "
            "semantic_scholar id in the record; kept the old values") in result.stderr
    assert result.stdout.splitlines()[-1] == "1 updated, 0 unchanged, 1 skipped, 1 failed"
    assert (folder / "jason-priem.yaml").read_bytes().decode() == """\
# Jason Priem: figures refreshed by the weekly job
name: Jason Priem
openalex: https://openalex.org/A5023888391   # profile URL is fine too
metrics:
  h_index: 21   # copied by hand
  citations: 4261
  novelty: 49%
  as_of: 2026-11-22
  source: openalex
  papers: 67
  source_url: "https://api.openalex.org/authors/A5023888391"

bio: 'OpenAlex の共同創設者。'
"""
    assert (folder / "broken-id.yaml").read_text(encoding="utf-8") == (
        "name: Broken\nsemantic_scholar: '999'\n")
    again = refresh_cli(tmp_path, offline(handler), "jason-priem")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "0 updated, 1 unchanged, 0 skipped, 0 failed"


class Trickle(httpx.SyncByteStream):
    """A body that arrives one byte every ``gap`` seconds of the fake clock."""

    def __init__(self, clock: Clock, data: bytes, gap: float) -> None:
        self.clock, self.data, self.gap = clock, data, gap

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.data:
            self.clock.now += self.gap
            yield bytes([byte])


class Chunks(httpx.SyncByteStream):
    """A body sent as it is (not decoded by httpx when the response is made)."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


BOMB = gzip.compress(b"0" * (40 * 2**20))  # 40 MB of zeros in about 40 KB
"""Decoded, larger than the 16 MB cap."""

# Each author's server misbehaves in its own way; every one is a failure message of its own,
# the others go on, and nobody's old values are lost.
BAD_ANSWERS: dict[str, tuple[Callable[[Clock], httpx.Response], str]] = {
    "A1000000001": (lambda c: httpx.Response(200, headers={"content-encoding": "gzip"},
                                             stream=Chunks(BOMB)),
                    "OpenAlex sent an answer larger than 16 MB for A1000000001: check the API "
                    "address, or try again later"),
    "A1000000002": (lambda c: httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000),
                    "OpenAlex sent malformed JSON for A1000000002 (nested deeper than 64 "
                    "levels): try again later"),
    "A1000000003": (lambda c: httpx.Response(200, headers={"content-encoding": "gzip"},
                                             stream=Chunks(b"this is not gzip")),
                    "OpenAlex sent an answer that is not valid gzip (Error -3 while "
                    "decompressing data: incorrect header check) for A1000000003: try again "
                    "later"),
    "A1000000004": (lambda c: httpx.Response(200, stream=Trickle(c, b"{}" * 100, gap=5.0)),
                    "OpenAlex did not finish its answer within 60 s for A1000000004: try again "
                    "later, or raise PAPERDIGEST_HTTP_TIMEOUT"),
    "A1000000005": (lambda c: httpx.Response(200, text="<html>busy</html>"),
                    "OpenAlex sent malformed JSON for A1000000005 (Expecting value): try again "
                    "later"),
}


def test_refresh_goes_on_after_any_bad_answer(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    old = "name: Ann\nopenalex: {}\nmetrics:\n  h_index: 3\n"
    for n, author in enumerate([*BAD_ANSWERS, "A5023888391"]):
        (folder / f"a{n}.yaml").write_text(old.format(author), encoding="utf-8")
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        author = request.url.path.rsplit("/", 1)[-1]
        if author in BAD_ANSWERS:
            return BAD_ANSWERS[author][0](clock)
        return openalex(request)

    result = refresh_cli(tmp_path, offline(handler, clock))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"failed: a{n} (Ann): {message}; kept the old values"
        for n, (_, message) in enumerate(BAD_ANSWERS.values())]
    assert result.stdout.splitlines() == [
        "updated: a5 (Ann): h-index 21, 4,261 citations, 67 papers, 4 works listed",
        "1 updated, 0 unchanged, 0 skipped, 5 failed"]
    for n, author in enumerate(BAD_ANSWERS):
        assert (folder / f"a{n}.yaml").read_text(encoding="utf-8") == old.format(author)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"a{n}.yaml" for n in range(6)), "a5.works.json"])


def test_refresh_stops_asking_when_the_command_deadline_is_spent(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    for n in range(3):
        (folder / f"a{n}.yaml").write_text(f"name: Ann\nopenalex: A100000000{n}\n",
                                           encoding="utf-8")
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        clock.now += 2  # each answer takes two seconds of the command's five
        return recorded("openalex_unavailable")

    result = refresh_cli(tmp_path, offline(handler, clock, Limits(deadline=5.0)))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "OpenAlex: attempt 1 of 5 failed (HTTP 503 Service Unavailable); trying again in 1 s",
        "failed: a0 (Ann): OpenAlex answered HTTP 503 Service Unavailable, and the command's "
        "time limit of 5 s leaves no time to try again for A1000000000: try again later, or "
        "raise PAPERDIGEST_HTTP_DEADLINE; kept the old values",
        "failed: a1 (Ann): OpenAlex was not asked: the command's time limit of 5 s is spent "
        "for A1000000001: try again later, or raise PAPERDIGEST_HTTP_DEADLINE; kept the old "
        "values",
        "failed: a2 (Ann): OpenAlex was not asked: the command's time limit of 5 s is spent "
        "for A1000000002: try again later, or raise PAPERDIGEST_HTTP_DEADLINE; kept the old "
        "values"]
    assert clock.now == 105.0


def test_refresh_refuses_to_write_what_the_build_rejects(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    text = "name: Ann\nopenalex: A5023888391\nhomepage: javascript:alert(1)\n"
    (folder / "ann.yaml").write_text(text, encoding="utf-8")
    result = refresh_cli(tmp_path, offline(lambda r: recorded("openalex_author_A5023888391")))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "failed: ann (Ann): content/authors/ann.yaml: the build would reject it: line 3: "
        "homepage: 'javascript:alert(1)' is not an http(s) URL: write the full address, "
        "https://…: fix the record; kept the old values"]
    assert (folder / "ann.yaml").read_text(encoding="utf-8") == text


def test_refresh_of_an_unreadable_record_is_one_failure(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    (folder / "latin.yaml").write_bytes(b"name: Ren\xe9\n")
    (folder / "ok.yaml").write_text("name: Ann\nopenalex: A5023888391\n", encoding="utf-8")
    result = refresh_cli(tmp_path, offline(openalex))
    assert result.exit_code == 1
    assert ("failed: latin (latin): content/authors/latin.yaml: is not valid UTF-8: save the "
            "file as UTF-8") in result.stderr
    assert result.stdout.splitlines()[-1] == "1 updated, 0 unchanged, 0 skipped, 1 failed"


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


@pytest.mark.parametrize(("options", "message"), [
    (["--semantic-scholar", '12"3'],
     "Error: '12\"3' is not a Semantic Scholar author id: write the number at the end of the "
     "author's page URL, e.g. 1741101\n"),
    (["--semantic-scholar", "0123"],
     "Error: '0123' is not a Semantic Scholar author id: write the number at the end of the "
     "author's page URL, e.g. 1741101\n"),
    (["--openalex", "W2741809807"],
     "Error: 'W2741809807' is not an OpenAlex author id: write it as A followed by digits, e.g. "
     "A5023888391\n"),
    (["--id", "ann"], "Error: content/authors/ann.yaml: already exists: edit it, or pick another "
                      "--id\n"),
])
def test_authors_add_refuses(tmp_path: Path, options: list[str], message: str) -> None:
    (tmp_path / "content/authors").mkdir(parents=True)
    (tmp_path / "content/authors/ann.yaml").write_text("name: Ann\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "authors", "add", "Ann Lee",
                                       *options])
    assert result.exit_code == 1
    assert result.stderr == message
    assert sorted(p.name for p in (tmp_path / "content/authors").iterdir()) == ["ann.yaml"]


def test_authors_add_refuses_a_name_the_build_rejects(tmp_path: Path) -> None:
    (tmp_path / "content/authors").mkdir(parents=True)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "authors", "add",
                                       "<b>Ann</b>", "--id", "ann"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: content/authors/ann.yaml: the build would reject it: line 1: name: '<b>Ann</b>' "
        "contains '<': names and titles are plain text; leave out <, > and backticks (write ＜ ＞ "
        "if needed): nothing written\n")
    assert list((tmp_path / "content/authors").iterdir()) == []


def test_authors_add_writes_ids_as_the_schema_reads_them(tmp_path: Path) -> None:
    (tmp_path / "content/authors").mkdir(parents=True)
    result = CliRunner().invoke(main, [
        "--root", str(tmp_path), "authors", "add", "Ann Lee", "--openalex",
        "https://openalex.org/a5023888391", "--semantic-scholar", "2109876543210"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "content/authors/ann-lee.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[1:3] == ["openalex: A5023888391",
                                      'semantic_scholar: "2109876543210"']
    record, problems = check_record(text, "content/authors/ann-lee.yaml")
    assert problems == [] and record is not None
    assert record.fields["openalex"] == "A5023888391"


ID_TEXT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"(https?://)?(www\.|api\.)?(openalex|semanticscholar)\.org/"
                  r"(authors?/)?([A-Za-z-]+/)?[aA]?0?[0-9]{1,16}/?", fullmatch=True),
    st.from_regex(r"[aA]?0?[0-9]{1,16}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(ID_TEXT)
def test_the_schema_and_the_tools_read_ids_alike(text: str) -> None:
    for source, rule in ((OPENALEX, schema.openalex), (S2, schema.semantic_scholar)):
        try:
            tool: str | None = normalize_id(source, text)
        except MetricsError:
            tool = None
        try:
            build: str | None = rule(text)
        except schema.Invalid:
            build = None
        # The schema also refuses control and invisible characters the tools would strip.
        assert build == tool or (build is None and text != text.strip())
        if tool is not None:
            assert normalize_id(source, tool) == tool  # the bare id reads as itself


# --- works ---------------------------------------------------------------------------------

WORKS = DATA / "metrics" / "works"
OA_WORKS = ("https://api.openalex.org/works?filter=author.id%3AA5023888391&sort=publication_"
            "date%3Adesc&per-page=100&cursor={}&select=id%2Cdisplay_name%2Cpublication_date%2C"
            "primary_location%2Clocations%2Cdoi%2Ccited_by_count%2Cauthorships%2C"
            "abstract_inverted_index")


def test_openalex_works_newest_first_with_yearly_citations() -> None:
    server = Server("openalex_works_A5023888391_p1", "openalex_works_A5023888391_p2",
                    "openalex_author_counts_A5023888391")
    listed = WorksClient(client(OPENALEX, server)).fetch("A5023888391", TODAY)
    assert dump_works(listed) == (WORKS / "A5023888391.works.json").read_text(encoding="utf-8")
    cursor = "IlsxNzAwMDAwMDAwMDAwLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQzOTE2NzAxMTInXSI%3D"
    assert server.urls == [OA_WORKS.format("%2A"), OA_WORKS.format(cursor),
                           "https://api.openalex.org/authors/A5023888391?select=id%2C"
                           "counts_by_year"]
    # The markup is gone, the arXiv DOI became the arXiv id, the bad DOI was dropped.
    first, *_, last = listed.works
    assert (first.title[:36], first.arxiv, first.doi, first.venue) == (
        "OpenAlex: A fully-open index of scho", parse_arxiv_id("2205.01833"), None, None)
    assert (last.title, last.doi, last.date) == ("How and why scholars cite on Twitter", None,
                                                 None)
    assert listed.counts_by_year == ((2024, 402), (2025, 455), (2026, 198))


def test_semantic_scholar_works_are_paged_by_offset() -> None:
    server = Server("s2_papers_1741101_p1", "s2_papers_1741101_p2")
    listed = WorksClient(client(S2, server)).fetch("1741101", TODAY)
    assert dump_works(listed) == (WORKS / "1741101.works.json").read_text(encoding="utf-8")
    assert [r.url.params["offset"] for r in server.requests] == ["0", "100"]
    assert listed.counts_by_year == ()


def _oa_page(start: int, cursor: str | None) -> httpx.Response:
    day = dt.date(2026, 1, 1)
    results = [{"display_name": f"Paper {n}", "cited_by_count": n,
                "publication_date": (day - dt.timedelta(days=n)).isoformat()}
               for n in range(start, start + 100)]
    return httpx.Response(200, json={"meta": {"next_cursor": cursor}, "results": results})


def test_at_most_the_newest_200_works_are_asked_for() -> None:
    server = Server(_oa_page(0, "b"), _oa_page(100, "c"),
                    httpx.Response(200, json={"counts_by_year": []}))
    listed = WorksClient(client(OPENALEX, server)).fetch("A5023888391", TODAY)
    assert len(listed.works) == 200 and listed.works[0].title == "Paper 0"
    assert [r.url.params.get("cursor") for r in server.requests] == ["*", "b", None]


def test_semantic_scholar_pages_are_capped_and_the_newest_kept() -> None:
    def page(n: int) -> httpx.Response:
        data = [{"title": f"P{n}-{i}", "publicationDate": f"{2000 + n}-01-{i % 28 + 1:02d}"}
                for i in range(100)]
        return httpx.Response(200, json={"offset": n * 100, "next": n * 100 + 100, "data": data})

    server = Server(*[page(n) for n in range(S2_MAX_PAGES)])
    listed = WorksClient(client(S2, server)).fetch("1741101", TODAY)
    assert len(server.requests) == S2_MAX_PAGES == 5
    assert len(listed.works) == 200
    assert {w.date.year for w in listed.works if w.date} == {2004, 2003}


@pytest.mark.parametrize(("reply", "message"), [
    (httpx.Response(200, json={"meta": {}, "results": None}),
     "OpenAlex's works answer for A5023888391 has no results list: try again later or use the "
     "other source"),
    (httpx.Response(200, json=[]),
     "OpenAlex sent list instead of an object for the works of A5023888391: try again later"),
    (httpx.Response(301, headers={"location": "/works?x"}),
     "OpenAlex answered HTTP 301 for A5023888391: check the openalex id in the record"),
])
def test_bad_works_answers(reply: httpx.Response, message: str) -> None:
    with pytest.raises(MetricsError) as info:
        WorksClient(client(OPENALEX, Server(reply))).fetch("A5023888391", TODAY)
    assert str(info.value) == message


def test_refresh_writes_the_works_file_and_keeps_it_when_the_works_fail(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    record = folder / "jason-priem.yaml"
    record.write_text("name: Jason Priem\nopenalex: A5023888391\n", encoding="utf-8")
    result = refresh_cli(tmp_path, offline(openalex))
    assert result.exit_code == 0, result.output
    written = (folder / "jason-priem.works.json").read_text(encoding="utf-8")
    assert written == (WORKS / "A5023888391.works.json").read_text(encoding="utf-8")
    assert parse_works(written, "jason-priem.works.json")[1] == []
    again = refresh_cli(tmp_path, offline(openalex))
    assert again.stdout.splitlines()[-1] == "0 updated, 1 unchanged, 0 skipped, 0 failed"
    before = record.read_text(encoding="utf-8")

    def works_down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/works":
            return recorded("openalex_unavailable")
        return openalex(request)

    tomorrow = offline(works_down)
    tomorrow["network"].timing = Timing(sleep=lambda s: None,  # type: ignore[attr-defined]
                                        today=lambda: TODAY + dt.timedelta(days=1))
    failed = refresh_cli(tmp_path, tomorrow)
    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1] == (
        "failed: jason-priem (Jason Priem): OpenAlex did not answer for A5023888391 after 5 "
        "attempts (last: HTTP 503): try again later; kept the old values")
    assert record.read_text(encoding="utf-8") == before  # the metrics waited for the works
    assert (folder / "jason-priem.works.json").read_text(encoding="utf-8") == written
