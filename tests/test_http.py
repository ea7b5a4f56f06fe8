"""The polite client, offline: ``httpx.MockTransport`` and a fake clock, nothing waits."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import socket
import zlib
from collections.abc import Iterable, Iterator

import httpcore
import httpx
import pytest
from fakeclock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.errors import FetchError
from paperdigest.sources.connection import DeadlineBackend, deadline_transport
from paperdigest.sources.decode import BadJson, Inflater, TooLarge, json_depth, parse_json
from paperdigest.sources.http import (
    Deadline,
    HttpFailure,
    Limits,
    PoliteClient,
    Timing,
    make_client,
    retry_after,
    user_agent,
)

NOW = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.UTC)




class Chunks(httpx.SyncByteStream):
    """A body sent as given, chunk by chunk; each chunk may cost time on the fake clock."""

    def __init__(self, chunks: list[bytes], clock: Clock | None = None, gap: float = 0.0) -> None:
        self.chunks, self.clock, self.gap, self.sent = chunks, clock, gap, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.clock is not None:
                self.clock.now += self.gap
            self.sent += 1
            yield chunk


Answer = httpx.Response | Exception


def polite(*answers: Answer, clock: Clock | None = None, **options: object
           ) -> tuple[PoliteClient, list[httpx.Request], Clock]:
    clock = clock or Clock()
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = make_client(transport=httpx.MockTransport(handler))
    settings: dict[str, object] = {"name": "Test API",
                                   "timing": Timing(clock=clock, sleep=clock.sleep,
                                                    now=lambda: NOW)}
    settings.update(options)
    return PoliteClient(client, **settings), seen, clock  # type: ignore[arg-type]


def failure(client: PoliteClient, url: str = "https://api.test/x") -> HttpFailure:
    with pytest.raises(HttpFailure) as info:
        client.get(url)
    return info.value


# --- Retry-After ---------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "wait"), [
    ({"Retry-After": "7"}, 7.0),
    ({"Retry-After": " 120 "}, 120.0),
    ({"Retry-After": "Fri, 20 Nov 2026 09:15:30 GMT"}, 30.0),  # against now
    ({"Retry-After": "Fri, 20 Nov 2026 09:15:30"}, 30.0),  # no zone: GMT
    ({"Retry-After": "Fri, 20 Nov 2026 09:15:30 -0000"}, 30.0),
    ({"Retry-After": "Fri, 20 Nov 2026 10:15:30 +0100"}, 30.0),
    ({"Retry-After": "Fri, 20 Nov 2026 09:16:00", "Date": "Fri, 20 Nov 2026 09:15:48"}, 12.0),
    ({"Retry-After": "Fri, 20 Nov 2026 09:00:00 GMT"}, 0.0),  # already past
    ({"Retry-After": "soon"}, None),
    ({"Retry-After": "-5"}, None),
    ({"Retry-After": "٣"}, None),  # an Arabic-Indic digit is not an HTTP delay
    ({}, None),
])
def test_retry_after_in_both_forms(headers: dict[str, str], wait: float | None) -> None:
    assert retry_after({k.lower(): v for k, v in headers.items()}, NOW) == wait


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_retry_after_never_raises(value: str, date: str) -> None:
    wait = retry_after({"retry-after": value, "date": date}, NOW)
    assert wait is None or wait >= 0


# --- JSON ----------------------------------------------------------------------------------


def test_deep_json_is_refused_without_recursion_error() -> None:
    with pytest.raises(BadJson) as info:
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    assert info.value.why == "nested deeper than 64 levels"
    assert json_depth(b'{"a": "[[[[[[[[", "b": [{"c": "\\"]]]"}]}') == 3
    assert parse_json(b'{"a": ' * 64 + b"1" + b"}" * 64) is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text("[]{}\"\\,:1 ", max_size=300).map(str.encode))
def test_parse_json_raises_only_bad_json(data: bytes) -> None:
    with contextlib.suppress(BadJson):
        parse_json(data)


# --- bodies: size, encoding, time ----------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"\0" * (64 * 2**20))
    chunks = [bomb[i:i + 4096] for i in range(0, len(bomb), 4096)]
    body = Chunks(chunks)
    client, _, _ = polite(httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=body),
                          limits=Limits(max_bytes=2**20))
    exc = failure(client)
    assert (exc.kind, str(exc)) == ("large", "sent an answer larger than 1 MB: check the API "
                                             "address, or try again later")
    assert body.sent < len(chunks)  # reading stopped at the cap, not at the end


def test_the_inflater_never_produces_more_than_the_room() -> None:
    data = gzip.compress(b"x" * 100_000)
    assert len(Inflater("gzip").feed(data, 100_000)) == 100_000
    with pytest.raises(TooLarge):
        Inflater("gzip").feed(data, 99_999)
    assert Inflater("identity").feed(b"abc", 3) == b"abc"


def test_a_body_within_the_cap_is_decoded() -> None:
    raw = zlib.compress(b'{"ok": true}')
    client, seen, _ = polite(httpx.Response(200, headers={"Content-Encoding": "deflate"},
                                            stream=Chunks([raw[:5], raw[5:]])))
    reply = client.get("https://api.test/x")
    assert (reply.status, reply.content, reply.status_line) == (200, b'{"ok": true}', "HTTP 200 OK")
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(("encoding", "chunks", "message"), [
    ("gzip", [b"not gzip at all"], "sent an answer that is not valid gzip (Error -3 while "
                                   "decompressing data: incorrect header check): try again later"),
    ("gzip", [gzip.compress(b"x" * 1000)[:-12]], "sent a gzip answer that ends early: try again "
                                                 "later"),
    ("br", [b"\x0b"], "sent an answer encoded as 'br', which was not asked for: try again later"),
])
def test_undecodable_bodies(encoding: str, chunks: list[bytes], message: str) -> None:
    client, _, _ = polite(httpx.Response(200, headers={"Content-Encoding": encoding},
                                         stream=Chunks(chunks)))
    exc = failure(client)
    assert (exc.kind, str(exc)) == ("decode", message)


def test_a_trickling_server_is_cut_off_by_the_wall_clock() -> None:
    clock = Clock()
    body = Chunks([b"x"] * 1000, clock, gap=5.0)
    client, _, _ = polite(httpx.Response(200, stream=body), clock=clock,
                          limits=Limits(timeout=30.0))
    exc = failure(client)
    assert (exc.kind, str(exc)) == ("slow", "did not finish its answer within 30 s: try again "
                                            "later, or raise PAPERDIGEST_HTTP_TIMEOUT")
    assert body.sent == 7  # the chunk that crossed 30 s was the last one read
    assert clock.now == 1035.0


def test_each_read_gets_only_the_time_left() -> None:
    client, seen, _ = polite(httpx.Response(200), limits=Limits(timeout=12.0))
    client.get("https://api.test/x")
    # The client's 30 s per read, cut to the 12 s this request may take in all.
    assert seen[0].extensions["timeout"] == {"connect": 12.0, "read": 12.0, "write": 12.0,
                                             "pool": 12.0}


# --- redirects -----------------------------------------------------------------------------


def test_same_host_redirects_are_followed() -> None:
    client, seen, _ = polite(
        httpx.Response(301, headers={"Location": "https://api.test/y?b=2"}),
        httpx.Response(302, headers={"Location": "/z"}),
        httpx.Response(200, text="done"))
    assert client.get("http://API.test/x", params={"a": "1"}).content == b"done"
    assert [str(r.url) for r in seen] == ["http://api.test/x?a=1", "https://api.test/y?b=2",
                                          "https://api.test/z"]


@pytest.mark.parametrize(("start", "location", "message"), [
    ("https://api.test/x", "https://evil.test/x", "redirected to another host "
     "(https://evil.test/x), which is not followed: check the API address, or try again later"),
    ("https://api.test/x", "http://api.test/x", "redirected to another host "
     "(http://api.test/x), which is not followed: check the API address, or try again later"),
    ("https://api.test/x", "ftp://api.test/x", "redirected to another host "
     "(ftp://api.test/x), which is not followed: check the API address, or try again later"),
])
def test_other_redirects_are_refused(start: str, location: str, message: str) -> None:
    client, seen, _ = polite(httpx.Response(307, headers={"Location": location}))
    exc = failure(client, start)
    assert (exc.kind, str(exc)) == ("redirect", message)
    assert len(seen) == 1


def test_a_redirect_loop_ends() -> None:
    loop = [httpx.Response(302, headers={"Location": "/x"}) for _ in range(6)]
    client, seen, _ = polite(*loop)
    exc = failure(client)
    assert str(exc) == ("redirected more than 5 times (a redirect loop): check the API "
                        "address, or try again later")
    assert len(seen) == 6


def test_redirects_can_be_left_to_the_caller() -> None:
    client, _, _ = polite(httpx.Response(301, headers={"Location": "https://other.test/"}))
    assert client.get("https://api.test/x", follow=False).status == 301


# --- retries, waits, deadlines -------------------------------------------------------------


def test_retries_are_told_and_spaced() -> None:
    told: list[str] = []
    client, _, clock = polite(httpx.ReadError("reset"), httpx.Response(503),
                              httpx.Response(429, headers={"Retry-After": "9"}),
                              httpx.Response(200), notify=told.append, min_interval=2.0)
    assert client.get("https://api.test/x").status == 200
    assert told == [
        "Test API: attempt 1 of 5 failed (lost the connection (reset)); trying again in 1 s",
        "Test API: attempt 2 of 5 failed (HTTP 503 Service Unavailable); trying again in 2 s",
        "Test API: attempt 3 of 5 failed (HTTP 429 Too Many Requests); trying again in 9 s"]
    assert clock.sleeps == [1.0, 1.0, 2.0, 9.0]  # backoff, topped up to the 2 s spacing


def test_a_long_retry_after_ends_at_once() -> None:
    client, _, clock = polite(httpx.Response(429, headers={"Retry-After": "3600"}))
    exc = failure(client)
    assert (exc.kind, exc.wait, str(exc)) == (
        "wait", 3600.0, "asked to wait 3600 s (HTTP 429 Too Many Requests): try again after that")
    assert clock.sleeps == []


def test_the_command_deadline_is_shared_and_ends_retries() -> None:
    clock = Clock()
    deadline = Deadline(10.0, clock)
    client, seen, _ = polite(*[httpx.Response(502)] * 5, clock=clock, deadline=deadline)
    exc = failure(client)
    assert (exc.kind, str(exc)) == (
        "deadline", "answered HTTP 502 Bad Gateway, and the command's time limit of 10 s leaves "
        "no time to try again: try again later, or raise PAPERDIGEST_HTTP_DEADLINE")
    assert (clock.sleeps, len(seen)) == ([1.0, 2.0, 4.0], 4)  # the fourth (8 s) would not fit
    clock.now += 10
    other, more, _ = polite(httpx.Response(200), clock=clock, deadline=deadline)
    assert str(failure(other)) == ("was not asked: the command's time limit of 10 s is spent: "
                                   "try again later, or raise PAPERDIGEST_HTTP_DEADLINE")
    assert more == []


def test_transport_errors_after_the_last_attempt() -> None:
    client, _, _ = polite(*[httpx.ReadTimeout("slow")] * 2, max_retries=1)
    exc = failure(client)
    assert (exc.kind, exc.attempts, str(exc)) == ("transport", 2, "timed out: try again later")
    assert isinstance(exc.error, httpx.ReadTimeout)


def test_an_address_that_is_not_http_is_not_retried() -> None:
    client, seen, clock = polite(httpx.UnsupportedProtocol("Request URL has an unsupported "
                                                           "protocol 'ftp://'."))
    exc = failure(client, "ftp://api.test/x")
    assert len(seen) == 1
    assert exc.kind == "unsupported" and clock.sleeps == []
    assert str(exc).endswith(": give an http(s) address")


# --- settings ------------------------------------------------------------------------------


def test_limits_from_the_environment() -> None:
    assert Limits.from_env({}) == Limits(60.0, 900.0)
    assert Limits.from_env({"PAPERDIGEST_HTTP_TIMEOUT": "5", "PAPERDIGEST_HTTP_DEADLINE": " 30 "}
                           ) == Limits(5.0, 30.0)
    for bad in ("soon", "0", "-1", "nan", "inf"):
        with pytest.raises(FetchError) as info:
            Limits.from_env({"PAPERDIGEST_HTTP_DEADLINE": bad})
        assert str(info.value) == (f"PAPERDIGEST_HTTP_DEADLINE={bad!r}: is not a number of "
                                   "seconds: set it to e.g. 900, or unset it")


def test_make_client() -> None:
    with make_client(user_agent=user_agent("tests"), timeout=7.0, max_connections=2) as client:
        assert client.headers["user-agent"] == (
            "paperdigest/0.1.0 (+https://github.com/paperdigest/paperdigest; tests)")
        assert client.follow_redirects is False
        assert client.timeout == httpx.Timeout(7.0)
        # The real transport runs on the deadline backend: headers cannot trickle forever.
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, DeadlineBackend)


def test_proxies_from_the_environment_run_on_the_deadline_backend(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    with make_client() as client:
        proxied = [t for t in client._mounts.values() if t is not None]
        assert proxied
        for transport in proxied:
            pool = transport._pool  # type: ignore[attr-defined]
            assert isinstance(pool._network_backend, DeadlineBackend)


# --- the network edge: unreachable hosts, the header phase, ports ----------------------------


def _dns_failure() -> httpx.ConnectError:
    error = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    error.__cause__ = socket.gaierror(-3, "Temporary failure in name resolution")
    return error


@pytest.mark.parametrize(("error", "why"), [
    (_dns_failure(), "the name does not resolve"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), "the name does not resolve"),
    (httpx.ConnectError("[Errno 111] Connection refused"), "the connection was refused"),
    (httpx.ConnectError("[Errno 113] No route to host"), "[Errno 113] No route to host"),
])
def test_an_unreachable_host_fails_at_once(error: httpx.ConnectError, why: str) -> None:
    told: list[str] = []
    client, seen, clock = polite(error, notify=told.append, env="PAPERDIGEST_TEST_API")
    exc = failure(client, "https://api.test/x")
    assert (exc.kind, exc.attempts, str(exc)) == (
        "unreachable", 1, "cannot reach api.test: check your connection or set "
        f"PAPERDIGEST_TEST_API ({why})")
    assert (len(seen), clock.sleeps, told) == (1, [], [])


def test_an_unreachable_port_is_named() -> None:
    client, _, _ = polite(httpx.ConnectError("[Errno 111] Connection refused"))
    assert str(failure(client, "http://127.0.0.1:9/x")) == (
        "cannot reach 127.0.0.1:9: check your connection (the connection was refused)")


class TrickleStream(httpcore.NetworkStream):
    """A connection that answers ``data`` one byte per read, each costing ``gap`` seconds."""

    def __init__(self, data: bytes, clock: Clock, gap: float) -> None:
        self.data, self.clock, self.gap = data, clock, gap
        self.reads: list[float | None] = []
        self.written = b""

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.reads.append(timeout)
        self.clock.now += self.gap
        byte, self.data = self.data[:1], self.data[1:]
        return byte

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.written += buffer

    def close(self) -> None:
        pass


class TrickleBackend(httpcore.NetworkBackend):
    def __init__(self, stream: TrickleStream) -> None:
        self.stream = stream
        self.timeouts: list[float | None] = []

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[object] | None = None) -> httpcore.NetworkStream:
        self.timeouts.append(timeout)
        return self.stream


def trickling(answer: bytes, gap: float, timeout: float = 30.0
              ) -> tuple[PoliteClient, TrickleStream, TrickleBackend, Clock]:
    clock = Clock()
    stream = TrickleStream(answer, clock, gap)
    backend = TrickleBackend(stream)
    client = make_client(transport=deadline_transport(backend))
    return (PoliteClient(client, name="Test API", timing=Timing(clock=clock, sleep=clock.sleep),
                         limits=Limits(timeout=timeout)), stream, backend, clock)


ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ndone"


def test_headers_sent_one_byte_every_two_seconds_are_cut_off() -> None:
    client, stream, _, clock = trickling(ANSWER, gap=2.0)
    exc = failure(client, "http://api.test/x")
    assert (exc.kind, str(exc)) == ("slow", "did not finish its answer within 30 s: try again "
                                            "later, or raise PAPERDIGEST_HTTP_TIMEOUT")
    # 15 bytes of the status line, then the 30 s are spent: no retry, nothing more read.
    assert (len(stream.reads), clock.now, clock.sleeps) == (15, 1030.0, [])
    assert stream.written.startswith(b"GET /x HTTP/1.1\r\nHost: api.test\r\n")


def test_every_read_and_the_connect_get_only_the_time_left() -> None:
    client, stream, backend, _ = trickling(ANSWER, gap=0.25)
    assert client.get("http://api.test/x").content == b"done"
    assert backend.timeouts == [30.0]
    # Each read of the answer may wait only what is left of the request's 30 s.
    assert stream.reads[:3] == [30.0, 29.75, 29.5]
    assert stream.reads[-1] == 30.0 - 0.25 * (len(stream.reads) - 1)


@given(gap=st.floats(0.01, 10.0), size=st.integers(0, 400))
@settings(max_examples=40, deadline=None)
def test_no_answer_outlasts_the_request_timeout(gap: float, size: int) -> None:
    body = b"x" * size
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (size, body)
    client, _, _, clock = trickling(answer, gap=gap, timeout=20.0)
    try:
        assert client.get("http://api.test/x").content == body
    except HttpFailure as exc:
        assert exc.kind == "slow"
    assert clock.now - 1000.0 <= 20.0 + gap  # at most the read that crossed the line


@pytest.mark.parametrize(("start", "location"), [
    ("https://api.test/x", "https://api.test:8443/x"),
    ("http://api.test/x", "http://api.test:8080/x"),
    ("http://api.test:8080/x", "https://api.test/x"),
    ("https://api.test:8443/x", "https://api.test/x"),
])
def test_a_redirect_to_another_port_is_refused(start: str, location: str) -> None:
    client, seen, _ = polite(httpx.Response(302, headers={"Location": location}))
    exc = failure(client, start)
    assert (exc.kind, len(seen)) == ("redirect", 1)
    assert str(exc).startswith(f"redirected to another host ({location})")


def test_a_redirect_on_the_same_port_is_followed() -> None:
    client, seen, _ = polite(httpx.Response(302, headers={"Location": "https://api.test:443/y"}),
                             httpx.Response(302, headers={"Location": "/z"}),
                             httpx.Response(200, text="ok"))
    assert client.get("https://api.test/x").content == b"ok"
    assert [str(r.url) for r in seen] == ["https://api.test/x", "https://api.test/y",
                                          "https://api.test/z"]


_SCHEMES = st.sampled_from(["http", "https"])
_HOSTS = st.sampled_from(["api.test", "API.test", "other.test", "api.test.evil"])
_PORTS = st.sampled_from([None, 80, 443, 8080, 8443])


@given(start=st.tuples(_SCHEMES, _HOSTS, _PORTS), to=st.tuples(_SCHEMES, _HOSTS, _PORTS))
@settings(max_examples=150)
def test_a_redirect_is_followed_only_to_the_same_host_and_port(
        start: tuple[str, str, int | None], to: tuple[str, str, int | None]) -> None:
    def url(scheme: str, host: str, port: int | None) -> str:
        return f"{scheme}://{host}" + (f":{port}" if port is not None else "") + "/x"

    here, there = httpx.URL(url(*start)), httpx.URL(url(*to))
    client, seen, _ = polite(httpx.Response(302, headers={"Location": str(there)}),
                             httpx.Response(200, text="ok"))
    same = here.host == there.host and here.port == there.port  # default ports are None
    upgrade_only = here.scheme == there.scheme or there.scheme == "https"
    if same and upgrade_only:
        assert client.get(str(here)).content == b"ok"
        assert seen[1].url.host == here.host and seen[1].url.port == here.port
    else:
        assert failure(client, str(here)).kind == "redirect"
        assert len(seen) == 1
