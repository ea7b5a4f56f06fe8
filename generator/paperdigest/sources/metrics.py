"""Author metrics from OpenAlex and Semantic Scholar (network at the edge).

Only ``paperdigest authors refresh`` calls this module; the site build never does. The
``httpx.Client`` is passed in (tests give it a ``MockTransport``), and so are the clock, the
sleep and the day, so spacing and retries can be checked without waiting.

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
import email.utils
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .. import __version__
from ..errors import MetricsError
from .arxiv import PROJECT_URL

OPENALEX, S2 = "openalex", "semantic-scholar"
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
USER_AGENT = f"paperdigest/{__version__} (+{PROJECT_URL}; author metrics)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class _Source:
    name: str
    record_key: str
    env: str
    default: str
    key_env: str
    id_pattern: re.Pattern[str]
    id_hint: str
    fields: tuple[tuple[str, ...], ...]
    """Where h-index, citations and papers are in the answer, in that order."""
    id_field: str


_SOURCES = {
    OPENALEX: _Source(
        "OpenAlex", "openalex", OPENALEX_ENV, OPENALEX_DEFAULT, OPENALEX_KEY_ENV,
        re.compile(r"(?i)(?:(?:https?://)?(?:api\.)?openalex\.org/(?:authors/)?)?(a[1-9]\d{0,14})"),
        "write it as A followed by digits, e.g. A5023888391",
        (("summary_stats", "h_index"), ("cited_by_count",), ("works_count",)), "id"),
    S2: _Source(
        "Semantic Scholar", "semantic_scholar", S2_ENV, S2_DEFAULT, S2_KEY_ENV,
        re.compile(r"(?i)(?:(?:https?://)?(?:www\.)?semanticscholar\.org/author/(?:[^/?#]+/)?)?"
                   r"([1-9]\d{0,14})/?"),
        "write the number at the end of the author's page URL, e.g. 1741101",
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

    def as_block(self) -> dict[str, int | str | dt.date]:
        """The values written into an author record's ``metrics:`` block."""
        return {"h_index": self.h_index, "citations": self.citations, "papers": self.papers,
                "as_of": self.as_of, "source": self.source}


def make_client(timeout: float = 20.0, *,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An ``httpx.Client`` with a timeout and a User-Agent that says who is asking."""
    return httpx.Client(timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT},
                        follow_redirects=True, transport=transport)


def normalize_id(source: str, author_id: str) -> str:
    """The bare id (``A5023888391``, ``1741101``) from an id or a profile URL."""
    src = _SOURCES[source]
    match = src.id_pattern.fullmatch(author_id.strip())
    if match is None:
        article = "an" if src.name[0] in "AEIOU" else "a"
        raise MetricsError(f"{author_id!r} is not {article} {src.name} author id: {src.id_hint}")
    return match.group(1).upper()


class MetricsClient:
    """Metrics of authors from one source: spaced requests, retries, plain-word failures."""

    def __init__(self, client: httpx.Client, source: str, *, base_url: str | None = None,
                 api_key: str | None = None, today: Callable[[], dt.date] = dt.date.today,
                 sleep: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 min_interval: float | None = None, max_retries: int = 4) -> None:
        if source not in _SOURCES:
            raise ValueError(f"unknown metrics source {source!r}; expected one of {SOURCES}")
        self.client, self.source, self._src = client, source, _SOURCES[source]
        self.base_url = (base_url or os.environ.get(self._src.env) or self._src.default
                         ).rstrip("/")
        self.api_key = api_key if api_key is not None else (
            os.environ.get(self._src.key_env) or None)
        self.today, self.sleep, self.clock = today, sleep, clock
        # OpenAlex allows 100 requests a second; Semantic Scholar's keyless pool is shared
        # and a new key gets 1 per second, so one a second is the polite pace there.
        self.min_interval = min_interval if min_interval is not None else (
            1.0 if source == S2 else 0.1)
        self.max_retries = max_retries
        self._last: float | None = None

    @property
    def name(self) -> str:
        """The source as people call it (``OpenAlex``, ``Semantic Scholar``)."""
        return self._src.name

    def fetch(self, author_id: str) -> Metrics:
        """Today's figures of one author (id or profile URL)."""
        if not self.base_url.startswith(("https://", "http://")):
            raise MetricsError(f"{self._src.env} must be an http(s) URL, got {self.base_url!r}")
        wanted = normalize_id(self.source, author_id)
        current, hops, attempt = wanted, 0, 0
        while True:
            self._wait_turn()
            wait: float | None = None
            limited = False
            try:
                response = self.client.send(self._request(current), follow_redirects=False)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                problem = f"could not connect ({type(exc).__name__})"
            else:
                status = response.status_code
                if status in _REDIRECTS:
                    hops += 1
                    current = self._moved(wanted, response, hops)
                    continue
                if status == 200:
                    return self._figures(wanted, current, response)
                self._refuse(wanted, response)
                limited = status in (403, 429)
                problem = f"HTTP {status}" + (", rate limit" if limited else "")
                wait = self._retry_after(wanted, response)
            attempt += 1
            if attempt > self.max_retries:
                raise MetricsError(f"{self.name} did not answer for {wanted} after {attempt} "
                                   f"attempts (last: {problem}): try again later"
                                   + (self._key_hint() if limited else ""))
            self.sleep(wait if wait is not None else min(BACKOFF * 2 ** (attempt - 1), MAX_WAIT))

    def _request(self, author_id: str) -> httpx.Request:
        if self.source == OPENALEX:
            params = {"select": "id,works_count,cited_by_count,summary_stats"}
            if self.api_key:
                params["api_key"] = self.api_key
            return self.client.build_request("GET", f"{self.base_url}/authors/{author_id}",
                                             params=params)
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        return self.client.build_request(
            "GET", f"{self.base_url}/author/{author_id}",
            params={"fields": "hIndex,citationCount,paperCount"}, headers=headers)

    def _wait_turn(self) -> None:
        if self._last is not None:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def _moved(self, wanted: str, response: httpx.Response, hops: int) -> str:
        """The id a redirect points to (OpenAlex: a merged author's surviving id)."""
        # Only the id is taken: the next request is built on our base URL again, so the key
        # goes along (httpx would drop the query) and never to another host.
        location = response.headers.get("location", "")
        if hops > MAX_REDIRECTS:
            raise MetricsError(f"{self.name} redirected {wanted} more than {MAX_REDIRECTS} "
                               "times: check the id in the record")
        target = response.request.url.join(location).path.rstrip("/").rsplit("/", 1)[-1]
        try:
            return normalize_id(self.source, target)
        except MetricsError:
            raise MetricsError(f"{self.name} redirected {wanted} to {location!r}, which is not "
                               "an author: check the id in the record") from None

    def _refuse(self, wanted: str, response: httpx.Response) -> None:
        """Raise for answers that a retry cannot change; return for 429 and 5xx."""
        status = response.status_code
        # OpenAlex documents 403 as "rate limit exceeded; slow down" and 429 as the daily limit.
        if status == 429 or status >= 500 or (status == 403 and self.source == OPENALEX):
            return
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

    def _retry_after(self, wanted: str, response: httpx.Response) -> float | None:
        wait = _retry_after(response)
        if wait is not None and wait > MAX_WAIT:
            raise MetricsError(f"{self.name} asks to wait {wait:.0f} s before answering for "
                               f"{wanted} (HTTP {response.status_code}): run the refresh again "
                               "later" + self._key_hint())
        return wait

    def _figures(self, wanted: str, current: str, response: httpx.Response) -> Metrics:
        try:
            data = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise MetricsError(f"{self.name} sent malformed JSON for {wanted} ({why}): try "
                               "again later") from None
        if not isinstance(data, dict):
            raise MetricsError(f"{self.name} sent {type(data).__name__} instead of an author "
                               f"object for {wanted}: try again later")
        h_index, citations, papers = (self._count(wanted, data, path)
                                      for path in self._src.fields)
        answered = data.get(self._src.id_field)
        try:
            source_id = normalize_id(self.source, str(answered)) if answered else current
        except MetricsError:
            source_id = current
        return Metrics(h_index, citations, papers, self.today(), self.source, source_id)

    def _count(self, wanted: str, data: dict[str, Any], path: tuple[str, ...]) -> int:
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
        return node


def _detail(response: httpx.Response) -> str:
    """The API's own words about an error, if it sent any (first 160 characters)."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    text = ""
    if isinstance(data, dict):
        text = str(data.get("message") or data.get("error") or "")
    text = " ".join(text.split())[:160]
    return f" ({text})" if text else ""


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        until = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if until.tzinfo is None:
        return None
    # Measure against the server's own Date header, so a skewed local clock does not matter.
    try:
        now = email.utils.parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        now = dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = dt.datetime.now(dt.UTC)
    return max(0.0, (until - now).total_seconds())
