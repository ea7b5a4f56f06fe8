"""Author metrics from OpenAlex and Semantic Scholar (network at the edge).

Only ``paperdigest authors refresh`` calls this module; the site build never does. The
``httpx.Client`` is passed in (tests give it a ``MockTransport``), and so are the clock, the
sleep and the day, so spacing and retries can be checked without waiting. Spacing, retries,
time and size limits are ``http.PoliteClient``'s; this module knows the two APIs.

A failure for one author raises ``MetricsError`` in plain words naming the source and the
id, and never returns partial figures, so the caller keeps that author's old values.

What the two APIs do (checked against their documentation):

- OpenAlex answers ``GET /authors/A…`` with ``summary_stats.h_index``, ``cited_by_count`` and
  ``works_count``. A merged author answers 301 with the surviving id. The key goes in the
  ``api_key`` query parameter; 403 means "slow down" and 429 that the day's budget is spent.
- Semantic Scholar answers ``GET /author/{id}?fields=…`` with ``hIndex``, ``citationCount``
  and ``paperCount``. The key goes in the ``x-api-key`` header. Callers without a key share
  a pool of about 100 requests per 5 minutes, and a key starts at 1 request per second.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..content import authorids
from ..content.authorids import OPENALEX as OPENALEX
from ..content.authorids import S2 as S2
from ..content.figures import MAX_COUNT, MAX_H_INDEX, shown_number
from ..errors import MetricsError
from . import http
from .decode import BadJson, parse_json
from .http import REDIRECTS, Deadline, HttpFailure, Limits, Reply, Timing

SOURCES = (OPENALEX, S2)
OPENALEX_ENV, S2_ENV = "PAPERDIGEST_OPENALEX_API", "PAPERDIGEST_S2_API"
OPENALEX_DEFAULT, S2_DEFAULT = "https://api.openalex.org", "https://api.semanticscholar.org/graph/v1"
OPENALEX_KEY_ENV, S2_KEY_ENV = "OPENALEX_API_KEY", "S2_API_KEY"

MAX_WAIT = 120.0
"""Longest pause before a retry; a longer ``Retry-After`` ends the attempt at once."""
BACKOFF = 1.0
"""First pause after a failed attempt without ``Retry-After``; it doubles each time."""
MAX_REDIRECTS = 3
"""Merged authors answer with one redirect; more than this is a loop."""
USER_AGENT = http.user_agent("author metrics")


@dataclass(frozen=True)
class _Source:
    name: str
    record_key: str
    env: str
    default: str
    key_env: str
    fields: tuple[tuple[str, ...], ...]
    """Where h-index, citations and papers are in the answer, in that order."""
    id_field: str


_SOURCES = {
    OPENALEX: _Source("OpenAlex", "openalex", OPENALEX_ENV, OPENALEX_DEFAULT, OPENALEX_KEY_ENV,
                      (("summary_stats", "h_index"), ("cited_by_count",), ("works_count",)),
                      "id"),
    S2: _Source("Semantic Scholar", "semantic_scholar", S2_ENV, S2_DEFAULT, S2_KEY_ENV,
                (("hIndex",), ("citationCount",), ("paperCount",)), "authorId"),
}


@dataclass(frozen=True)
class Metrics:
    """Figures of one author as a source reported them on one day."""

    h_index: int
    citations: int
    papers: int
    as_of: dt.date
    """The day the figures were read."""
    source: str
    """``openalex`` or ``semantic-scholar``."""
    source_id: str
    """The id that answered; OpenAlex redirects a merged author to the surviving id."""
    source_url: str | None = None
    """The address the figures were read from (without the API key)."""

    def as_block(self) -> dict[str, int | str | dt.date]:
        """The values written into an author record's ``metrics:`` block."""
        block: dict[str, int | str | dt.date] = {
            "h_index": self.h_index, "citations": self.citations, "papers": self.papers,
            "as_of": self.as_of, "source": self.source}
        if self.source_url is not None:
            block["source_url"] = self.source_url
        return block


def make_client(timeout: float = 20.0, *, transport: httpx.BaseTransport | None = None,
                factory: http.ClientFactory = http.make_client) -> httpx.Client:
    """An ``httpx.Client`` with a timeout and a User-Agent that says who is asking."""
    options: dict[str, object] = {"user_agent": USER_AGENT, "timeout": timeout,
                                  "max_connections": 2}
    if transport is not None:
        options["transport"] = transport
    return factory(**options)


def connect(online: http.Online) -> tuple[httpx.Client, dict[str, MetricsClient]]:
    """The connection and a client per source for one command; close it when it ends."""
    client = online.client(user_agent=USER_AGENT, timeout=20.0, max_connections=2)
    return client, {s: MetricsClient(client, s, **online.settings()) for s in SOURCES}


def normalize_id(source: str, author_id: str) -> str:
    """The bare id (``A5023888391``, ``1741101``) from an id or a profile URL.

    The same reading as the record schema's (``content.authorids``).
    """
    bare = authorids.normalize(source, author_id)
    if bare is None:
        raise MetricsError(authorids.problem(source, author_id))
    return bare


class MetricsClient:
    """Metrics of authors from one source: spaced requests, retries, plain-word failures."""

    def __init__(self, client: httpx.Client, source: str, *, base_url: str | None = None,
                 api_key: str | None = None, today: Callable[[], dt.date] | None = None,
                 sleep: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 min_interval: float | None = None, max_retries: int = 4,
                 timing: Timing | None = None, limits: Limits | None = None,
                 deadline: Deadline | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        if source not in _SOURCES:
            raise ValueError(f"unknown metrics source {source!r}; expected one of {SOURCES}")
        self.client, self.source, self._src = client, source, _SOURCES[source]
        self.base_url = (base_url or os.environ.get(self._src.env) or self._src.default
                         ).rstrip("/")
        self.api_key = api_key if api_key is not None else (
            os.environ.get(self._src.key_env) or None)
        self.today = today or (timing.today if timing is not None else dt.date.today)
        # OpenAlex allows 100 requests a second; Semantic Scholar's keyless pool is shared
        # and a new key gets 1 per second, so one a second is the polite pace there.
        self.min_interval = min_interval if min_interval is not None else (
            1.0 if source == S2 else 0.1)
        self.max_retries = max_retries
        self.http = http.PoliteClient(
            client, name=self._src.name, min_interval=self.min_interval,
            max_retries=max_retries, backoff=BACKOFF, max_wait=MAX_WAIT,
            timing=timing or Timing(clock=clock, sleep=sleep), limits=limits,
            deadline=deadline, notify=notify, env=self._src.env)

    @property
    def name(self) -> str:
        """The source as people call it (``OpenAlex``, ``Semantic Scholar``)."""
        return self._src.name

    def fetch(self, author_id: str) -> Metrics:
        """Today's figures of one author (id or profile URL)."""
        self.check_base_url()
        wanted = normalize_id(self.source, author_id)
        current, hops = wanted, 0
        while True:
            response = self.get(wanted, *self._request(current))
            if response.status in REDIRECTS:
                hops += 1
                current = self._moved(wanted, response, hops)
                continue
            if response.status == 200:
                return self._figures(wanted, current, response)
            self.refuse(wanted, response)

    def check_base_url(self) -> None:
        """``MetricsError`` unless the API address is http(s)."""
        if not self.base_url.startswith(("https://", "http://")):
            raise MetricsError(f"{self._src.env} must be an http(s) URL, got {self.base_url!r}")

    def get(self, wanted: str, path: str, params: dict[str, str],
            headers: dict[str, str] | None = None) -> Reply:
        """GET ``base_url + path`` for author ``wanted`` (named in messages); redirects are
        returned, not followed; ``MetricsError`` when no final answer came."""
        try:
            return self.http.get(f"{self.base_url}{path}", params=params, headers=headers,
                                 follow=False, retryable=self._retryable)
        except HttpFailure as exc:
            raise MetricsError(self._failure(wanted, exc)) from None

    def auth(self, params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """The key where the source wants it: a query parameter or a header."""
        if self.source == OPENALEX:
            return ({**params, "api_key": self.api_key} if self.api_key else params), {}
        return params, ({"x-api-key": self.api_key} if self.api_key else {})

    def _request(self, author_id: str) -> tuple[str, dict[str, str], dict[str, str]]:
        if self.source == OPENALEX:
            params = {"select": "id,works_count,cited_by_count,summary_stats"}
            return (f"/authors/{author_id}", *self.auth(params))
        return (f"/author/{author_id}", *self.auth({"fields": "hIndex,citationCount,paperCount"}))

    def _retryable(self, status: int) -> bool:
        # OpenAlex documents 403 as "rate limit exceeded; slow down", 429 as the daily limit.
        return http.server_trouble(status) or (status == 403 and self.source == OPENALEX)

    def _failure(self, wanted: str, exc: HttpFailure) -> str:
        status = exc.reply.status if exc.reply is not None else None
        limited = status in (403, 429)
        if exc.kind == "wait":
            return (f"{self.name} asks to wait {exc.wait:.0f} s before answering for {wanted} "
                    f"(HTTP {status}): run the refresh again later" + self._key_hint())
        if exc.kind == "unreachable":
            return str(exc)
        if exc.kind in ("transport", "status"):
            if exc.kind == "status":
                problem = f"HTTP {status}" + (", rate limit" if limited else "")
            elif isinstance(exc.error, httpx.TimeoutException):
                problem = "timed out"
            else:
                problem = f"lost the connection ({type(exc.error).__name__})"
            return (f"{self.name} did not answer for {wanted} after {exc.attempts} attempts "
                    f"(last: {problem}): try again later" + (self._key_hint() if limited else ""))
        return f"{self.name} {exc.reason} for {wanted}: {exc.fix}"

    def _moved(self, wanted: str, response: Reply, hops: int) -> str:
        """The id a redirect points to (OpenAlex: a merged author's surviving id)."""
        # Only the id is taken: the next request is built on our base URL again, so the key
        # goes along (httpx would drop the query) and never to another host.
        location = response.headers.get("location", "")
        if hops > MAX_REDIRECTS:
            raise MetricsError(f"{self.name} redirected {wanted} more than {MAX_REDIRECTS} "
                               "times: check the id in the record")
        try:
            target = response.url.join(location).path.rstrip("/").rsplit("/", 1)[-1]
        except httpx.InvalidURL:
            target = ""
        bare = authorids.normalize(self.source, target)
        if bare is None:
            raise MetricsError(f"{self.name} redirected {wanted} to {location[:120]!r}, which "
                               "is not an author: check the id in the record")
        return bare

    def refuse(self, wanted: str, response: Reply) -> None:
        """Raise for an answer that is neither figures nor a redirect."""
        status = response.status
        src = self._src
        if status == 404:
            raise MetricsError(f"no author with id {wanted} at {src.name}: check the "
                               f"{src.record_key} id in the record")
        if status in (401, 403):
            fix = (f"check the API key in {src.key_env}" if self.api_key
                   else f"set an API key in {src.key_env}")
            raise MetricsError(f"{src.name} refused the request for {wanted} (HTTP {status}): "
                               f"{fix}")
        raise MetricsError(f"{src.name} answered HTTP {status} for {wanted}"
                           f"{_detail(response)}: check the {src.record_key} id in the record")

    def _key_hint(self) -> str:
        if not self.api_key:
            return f"; an API key in {self._src.key_env} raises the limit"
        if self.source == OPENALEX:
            return f"; the key in {self._src.key_env} may have used up today's budget"
        return ""

    def json(self, wanted: str, response: Reply, what: str = "an author object") -> Any:
        """The JSON of an answer, or ``MetricsError`` saying what is wrong with it."""
        try:
            return parse_json(response.content)
        except BadJson as exc:
            raise MetricsError(f"{self.name} sent malformed JSON for {wanted} ({exc.why}): try "
                               "again later") from None

    def _figures(self, wanted: str, current: str, response: Reply) -> Metrics:
        data = self.json(wanted, response)
        if not isinstance(data, dict):
            raise MetricsError(f"{self.name} sent {type(data).__name__} instead of an author "
                               f"object for {wanted}: try again later")
        h_index, citations, papers = (self._count(wanted, data, path, limit)
                                      for path, limit in zip(self._src.fields, _LIMITS,
                                                             strict=True))
        answered = data.get(self._src.id_field)
        source_id = (authorids.normalize(self.source, str(answered)) if answered else None)
        return Metrics(h_index, citations, papers, self.today(), self.source,
                       source_id or current, self.read_at(current))

    def read_at(self, author_id: str) -> str:
        """The address a reader can open to see the figures of ``author_id`` (no key)."""
        if self.source == OPENALEX:
            return f"{self.base_url}/authors/{author_id}"
        return f"{self.base_url}/author/{author_id}?fields=hIndex,citationCount,paperCount"

    def _count(self, wanted: str, data: Mapping[str, Any], path: tuple[str, ...],
               limit: int) -> int:
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        field = ".".join(path)
        if node is None:
            raise MetricsError(f"{self.name}'s answer for {wanted} has no {field}: try again "
                               "later or use the other source")
        if isinstance(node, bool) or not isinstance(node, int) or node < 0:
            raise MetricsError(f"{self.name}'s answer for {wanted} has {field} = "
                               f"{json.dumps(node)[:40]}, not a count: try again later or use "
                               "the other source")
        if node > limit:
            raise MetricsError(f"{self.name}'s answer for {wanted} has {field} = "
                               f"{shown_number(node)}, above the limit of {limit:,}: no real "
                               "figure is that large; try again later or use the other source")
        return node


_LIMITS = (MAX_H_INDEX, MAX_COUNT, MAX_COUNT)
"""Bounds of h-index, citations and papers, as the record's check has them."""


def _detail(response: Reply) -> str:
    """The API's own words about an error, if it sent any (first 160 characters)."""
    try:
        data = parse_json(response.content)
    except BadJson:
        return ""
    text = ""
    if isinstance(data, dict):
        text = str(data.get("message") or data.get("error") or "")
    text = " ".join(text.split())[:160]
    return f" ({text})" if text else ""
