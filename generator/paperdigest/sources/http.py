"""One polite HTTP client for every source (arXiv, OpenAlex, Semantic Scholar).

Only the CLI goes online; the site build never does. ``PoliteClient`` wraps an
``httpx.Client`` (made by ``make_client``, or by a test with an ``httpx.MockTransport``) and
adds what each source asks of us and what keeps a command from hanging:

- spacing (``min_interval`` between requests), retries with doubling backoff for timeouts,
  429 and 5xx, and ``Retry-After`` read in both forms (seconds, HTTP date; a date without a
  zone is GMT). A name that does not resolve or a refused connection fails at once: waiting
  does not bring a network back, and offline a command should say so in a second;
- a wall-clock limit per request and per command. httpx's timeouts are per read, so a
  server sending one byte every few seconds would never trip them: every read of the
  connection (``DeadlineBackend``: connect and headers) and every chunk of the body is
  checked against the request's clock;
- a cap on the decoded size: gzip and deflate are inflated here, chunk by chunk and never
  past the cap, so a small gzip bomb cannot fill the memory;
- redirects followed only to the same host and port (a move from http to https on the
  default ports is fine);
- JSON read with a nesting limit (``json`` recurses, and deep input raises RecursionError).

Every failure is a ``FetchError`` subclass carrying what the caller needs to phrase it; the
clock, the sleep and the date are injected (``Timing``) so tests never wait.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .. import __version__
from ..errors import FetchError
from .connection import DeadlineClient, ending, unreachable_because, within
from .decode import DecodeError, Inflater, TooLarge

PROJECT_URL = "https://github.com/paperdigest/paperdigest"
TIMEOUT_ENV, DEADLINE_ENV = "PAPERDIGEST_HTTP_TIMEOUT", "PAPERDIGEST_HTTP_DEADLINE"
TIMEOUT = 60.0
"""Seconds one request may take, from sending it to the last byte of the answer."""
DEADLINE = 900.0
"""Seconds one command may spend online, waits between retries included."""
MAX_BYTES = 16 * 2**20
"""Largest answer, decoded; a page of 200 works with the fields we ask for is under 1 MB."""
MAX_REDIRECTS = 5
MAX_WAIT = 120.0
"""Longest pause before a retry; a longer ``Retry-After`` ends the attempt at once."""
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def user_agent(*notes: str) -> str:
    """Who is calling and where to find them: ``paperdigest/V (+URL; note; …)``."""
    extra = "".join(f"; {n}" for n in notes if n)
    return f"paperdigest/{__version__} (+{PROJECT_URL}{extra})"


def make_client(*, user_agent: str = user_agent(), timeout: float = 30.0,
                max_connections: int = 1,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An ``httpx.Client`` for ``PoliteClient``: a read timeout, few connections, our UA.

    Redirects are not followed by httpx: ``PoliteClient`` follows them itself, on the same
    host and port only. Only gzip and deflate are asked for, because those are what it can
    inflate within the size cap. Without a ``transport``, httpx's own on a
    ``DeadlineBackend`` (proxies from the environment included).
    """
    return DeadlineClient(
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=max_connections),
        follow_redirects=False, transport=transport)


ClientFactory = Callable[..., httpx.Client]
"""Makes clients; takes ``make_client``'s keyword arguments (tests add a transport)."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Timing:
    """The clock, the sleep and today's date; tests pass fakes so nothing waits."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    now: Callable[[], dt.datetime] = _utc_now
    """The current time, for a ``Retry-After`` date when the answer has no ``Date``."""
    today: Callable[[], dt.date] = dt.date.today
    """The day figures are read, as written into records."""


@dataclass(frozen=True)
class Limits:
    """How long a request and a command may take, and how large an answer may be."""

    timeout: float = TIMEOUT
    deadline: float = DEADLINE
    max_bytes: int = MAX_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """Defaults, with ``$PAPERDIGEST_HTTP_TIMEOUT`` and ``$PAPERDIGEST_HTTP_DEADLINE``."""
        return cls(timeout=_seconds(environ, TIMEOUT_ENV, TIMEOUT),
                   deadline=_seconds(environ, DEADLINE_ENV, DEADLINE))


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 10**6:
        raise FetchError(f"{name}={raw!r}: is not a number of seconds: set it to e.g. "
                         f"{default:.0f}, or unset it")
    return value


class Deadline:
    """The wall-clock limit of one command, shared by all its requests."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self.at = clock() + seconds

    def left(self) -> float:
        """Seconds left (0 once it has passed)."""
        return max(0.0, self.at - self.clock())


@dataclass
class Network:
    """What a command needs to go online; the CLI keeps one in its context object, and
    tests put theirs there (a factory with a ``MockTransport``, a fake clock)."""

    factory: ClientFactory = make_client
    timing: Timing = field(default_factory=Timing)
    limits: Limits | None = None
    """``None``: read from the environment when a command starts."""

    def open(self, notify: Callable[[str], None] | None = None) -> Online:
        """One command's way online; its deadline starts now. ``FetchError`` for bad
        settings in the environment."""
        limits = self.limits or Limits.from_env()
        return Online(self.factory, self.timing, limits,
                      Deadline(limits.deadline, self.timing.clock), notify)


@dataclass(frozen=True)
class Online:
    """The settings every client of one command shares: one deadline, one clock."""

    factory: ClientFactory
    timing: Timing
    limits: Limits
    deadline: Deadline
    notify: Callable[[str], None] | None = None
    """Told of every retry and wait, so a slow command is not silent."""

    def client(self, *, user_agent: str, timeout: float, max_connections: int
               ) -> httpx.Client:
        """A new ``httpx.Client`` from the factory; ``timeout`` is cut to the limit."""
        return self.factory(user_agent=user_agent, timeout=min(timeout, self.limits.timeout),
                            max_connections=max_connections)

    def settings(self) -> dict[str, Any]:
        """Keyword arguments for ``ArxivClient`` and ``MetricsClient``."""
        return {"timing": self.timing, "limits": self.limits, "deadline": self.deadline,
                "notify": self.notify}


@dataclass(frozen=True)
class Reply:
    """A final answer, read whole: status, headers and the decoded body."""

    status: int
    reason: str
    headers: httpx.Headers
    content: bytes
    url: httpx.URL

    @property
    def status_line(self) -> str:
        return f"HTTP {self.status} {self.reason}".rstrip()


class HttpFailure(FetchError):
    """No usable answer. ``kind`` says which way it failed:

    ``transport`` (a timeout, a broken connection; retried), ``unreachable`` (the name does
    not resolve, the connection is refused; not retried), ``status`` (retryable answers until
    the attempts ran out), ``wait`` (``Retry-After`` longer than ``MAX_WAIT``), ``slow``,
    ``large``, ``redirect``, ``decode`` (bad gzip), ``deadline`` (the command's time is up),
    ``unsupported`` (not an http(s) address). ``reason`` says what the server did (``sent
    an answer larger than 16 MB``), to follow its name in a message; ``fix`` what to do.
    """

    def __init__(self, kind: str, reason: str, *, fix: str = "try again later",
                 attempts: int = 1, reply: Reply | None = None, wait: float | None = None,
                 error: Exception | None = None) -> None:
        super().__init__(f"{reason}: {fix}")
        self.kind, self.reason, self.fix, self.attempts = kind, reason, fix, attempts
        self.reply, self.wait, self.error = reply, wait, error


def retry_after(headers: Mapping[str, str], now: dt.datetime | None = None) -> float | None:
    """Seconds the server asked us to wait: ``Retry-After`` as seconds or as an HTTP date.

    A date is measured against the answer's own ``Date`` (a skewed local clock does not
    matter), else against ``now``; a date without a zone is GMT, as HTTP dates are.
    """
    value = headers.get("retry-after", "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    until = _http_date(value)
    if until is None:
        return None
    current = _http_date(headers.get("date", "")) or now or _utc_now()
    return max(0.0, (until - current).total_seconds())


def _http_date(value: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


Retryable = Callable[[int], bool]
_CHECK_ADDRESS = "check the API address, or try again later"
_MORE_TIME = f"try again later, or raise {DEADLINE_ENV}"


def server_trouble(status: int) -> bool:
    """429 and 5xx: answers that a later attempt may change."""
    return status == 429 or status >= 500


class PoliteClient:
    """GETs through ``client``: spaced, retried, time- and size-limited; see the module."""

    def __init__(self, client: httpx.Client, *, name: str, min_interval: float = 0.0,
                 max_retries: int = 4, backoff: float = 1.0, max_wait: float = MAX_WAIT,
                 timing: Timing | None = None, limits: Limits | None = None,
                 deadline: Deadline | None = None,
                 notify: Callable[[str], None] | None = None, env: str = "") -> None:
        self.client, self.name = client, name
        self.env = env
        """The variable that sets the address asked (named when it cannot be reached)."""
        self.min_interval, self.max_retries = min_interval, max(0, max_retries)
        self.backoff, self.max_wait = backoff, max_wait
        self.timing = timing or Timing()
        self.limits = limits or Limits()
        self.deadline = deadline
        self.notify = notify
        self._last: float | None = None

    def get(self, url: str, *, params: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None, follow: bool = True,
            retryable: Retryable = server_trouble) -> Reply:
        """The final answer to GET ``url``: retried while ``retryable(status)`` or on a
        timeout or broken connection (not when the host cannot be reached); a redirect is
        followed (same host and port only) unless ``follow`` is off, then it is returned like
        any answer. Raises ``HttpFailure``."""
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            self._spent()
            self._throttle()
            wait: float | None = None
            try:
                reply = self._once(url, params, headers, follow)
            except HttpFailure as exc:
                if exc.kind != "transport":
                    raise
                failure = HttpFailure("transport", exc.reason, fix=exc.fix, attempts=attempt,
                                      error=exc.error)
            else:
                if not retryable(reply.status):
                    return reply
                wait = retry_after(reply.headers, self.timing.now())
                if wait is not None and wait > self.max_wait:
                    raise HttpFailure("wait", f"asked to wait {wait:.0f} s ({reply.status_line})",
                                      fix="try again after that", attempts=attempt,
                                      reply=reply, wait=wait)
                failure = HttpFailure("status", reply.status_line, attempts=attempt, reply=reply)
            if attempt == attempts:
                raise failure
            delay = wait if wait is not None else min(self.max_wait,
                                                      self.backoff * 2 ** (attempt - 1))
            if self.deadline is not None and delay >= self.deadline.left():
                raise self._out_of_time(attempt, failure)
            if self.notify is not None:
                self.notify(f"{self.name}: attempt {attempt} of {attempts} failed "
                            f"({failure.reason}); trying again in {delay:.0f} s")
            self.timing.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _out_of_time(self, attempt: int, failure: HttpFailure) -> HttpFailure:
        assert self.deadline is not None
        what = f"answered {failure.reply.status_line}" if failure.reply else failure.reason
        return HttpFailure("deadline", f"{what}, and the command's time limit of "
                           f"{self.deadline.seconds:.0f} s leaves no time to try again",
                           fix=_MORE_TIME, attempts=attempt, reply=failure.reply,
                           error=failure.error)

    def _spent(self) -> None:
        if self.deadline is not None and self.deadline.left() <= 0:
            raise HttpFailure("deadline", "was not asked: the command's time limit of "
                              f"{self.deadline.seconds:.0f} s is spent", fix=_MORE_TIME)

    def _throttle(self) -> None:
        if self._last is not None:
            wait = self._last + self.min_interval - self.timing.clock()
            if wait > 0:
                self.timing.sleep(wait)

    def _once(self, url: str, params: Mapping[str, str] | None,
              headers: Mapping[str, str] | None, follow: bool) -> Reply:
        """One attempt: send, follow same-host redirects, read the body within the limits."""
        clock = self.timing.clock
        self._spent()
        budget = self.limits.timeout
        if self.deadline is not None:
            budget = min(budget, self.deadline.left())
        ends = clock() + budget
        target = httpx.URL(url)
        query = dict(params) if params else None
        try:
            with ending(clock, ends):
                return self._follow(target, query, headers, follow, ends, budget)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise HttpFailure("unsupported", f"cannot be asked ({exc or 'not http(s)'})",
                              fix="give an http(s) address", error=exc) from exc
        except httpx.TimeoutException as exc:
            if clock() >= ends:  # the request's own deadline, in any phase of it
                raise self._slow(budget) from exc
            raise HttpFailure("transport", "timed out", error=exc) from exc
        except httpx.ConnectError as exc:
            raise self._unreachable(target, exc) from exc
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise HttpFailure("transport", f"lost the connection ({reason})",
                              fix="check your connection", error=exc) from exc
        except (httpx.HTTPError, httpx.StreamError) as exc:  # the answer is unusable
            raise HttpFailure("decode", f"sent an answer that cannot be read "
                              f"({exc or type(exc).__name__})", error=exc) from exc
        finally:
            self._last = clock()

    def _follow(self, target: httpx.URL, query: dict[str, str] | None,
                headers: Mapping[str, str] | None, follow: bool, ends: float,
                budget: float) -> Reply:
        clock = self.timing.clock
        for _ in range(MAX_REDIRECTS + 1):
            request = self.client.build_request("GET", target, params=query,
                                                headers=dict(headers or {}))
            # No single read may outlast what is left of this request's budget.
            request.extensions["timeout"] = within(self.client.timeout,
                                                    max(0.001, ends - clock()))
            response = self.client.send(request, stream=True, follow_redirects=False)
            try:
                location = response.headers.get("location")
                if not (follow and response.status_code in REDIRECTS and location):
                    return self._read(response, ends, budget)
            finally:
                response.close()
            target, query = self._redirect(request.url, location), None
        raise HttpFailure("redirect", f"redirected more than {MAX_REDIRECTS} times (a "
                          "redirect loop)", fix=_CHECK_ADDRESS)

    def _redirect(self, current: httpx.URL, location: str) -> httpx.URL:
        try:
            target = current.join(location)
        except httpx.InvalidURL:
            raise HttpFailure("redirect", f"redirected to {location[:120]!r}, which is not "
                              "an address", fix=_CHECK_ADDRESS) from None
        # httpx gives no port for a scheme's default one, so http://h to https://h passes
        # and any explicit port must stay what it was.
        same_host = (target.host.lower() == current.host.lower()
                     and target.port == current.port)
        downgrade = current.scheme == "https" and target.scheme != "https"
        if not same_host or downgrade or target.scheme not in ("http", "https"):
            raise HttpFailure("redirect", "redirected to another host "
                              f"({str(target)[:120]}), which is not followed",
                              fix=_CHECK_ADDRESS)
        return target

    def _unreachable(self, target: httpx.URL, exc: httpx.ConnectError) -> HttpFailure:
        with contextlib.suppress(RuntimeError):  # a test's transport may raise without one
            target = exc.request.url  # after a redirect, the address that failed
        where = target.host + (f":{target.port}" if target.port is not None else "")
        fix = "check your connection" + (f" or set {self.env}" if self.env else "")
        return HttpFailure("unreachable", f"cannot reach {where}",
                           fix=f"{fix} ({unreachable_because(exc)})", error=exc)

    def _slow(self, budget: float) -> HttpFailure:
        return HttpFailure("slow", f"did not finish its answer within {budget:.0f} s",
                           fix=f"try again later, or raise {TIMEOUT_ENV}")

    large_fix = _CHECK_ADDRESS
    """What to do about an answer over the size cap (a model's client says otherwise)."""

    def _read(self, response: httpx.Response, ends: float, budget: float,
              feed: Callable[[bytes], None] | None = None) -> Reply:
        """The whole answer, decoded within the size cap and the deadline; ``feed`` is given
        every decoded piece as it arrives (a streamed model answer shows its progress)."""
        cap = self.limits.max_bytes
        parts: list[bytes] = []
        size = 0
        too_large = HttpFailure("large", f"sent an answer larger than {_size(cap)}",
                                fix=self.large_fix)
        try:
            if response.is_stream_consumed:
                # Already read and decoded (a MockTransport answer built from bytes).
                chunks: Iterable[bytes] = [response.content]
                inflater = Inflater("")
            else:
                chunks = response.iter_raw()
                inflater = Inflater(response.headers.get("content-encoding", ""))
            for chunk in chunks:
                piece = inflater.feed(chunk, cap - size)
                size += len(piece)
                parts.append(piece)
                if feed is not None:
                    feed(piece)
                if self.timing.clock() > ends:
                    raise self._slow(budget)
            parts.append(inflater.finish(cap - size))
        except TooLarge:
            raise too_large from None
        except DecodeError as exc:
            raise HttpFailure("decode", str(exc)) from None
        return Reply(response.status_code, response.reason_phrase, response.headers,
                     b"".join(parts), response.request.url)


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n:,} bytes"
