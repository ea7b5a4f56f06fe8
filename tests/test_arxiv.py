"""The arXiv client, offline: recorded Atom answers replayed through ``httpx.MockTransport``.

A fake clock stands in for time, so the three-second spacing, the backoff and the
``Retry-After`` pauses are asserted exactly without waiting for them.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import httpx
import pytest
from click.testing import CliRunner, Result
from conftest import DATA, move_content
from fakeclock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.cli import main
from paperdigest.content.ids import ArxivId, parse_arxiv_id
from paperdigest.content.loader import check_content, load_site
from paperdigest.errors import ArxivError
from paperdigest.sources import http
from paperdigest.sources.arxiv import (
    API_ENV,
    DEFAULT_API,
    USER_AGENT,
    ArxivClient,
    ArxivRecord,
    api_url_from_env,
    make_client,
    parse_feed,
    user_agent,
)
from paperdigest.sources.http import Limits, Network, Timing

FEEDS = DATA / "arxiv"
Make = Callable[[Mapping[str, str | bytes]], Path]
Answer = httpx.Response | Exception


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def aid(text: str) -> ArxivId:
    parsed = parse_arxiv_id(text)
    assert parsed is not None
    return parsed




class Server:
    """Answers requests from a queue and keeps the requests it saw."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self, clock: Clock, **kw: object) -> ArxivClient:
        http = httpx.Client(transport=httpx.MockTransport(self))
        return ArxivClient(http, sleep=clock.sleep, clock=clock, **kw)  # type: ignore[arg-type]


def ok(name: str) -> httpx.Response:
    return httpx.Response(200, content=feed(name))


# --- records -------------------------------------------------------------------------------


def test_fetch_reads_every_field_and_sends_the_query() -> None:
    server = Server(ok("1706.03762.xml"))
    record = server.client(Clock()).fetch(aid("1706.03762"))
    assert record == ArxivRecord(
        id=ArxivId("1706.03762", "v7"),
        title="Attention Is All You Need",
        abstract=("The dominant sequence transduction models are based on complex recurrent or "
                  "convolutional neural networks in an encoder-decoder configuration. We "
                  "propose a new simple network architecture, the Transformer, based solely on "
                  "attention mechanisms."),
        authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit",
                 "Llion Jones", "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin"),
        published=dt.date(2017, 6, 12),
        updated=dt.date(2023, 8, 2),
        primary_category="cs.CL",
        categories=("cs.CL", "cs.LG"),
        comment="15 pages, 5 figures",
        doi=None,
        journal_ref=None,
    )
    # The feed's PDF link lacks title="pdf" (as in November 2025); the URL comes from the id.
    assert record.abs_url == "https://arxiv.org/abs/1706.03762v7"
    assert record.pdf_url == "https://arxiv.org/pdf/1706.03762v7"
    (request,) = server.seen
    assert request.method == "GET"
    assert str(request.url) == f"{DEFAULT_API}?id_list=1706.03762&max_results=1"
    assert request.headers["User-Agent"] == USER_AGENT


def test_a_versioned_id_gets_that_version() -> None:
    server = Server(ok("1706.03762v1.xml"))
    record = server.client(Clock()).fetch(aid("1706.03762v1"))
    assert record.id == ArxivId("1706.03762", "v1")
    assert record.published == record.updated == dt.date(2017, 6, 12)
    assert record.pdf_url == "https://arxiv.org/pdf/1706.03762v1"
    assert server.seen[0].url.params["id_list"] == "1706.03762v1"


def test_old_style_id_with_doi_journal_ref_and_comment() -> None:
    server = Server(ok("hep-th_9711200.xml"))
    record = server.client(Clock()).fetch(aid("hep-th/9711200"))
    assert record.id == ArxivId("hep-th/9711200", "v3")
    assert record.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert record.authors == ("Juan M. Maldacena",)
    assert (record.published, record.updated) == (dt.date(1997, 11, 27), dt.date(1998, 1, 22))
    assert (record.doi, record.journal_ref, record.comment) == (
        "10.1023/A:1026654312961", "Adv.Theor.Math.Phys.2:231-252,1998", "20 pages, harvmac")
    assert (record.primary_category, record.categories) == ("hep-th", ("hep-th",))
    assert record.abs_url == "https://arxiv.org/abs/hep-th/9711200v3"
    # The slash is sent percent-encoded, which arXiv accepts.
    assert server.seen[0].url.query == b"id_list=hep-th%2F9711200&max_results=1"


def test_parse_feed_without_primary_category_uses_the_first_category() -> None:
    xml = feed("1706.03762v1.xml").replace(b'<arxiv:primary_category term="cs.CL"/>', b"")
    (record,) = parse_feed(xml)
    assert (record.primary_category, record.categories) == ("cs.CL", ("cs.CL", "cs.LG"))


# --- what arXiv says no to -----------------------------------------------------------------


def test_incorrect_id_format_is_a_400_with_an_error_entry() -> None:
    server = Server(httpx.Response(400, content=feed("error_400.xml")))
    with pytest.raises(ArxivError) as info:
        server.client(Clock()).fetch(ArxivId("2503.4504"))
    assert str(info.value) == ("arXiv rejected the id '2503.4504': incorrect id format "
                               "(expected e.g. 2503.04504 or hep-th/9901001)")
    assert len(server.seen) == 1  # a 400 is not retried


def test_unknown_id_is_an_empty_feed() -> None:
    with pytest.raises(ArxivError) as info:
        Server(ok("empty.xml")).client(Clock()).fetch(aid("2503.99999"))
    assert str(info.value) == "arXiv has no paper with id '2503.99999': check the id"


def test_unknown_id_as_an_error_entry_in_a_200_answer() -> None:
    xml = feed("error_400.xml").replace(b"incorrect id format for 2503.4504",
                                        b"no such article 2503.99999")
    with pytest.raises(ArxivError) as info:
        Server(httpx.Response(200, content=xml)).client(Clock()).fetch(aid("2503.99999"))
    assert str(info.value) == "arXiv has no paper with id '2503.99999': check the id"
    with pytest.raises(ArxivError) as parsed:
        parse_feed(xml)
    assert str(parsed.value) == "the arXiv API answered with an error: no such article 2503.99999"


def test_other_400_and_404_answers() -> None:
    xml = feed("error_400.xml").replace(b"incorrect id format for 2503.4504",
                                        b"max_results must be non-negative")
    with pytest.raises(ArxivError) as bad:
        Server(httpx.Response(400, content=xml)).client(Clock()).fetch(aid("2503.04504"))
    assert str(bad.value) == ("arXiv rejected the request for '2503.04504': max_results must be "
                              "non-negative")
    with pytest.raises(ArxivError) as missing:
        Server(httpx.Response(404, text="Not Found")).client(
            Clock(), api_url="http://mirror.test/api").fetch(aid("2503.04504"))
    assert str(missing.value) == ("the arXiv API at http://mirror.test/api answered HTTP 404 "
                                  "Not Found for '2503.04504'; check that address "
                                  "(PAPERDIGEST_ARXIV_API sets it) or try again later")


def test_html_instead_of_atom() -> None:
    page = b"<html><body><h1>Service temporarily unavailable</h1><br></body></html>"
    with pytest.raises(ArxivError) as info:
        Server(httpx.Response(200, content=page)).client(Clock()).fetch(aid("2503.04504"))
    assert str(info.value) == ("the arXiv API answered with malformed XML: mismatched tag: "
                               "line 1, column 58 (asked for '2503.04504' at "
                               "https://export.arxiv.org/api/query)")


# --- retries -------------------------------------------------------------------------------


def test_503_then_success_waits_as_retry_after_says() -> None:
    clock = Clock()
    server = Server(httpx.Response(503, headers={"Retry-After": "5"}), ok("2503.04504.xml"))
    record = server.client(clock).fetch(aid("2503.04504"))
    assert record.id.full == "2503.04504v1"
    assert clock.sleeps == [5.0]
    assert len(server.seen) == 2


def test_a_short_retry_after_still_keeps_three_seconds_between_requests() -> None:
    clock = Clock()
    server = Server(httpx.Response(503, headers={"Retry-After": "1"}), ok("2503.04504.xml"))
    server.client(clock).fetch(aid("2503.04504"))
    assert clock.sleeps == [1.0, 2.0]


def test_429_with_retry_after_as_an_http_date() -> None:
    clock = Clock()
    limited = httpx.Response(429, headers={"Retry-After": "Fri, 20 Nov 2026 09:15:30 GMT",
                                           "Date": "Fri, 20 Nov 2026 09:15:00 GMT"})
    server = Server(limited, ok("2503.04504.xml"))
    assert server.client(clock).fetch(aid("2503.04504")).authors[0] == "Sunghyun Ahn"
    assert clock.sleeps == [30.0]


def test_a_retry_after_longer_than_two_minutes_stops_instead() -> None:
    clock = Clock()
    server = Server(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(ArxivError) as info:
        server.client(clock).fetch(aid("2503.04504"))
    assert str(info.value) == ("the arXiv API at https://export.arxiv.org/api/query asked to "
                               "wait 3600 s before the next request (HTTP 429 Too Many "
                               "Requests) for '2503.04504'; try again after that")
    assert clock.sleeps == []


def test_backoff_doubles_without_retry_after() -> None:
    clock = Clock()
    server = Server(httpx.Response(502), httpx.Response(504), httpx.Response(500),
                    ok("2503.04504.xml"))
    server.client(clock).fetch(aid("2503.04504"))
    assert clock.sleeps == [3.0, 6.0, 12.0]


def test_repeated_503_gives_up_and_says_how_often_it_tried() -> None:
    clock = Clock()
    server = Server(*[httpx.Response(503)] * 5)
    with pytest.raises(ArxivError) as info:
        server.client(clock).fetch(aid("2503.04504"))
    assert str(info.value) == ("the arXiv API at https://export.arxiv.org/api/query still "
                               "answered HTTP 503 Service Unavailable after 5 attempts for "
                               "'2503.04504'; arXiv is busy or down, try again in a few minutes")
    assert clock.sleeps == [3.0, 6.0, 12.0, 24.0]
    assert len(server.seen) == 5


def test_network_down() -> None:
    clock = Clock()
    down = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    server = Server(down)
    with pytest.raises(ArxivError) as info:
        server.client(clock, max_retries=2).fetch(aid("2503.04504"))
    assert str(info.value) == ("cannot reach export.arxiv.org: check your connection or set "
                               "PAPERDIGEST_ARXIV_API (the name does not resolve)")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert (clock.sleeps, len(server.seen)) == ([], 1)


def test_timeouts_are_retried_then_reported() -> None:
    clock = Clock()
    server = Server(*[httpx.ConnectTimeout("timed out")] * 3)
    with pytest.raises(ArxivError) as info:
        server.client(clock, max_retries=2).fetch(aid("2503.04504"))
    assert str(info.value) == ("could not reach the arXiv API at https://export.arxiv.org/api/"
                               "query: timed out (3 attempts); check your connection or set "
                               "PAPERDIGEST_ARXIV_API")
    assert clock.sleeps == [3.0, 6.0]


def test_a_timeout_then_success() -> None:
    clock = Clock()
    server = Server(httpx.ReadTimeout("The read operation timed out"), ok("2503.04504.xml"))
    assert server.client(clock).fetch(aid("2503.04504")).primary_category == "cs.CV"
    assert clock.sleeps == [3.0]


def test_an_unsupported_scheme_is_not_retried() -> None:
    clock = Clock()
    refused = httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'.")
    server = Server(refused)
    with pytest.raises(ArxivError) as info:
        server.client(clock, api_url="ftp://mirror.test/api").fetch(aid("2503.04504"))
    assert str(info.value) == ("could not reach the arXiv API at ftp://mirror.test/api: Request "
                               "URL has an unsupported protocol 'ftp://'. (1 attempt); check "
                               "your connection or set PAPERDIGEST_ARXIV_API")
    assert (len(server.seen), clock.sleeps) == (1, [])


def test_no_retries_when_max_retries_is_zero() -> None:
    clock = Clock()
    server = Server(httpx.Response(502))
    with pytest.raises(ArxivError) as info:
        server.client(clock, max_retries=0).fetch(aid("2503.04504"))
    assert str(info.value) == ("the arXiv API at https://export.arxiv.org/api/query still "
                               "answered HTTP 502 Bad Gateway after 1 attempt for "
                               "'2503.04504'; arXiv is busy or down, try again in a few minutes")
    assert clock.sleeps == []


# --- politeness ----------------------------------------------------------------------------


def test_three_seconds_between_requests() -> None:
    clock = Clock()
    server = Server(ok("2503.04504.xml"), ok("hep-th_9711200.xml"), ok("1706.03762.xml"),
                    ok("1706.03762v1.xml"))
    client = server.client(clock)
    client.fetch(aid("2503.04504"))
    assert clock.sleeps == []  # the first request goes out at once
    client.fetch(aid("hep-th/9711200"))
    assert clock.sleeps == [3.0]
    clock.now += 1.25  # time spent elsewhere counts towards the pause
    client.fetch(aid("1706.03762"))
    assert clock.sleeps == [3.0, 1.75]
    clock.now += 10
    client.fetch(aid("1706.03762v1"))
    assert clock.sleeps == [3.0, 1.75]


def test_fetch_many_batches_ids_in_one_request() -> None:
    clock = Clock()
    server = Server(ok("batch.xml"))
    ids = [aid("2503.04504"), aid("hep-th/9711200"), aid("2503.99999"), aid("2503.04504")]
    found = server.client(clock).fetch_many(ids)
    assert sorted(found) == ["2503.04504", "hep-th/9711200"]  # the unknown id is absent
    assert found["hep-th/9711200"].doi == "10.1023/A:1026654312961"
    (request,) = server.seen
    assert request.url.params["id_list"] == "2503.04504,hep-th/9711200,2503.99999"
    assert request.url.params["max_results"] == "3"


def test_fetch_many_sends_at_most_100_ids_per_request_three_seconds_apart() -> None:
    clock = Clock()
    server = Server(*[ok("empty.xml")] * 3)
    ids = [aid(f"2501.{n:05d}") for n in range(1, 251)]
    assert server.client(clock).fetch_many(ids) == {}
    sizes = [len(r.url.params["id_list"].split(",")) for r in server.seen]
    assert sizes == [100, 100, 50]
    assert [r.url.params["max_results"] for r in server.seen] == ["100", "100", "50"]
    assert clock.sleeps == [3.0, 3.0]


def test_user_agent_and_client_settings() -> None:
    assert USER_AGENT == ("paperdigest/0.1.0 (+https://github.com/paperdigest/paperdigest)")
    assert user_agent("team@example.org") == (
        "paperdigest/0.1.0 (+https://github.com/paperdigest/paperdigest; "
        "mailto:team@example.org)")
    server = Server(ok("2503.04504.xml"))
    with make_client(timeout=12.5, mailto="team@example.org",
                     transport=httpx.MockTransport(server)) as client:
        assert client.timeout == httpx.Timeout(12.5)
        assert client.follow_redirects is False  # ArxivClient follows, on the same host only
        ArxivClient(client, sleep=Clock().sleep, clock=Clock()).fetch(aid("2503.04504"))
    assert server.seen[0].headers["User-Agent"] == user_agent("team@example.org")
    with make_client() as client:
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 1  # one connection at a time, as arXiv asks
        assert client.headers["User-Agent"] == USER_AGENT


def test_a_move_to_https_on_the_same_host_is_followed() -> None:
    moved = httpx.Response(301, headers={"Location": "https://export.arxiv.org/api/query?"
                                                     "id_list=2503.04504&max_results=1"})
    server = Server(moved, ok("2503.04504.xml"))
    client = server.client(Clock(), api_url="http://export.arxiv.org/api/query")
    assert client.fetch(aid("2503.04504")).id.full == "2503.04504v1"
    assert [str(r.url) for r in server.seen] == [
        "http://export.arxiv.org/api/query?id_list=2503.04504&max_results=1",
        "https://export.arxiv.org/api/query?id_list=2503.04504&max_results=1"]


def test_a_redirect_to_another_host_is_refused() -> None:
    moved = httpx.Response(302, headers={"Location": "https://evil.test/q"})
    server = Server(moved)
    with pytest.raises(ArxivError) as info:
        server.client(Clock()).fetch(aid("2503.04504"))
    assert str(info.value) == (
        "the arXiv API at https://export.arxiv.org/api/query redirected to another host "
        "(https://evil.test/q), which is not followed for '2503.04504': check the API address, "
        "or try again later")
    assert len(server.seen) == 1


def test_a_retry_after_date_without_a_zone_is_gmt() -> None:
    clock = Clock()
    limited = httpx.Response(503, headers={"Retry-After": "Fri, 20 Nov 2026 09:15:30",
                                           "Date": "Fri, 20 Nov 2026 09:15:00 GMT"})
    Server(limited, ok("2503.04504.xml")).client(clock).fetch(aid("2503.04504"))
    assert clock.sleeps == [30.0]


def test_api_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_ENV, raising=False)
    assert api_url_from_env() == DEFAULT_API
    assert api_url_from_env("  ") == DEFAULT_API
    monkeypatch.setenv(API_ENV, " http://mirror.test/api/query ")
    assert api_url_from_env() == "http://mirror.test/api/query"
    assert api_url_from_env(None) == "http://mirror.test/api/query"
    assert api_url_from_env("https://option.test/q") == "https://option.test/q"
    monkeypatch.setenv(API_ENV, "export.arxiv.org/api/query")
    with pytest.raises(ArxivError) as env:
        api_url_from_env()
    assert str(env.value) == ("PAPERDIGEST_ARXIV_API='export.arxiv.org/api/query' is not an "
                              "http(s) URL; give one like https://export.arxiv.org/api/query")
    with pytest.raises(ArxivError) as option:
        api_url_from_env("ftp://x")
    assert str(option.value) == ("the arXiv API address 'ftp://x' is not an http(s) URL; give "
                                 "one like https://export.arxiv.org/api/query")


# --- hostile or broken XML -----------------------------------------------------------------


@pytest.mark.parametrize(("xml", "message"), [
    (b"<feed><entry>", "the arXiv API answered with malformed XML: no element found: line 1, "
                       "column 13"),
    (b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feed>&a;</feed>',
     "the arXiv API answered with XML that declares a DOCTYPE or entities; refusing to read it"),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE f><feed/>'.encode("utf-16"),
     "the arXiv API answered with malformed XML: it is not UTF-8 (byte 0)"),
    (b"<rss><channel/></rss>",
     "the arXiv API answered with XML that is not an Atom feed (its root element is <rss>)"),
    (feed("1706.03762.xml").replace(b"<published>2017-06-12T17:57:34Z</published>", b""),
     "the arXiv API answered with an entry for '1706.03762v7' that has no <published> date; "
     "the API's format may have changed"),
    (feed("1706.03762.xml").replace(b"2023-08-02T00:41:18Z", b"yesterday"),
     "the arXiv API answered with an entry for '1706.03762v7' whose <updated> date "
     "'yesterday' cannot be read"),
    (feed("1706.03762.xml").replace(b"http://arxiv.org/abs/1706.03762v7", b"urn:x"),
     "the arXiv API answered with an entry whose id 'urn:x' is not an arXiv id"),
    (feed("1706.03762.xml").replace(b"<id>http://arxiv.org/abs/1706.03762v7</id>", b""),
     "the arXiv API answered with an entry that has no <id>; the API's format may have changed"),
    (feed("1706.03762.xml").replace(b"Attention Is All\n  You  Need", b" "),
     "the arXiv API answered with an entry for '1706.03762v7' that has no title; the API's "
     "format may have changed"),
])
def test_broken_feeds(xml: bytes, message: str) -> None:
    with pytest.raises(ArxivError) as info:
        parse_feed(xml)
    assert str(info.value) == message


def test_an_empty_feed_has_no_records() -> None:
    assert parse_feed(feed("empty.xml")) == []
    assert parse_feed(b"\xef\xbb\xbf" + feed("empty.xml")) == []  # a UTF-8 BOM is fine


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_feed_raises_only_arxiv_error_on_any_bytes(data: bytes) -> None:
    try:
        records = parse_feed(data)
    except ArxivError:
        return
    assert all(isinstance(r, ArxivRecord) for r in records)


XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
# Each entry field: left out, a value arXiv would send, or any text at all.
ENTRY_FIELDS = {
    "<id>{}</id>": "http://arxiv.org/abs/2503.04504v1",
    "<title>{}</title>": "AnyAnomaly",
    "<summary>{}</summary>": "An abstract.",
    "<published>{}</published>": "2025-03-06T14:52:34Z",
    "<updated>{}</updated>": "2025-03-07T09:00:00Z",
    "<author><name>{}</name></author>": "Sunghyun Ahn",
    "<category term={}/>": "cs.CV",
    "<arxiv:primary_category term={}/>": "cs.CV",
    "<arxiv:comment>{}</arxiv:comment>": "12 pages",
    "<arxiv:doi>{}</arxiv:doi>": "10.1000/x",
}


@st.composite
def entries(draw: st.DrawFn) -> str:
    parts = []
    for template, good in ENTRY_FIELDS.items():
        mode = draw(st.sampled_from(["good", "good", "good", "good", "none", "text"]))
        if mode != "none":
            value = good if mode == "good" else draw(XML_TEXT)
            quote = quoteattr if "term=" in template else escape
            parts.append(template.format(quote(value)))
    return "<entry>" + "".join(draw(st.permutations(parts))) + "</entry>"


@settings(max_examples=300, deadline=None)
@given(st.lists(entries(), max_size=3))
def test_parse_feed_raises_only_arxiv_error_on_odd_entries(items: list[str]) -> None:
    xml = ('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/'
           f'atom">{"".join(items)}</feed>').encode()
    try:
        records = parse_feed(xml)
    except ArxivError:
        return
    assert len(records) == len(items)
    for record in records:
        assert record.title and record.primary_category in record.categories
        assert record.title == " ".join(record.title.split())


# --- through the command line --------------------------------------------------------------


def offline(*answers: Answer) -> tuple[Server, Clock, dict[str, object]]:
    """A server, a fake clock and the CLI's ``obj`` that routes its clients to them."""
    server, clock = Server(*answers), Clock()
    network = Network(factory=functools.partial(http.make_client,
                                                transport=httpx.MockTransport(server)),
                      timing=Timing(clock=clock, sleep=clock.sleep), limits=Limits())
    return server, clock, {"network": network}


@pytest.fixture(autouse=True)
def _no_api_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_ENV, raising=False)


def invoke(root: Path, obj: dict[str, object], *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], obj=obj)


def test_new_scaffolds_a_digest(project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("paperdigest.content.schema.today", lambda: dt.date(2026, 12, 2))
    root = project({})
    server, _, obj = offline(ok("2503.04504.xml"))
    result = invoke(root, obj, "new", "https://arxiv.org/abs/2503.04504", "--arxiv-api",
                    "http://mirror.test/q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("wrote content/papers/2503.04504.md: write the eight sections, "
                             "then run `paperdigest check`\n")
    assert str(server.seen[0].url) == "http://mirror.test/q?id_list=2503.04504&max_results=1"
    assert server.seen[0].headers["User-Agent"] == USER_AGENT
    path = root / "content/papers/2503.04504.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\narxiv: "2503.04504v1"\ntitle: "AnyAnomaly: Zero-Shot '
                           'Customizable Video Anomaly Detection with LVLM"\nauthors:\n'
                           '  - "Sunghyun Ahn"\n')
    assert '  - "Sanghyun Park"\n' in text
    assert "date: 2025-03-06\nadded: 2026-12-02\ncategory: \"cs.CV\"\n" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["2503.04504.md"]  # no temp file left
    # Until the sections are written, the check says exactly that.
    _, problems = check_content(root / "content", root=root)
    assert [p.field for p in problems].count("section 1") == 1


def test_new_follows_the_content_dir_of_mkdocs_yml(project: Make) -> None:
    root = project({})
    move_content(root)
    _, _, obj = offline(ok("2503.04504.xml"))
    result = invoke(root, obj, "new", "2503.04504")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote digests/papers/2503.04504.md: ")
    assert (root / "digests/papers/2503.04504.md").is_file()
    assert not (root / "content").exists()


def test_new_never_overwrites(project: Make) -> None:
    root = project({"content/papers/2503.04504.md": "mine\n"})
    server, _, obj = offline(ok("2503.04504.xml"))
    result = invoke(root, obj, "new", "2503.04504")
    assert result.exit_code == 1
    assert result.stderr == ("Error: content/papers/2503.04504.md: already exists: edit it, or "
                             "pass --force to replace it\n")
    assert (root / "content/papers/2503.04504.md").read_text(encoding="utf-8") == "mine\n"
    assert server.seen == []  # nothing was asked of arXiv
    forced = invoke(root, offline(ok("2503.04504.xml"))[2], "new", "2503.04504", "--force")
    assert forced.exit_code == 0, forced.output
    assert (root / "content/papers/2503.04504.md").read_text(encoding="utf-8").startswith("---\n")


def test_new_reports_bad_id_and_unknown_paper(project: Make) -> None:
    root = project({})
    bad = invoke(root, {}, "new", "2503.4")
    assert bad.exit_code == 1 and "'2503.4' is not an arXiv id or URL" in bad.stderr
    unknown = invoke(root, offline(ok("empty.xml"))[2], "new", "2503.99999")
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: arXiv has no paper with id '2503.99999': check the id\n"
    assert list((root / "content/papers").iterdir()) == []


def test_new_offline_says_what_it_is_doing(project: Make) -> None:
    root = project({})
    down = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    server, clock, obj = offline(down)
    result = invoke(root, obj, "new", "2503.04504")
    assert result.exit_code == 1
    # Offline is said at once: no retries, no waits.
    assert result.stderr.splitlines() == [
        "Error: cannot reach export.arxiv.org: check your connection or set "
        "PAPERDIGEST_ARXIV_API (the name does not resolve)"]
    assert clock.sleeps == [] and len(server.seen) == 1
    assert list((root / "content/papers").iterdir()) == []


class Trickle(httpx.SyncByteStream):
    """A body that arrives one byte every ``gap`` seconds of the fake clock."""

    def __init__(self, clock: Clock, data: bytes, gap: float) -> None:
        self.clock, self.data, self.gap, self.sent = clock, data, gap, 0

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.data:
            self.clock.now += self.gap
            self.sent += 1
            yield bytes([byte])


def test_new_gives_up_on_a_server_that_trickles(project: Make) -> None:
    root = project({})
    server, clock, obj = offline()
    body = Trickle(clock, feed("2503.04504.xml"), gap=5.0)
    server.answers.append(httpx.Response(200, stream=body))
    result = invoke(root, obj, "new", "2503.04504")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the arXiv API at https://export.arxiv.org/api/query did not finish its answer "
        "within 60 s for '2503.04504': try again later, or raise PAPERDIGEST_HTTP_TIMEOUT\n")
    assert body.sent == 13  # stopped at the first chunk past the minute, not at the end
    assert list((root / "content/papers").iterdir()) == []


def test_new_refuses_a_scaffold_the_check_rejects(project: Make) -> None:
    root = project({})
    # A title with a raw <script> tag passes arXiv but never the build's check.
    xml = feed("2503.04504.xml").replace(b"<title>AnyAnomaly",
                                         b"<title>&lt;script&gt;x&lt;/script&gt; AnyAnomaly")
    _, _, obj = offline(httpx.Response(200, content=xml))
    result = invoke(root, obj, "new", "2503.04504")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: content/papers/2503.04504.md: the build would reject it: line 3: title: "
        "'<script>x</script> AnyAnomaly: Zero-Shot Customizable Video…' contains '<': names and "
        "titles are plain text; leave out <, > and backticks (write ＜ ＞ if needed); line 19: "
        "raw HTML '<script>' is not allowed: write Markdown instead (only <br>, <sub> and <sup> "
        "without attributes are kept), or put it in `backticks` if it is meant as code: nothing "
        "written; start the digest by hand\n")
    assert list((root / "content/papers").iterdir()) == []


def test_new_with_a_full_disk_leaves_nothing(project: Make,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({})

    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    result = invoke(root, offline(ok("2503.04504.xml"))[2], "new", "2503.04504")
    assert result.exit_code == 1
    assert result.stderr == ("Error: content/papers/2503.04504.md: No space left on device: "
                             "free some disk space and run the command again\n")
    assert list((root / "content/papers").iterdir()) == []


def test_import_fetch_fills_metadata(project: Make, tmp_path: Path) -> None:
    root = project({})
    dump = tmp_path / "d.md"
    dump.write_text((DATA / "import" / "dump.md").read_text(encoding="utf-8").replace(
        "2503.05179", "2503.04504"), encoding="utf-8")
    server, _, obj = offline(ok("2503.04504.xml"))
    invoke(root, obj, "import", "--fetch", str(dump))
    assert len(server.seen) == 1  # every id of the dump in one request
    site = load_site(root / "content", root=root)
    paper = next(p for p in site.papers if p.slug == "2503.04504")
    assert paper.author_names == ("Sunghyun Ahn", "Youngwan Jo", "Kijung Lee", "Sein Kwon",
                                  "Inpyo Hong", "Sanghyun Park")
    assert (paper.date, paper.category) == (dt.date(2025, 3, 6), "cs.CV")


def test_import_fetch_with_arxiv_down_refuses_each_digest_and_goes_on(
        project: Make, tmp_path: Path) -> None:
    root = project({})
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    text = (DATA / "import" / "dump.md").read_text(encoding="utf-8")
    first.write_text(text, encoding="utf-8")
    second.write_text("not a dump\n", encoding="utf-8")
    server, _, obj = offline(httpx.Response(200, content=b"<html>"))
    result = invoke(root, obj, "import", "--fetch", str(first), str(second))
    assert result.exit_code == 1
    reason = ("the arXiv API answered with malformed XML: no element found: line 1, column 6 "
              "(asked for ")
    refused = [line for line in result.stderr.splitlines() if reason in line]
    assert refused and all(line.endswith("; nothing written for it: import again when arXiv "
                                         "answers, or without --fetch") for line in refused)
    assert f"{second}: no digest found" in result.stderr  # the next dump was read too
    assert list((root / "content/papers").iterdir()) == []
    assert len(server.seen) == 1
