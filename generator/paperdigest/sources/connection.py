"""The connection under httpx: one request's deadline on every read, and why a connection
could not be made.

httpx's timeouts are per read: a server sending its status line and headers one byte every
two seconds never trips them, and the body loop in ``http`` only starts once the headers are
in. ``DeadlineBackend`` wraps httpcore's network so connecting, writing and every read get at
most what is left of the request (set by ``ending``), and a read that ends past it raises
httpcore's ``ReadTimeout``, which httpx turns into its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

_ENDS: contextvars.ContextVar[tuple[Callable[[], float], float] | None] = (
    contextvars.ContextVar("paperdigest_http_ends", default=None))
"""The clock and the moment the current request must be done by; set by ``PoliteClient``."""


@contextlib.contextmanager
def ending(clock: Callable[[], float], ends: float) -> Iterator[None]:
    """Within the block, the current request must be done by ``ends`` on ``clock``."""
    token = _ENDS.set((clock, ends))
    try:
        yield
    finally:
        _ENDS.reset(token)


def _left(timeout: float | None) -> float | None:
    """``timeout`` cut to what is left of the current request; ``ReadTimeout`` once spent."""
    ends = _ENDS.get()
    if ends is None:
        return timeout
    left = ends[1] - ends[0]()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's time is spent")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write fits in what is left of the request."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self.stream.read(max_bytes, _left(timeout))
        _left(None)  # a read that ended past the deadline ends the request (a fake clock)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, _left(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.stream.start_tls(ssl_context, server_hostname,
                                                     _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network, with the request's deadline on connecting and on every read, so
    a server sending its headers one byte at a time is cut off like a slow body."""

    def __init__(self, backend: httpcore.NetworkBackend | None = None) -> None:
        self.backend = backend or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.backend.connect_tcp(
            host, port, _left(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.backend.connect_unix_socket(path, _left(timeout),
                                                                socket_options))

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


def deadline_transport(backend: httpcore.NetworkBackend | None = None,
                       **options: Any) -> httpx.HTTPTransport:
    """httpx's transport on a ``DeadlineBackend`` (over ``backend``, e.g. a test's
    ``httpcore.MockBackend``); ``options`` go to ``httpx.HTTPTransport``."""
    transport = httpx.HTTPTransport(**options)
    # httpx has no argument for the network backend; its pool keeps it here (httpcore 1.x).
    pool: Any = transport._pool
    pool._network_backend = DeadlineBackend(backend)
    return transport


def unreachable_because(exc: Exception) -> str:
    """What a failed connection ran into, in words (the OS error's text otherwise)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "the name does not resolve"
        if isinstance(seen, ConnectionRefusedError):
            return "the connection was refused"
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    if "name resolution" in text or "not known" in text or "nodename" in text:
        return "the name does not resolve"
    if "refused" in text.lower():
        return "the connection was refused"
    return text


def within(timeout: httpx.Timeout, left: float) -> dict[str, float]:
    """The client's timeouts, each cut to the seconds left."""
    def cut(value: float | None) -> float:
        return left if value is None else min(value, left)

    return {"connect": cut(timeout.connect), "read": cut(timeout.read),
            "write": cut(timeout.write), "pool": cut(timeout.pool)}


class DeadlineClient(httpx.Client):
    """An ``httpx.Client`` whose transports, its own and those of the proxies it reads from
    the environment (``HTTPS_PROXY``, ``NO_PROXY``), run on the ``DeadlineBackend``; a
    ``transport`` given to it (a test's) is used as it is. httpx reads the environment only
    when it builds the transports itself, so they are built here, in its two hooks."""

    def _init_transport(self, transport: httpx.BaseTransport | None = None,  # type: ignore[override]
                        **options: Any) -> httpx.BaseTransport:
        return transport if transport is not None else deadline_transport(**options)

    def _init_proxy_transport(self, proxy: httpx.Proxy, **options: Any  # type: ignore[override]
                              ) -> httpx.BaseTransport:
        return deadline_transport(proxy=proxy, **options)


def is_web_url(url: str) -> bool:
    """Whether ``url`` (an address a user set) is an absolute http(s) URL with a host: the
    one test every client applies to the addresses it is given."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)
