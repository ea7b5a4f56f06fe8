"""Author metrics clients, offline: recorded answers replayed through MockTransport."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import DATA
from paperdigest.cli import main
from paperdigest.errors import MetricsError
from paperdigest.sources import metrics as metrics_mod
from paperdigest.sources.metrics import (
    OPENALEX,
    S2,
    USER_AGENT,
    Metrics,
    MetricsClient,
    make_client,
    normalize_id,
)

TODAY = dt.date(2026, 11, 22)
OA_QUERY = "select=id%2Cworks_count%2Ccited_by_count%2Csummary_stats"
S2_QUERY = "fields=hIndex%2CcitationCount%2CpaperCount"
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
    assert got == Metrics(21, 4261, 67, TODAY, "openalex", "A5023888391")
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
    assert got == Metrics(21, 4261, 67, TODAY, "openalex", "A5023888391")
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
    assert s2.fetch("1741101") == Metrics(10, 6, 4, TODAY, "semantic-scholar", "1741101")
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
    pytest.param(OPENALEX, [httpx.ConnectError] * 5,
                 "OpenAlex did not answer for A5023888391 after 5 attempts (last: could not "
                 "connect (ConnectError)): try again later", [1.0, 2.0, 4.0, 8.0], id="offline"),
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


def test_requests_are_spaced() -> None:
    """Semantic Scholar gets at most one request a second unless told otherwise."""
    ticks: Iterator[float] = iter([100.0, 100.25, 101.0, 103.5, 103.5])
    sleeps: list[float] = []
    server = Server(*["s2_author_1741101"] * 3)
    s2 = client(S2, server, sleeps, clock=lambda: next(ticks), min_interval=None)
    assert s2.min_interval == 1.0
    for _ in range(3):
        s2.fetch("1741101")
    assert sleeps == [0.75]  # the third request came 2.5 s after the second: no wait
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
        assert http.follow_redirects is True
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


def test_authors_refresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    (folder / "jason-priem.yaml").write_bytes(RECORD.encode())
    (folder / "no-ids.yaml").write_text("name: Nobody\n", encoding="utf-8")
    (folder / "broken-id.yaml").write_text("name: Broken\nsemantic_scholar: '999'\n",
                                           encoding="utf-8")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return recorded("openalex_author_A5023888391")
        return recorded("s2_not_found")

    monkeypatch.setattr(metrics_mod, "make_client", functools.partial(
        make_client, transport=httpx.MockTransport(handler)))
    monkeypatch.setattr(metrics_mod, "MetricsClient", functools.partial(
        MetricsClient, today=lambda: TODAY, sleep=lambda s: None))
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "authors", "refresh"])
    assert result.exit_code == 1
    assert "updated: jason-priem (Jason Priem): h-index 21, 4,261 citations, 67 papers" in (
        result.stdout)
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

bio: 'OpenAlex の共同創設者。'
"""
    assert (folder / "broken-id.yaml").read_text(encoding="utf-8") == (
        "name: Broken\nsemantic_scholar: '999'\n")
    again = CliRunner().invoke(main, ["--root", str(tmp_path), "authors", "refresh",
                                      "jason-priem"])
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "0 updated, 1 unchanged, 0 skipped, 0 failed"


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
