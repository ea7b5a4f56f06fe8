"""Author metrics from OpenAlex and Semantic Scholar (network at the edge).

The ``httpx.Client`` is passed in; tests give it a ``MockTransport``. A failure for one
author raises ``MetricsError`` with plain words and never returns partial figures, so the
caller keeps that author's old values.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from . import __version__
from .errors import MetricsError

OPENALEX, S2 = "openalex", "semantic-scholar"
SOURCES = (OPENALEX, S2)
OPENALEX_ENV, S2_ENV = "PAPERDIGEST_OPENALEX_API", "PAPERDIGEST_S2_API"
OPENALEX_DEFAULT = "https://api.openalex.org"
S2_DEFAULT = "https://api.semanticscholar.org/graph/v1"
OPENALEX_KEY_ENV, S2_KEY_ENV = "OPENALEX_API_KEY", "S2_API_KEY"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 120.0
_NAMES = {OPENALEX: "OpenAlex", S2: "Semantic Scholar"}


@dataclass(frozen=True)
class Metrics:
    """Figures of one author as a source reported them on one day."""

    h_index: int
    citations: int
    papers: int
    as_of: dt.date
    source: str
    source_id: str
    """The id that answered (OpenAlex redirects merged authors to a new id)."""

    def as_block(self) -> dict[str, int | str | dt.date]:
        """The values written into an author record's ``metrics:`` block."""
        return {"h_index": self.h_index, "citations": self.citations, "papers": self.papers,
                "as_of": self.as_of, "source": self.source}


def clock_today() -> dt.date:
    """The day written as ``as_of`` (a function so that tests can fix it)."""
    return dt.date.today()


def make_client(timeout: float = 20.0) -> httpx.Client:
    """An HTTP client with a descriptive User-Agent that follows redirects."""
    return httpx.Client(timeout=timeout, follow_redirects=True,
                        headers={"User-Agent": f"paperdigest/{__version__} (author metrics)"})


def _int(data: Any, *path: str) -> int:
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, bool) or not isinstance(node, int):
        raise KeyError(".".join(path))
    return node


class MetricsClient:
    """Metrics of authors from one source, rate-limited and retrying."""

    def __init__(self, client: httpx.Client, source: str, *, base_url: str | None = None,
                 api_key: str | None = None, today: Callable[[], dt.date] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] | None = None,
                 min_interval: float | None = None, max_retries: int = 4) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        self.client, self.source = client, source
        env, default, key_env = ((OPENALEX_ENV, OPENALEX_DEFAULT, OPENALEX_KEY_ENV)
                                 if source == OPENALEX else (S2_ENV, S2_DEFAULT, S2_KEY_ENV))
        self.base_url = (base_url or os.environ.get(env) or default).rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get(key_env)
        self.today = today or (lambda: clock_today())
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        # Semantic Scholar's shared pool allows about 100 requests per 5 minutes.
        self.min_interval = min_interval if min_interval is not None else (
            1.0 if source == S2 and not self.api_key else 0.1)
        self.max_retries = max_retries
        self._last: float | None = None

    @property
    def name(self) -> str:
        return _NAMES[self.source]

    def _request(self, author_id: str) -> httpx.Request:
        if self.source == OPENALEX:
            params = {"api_key": self.api_key} if self.api_key else {}
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

    def _get(self, author_id: str) -> Any:
        last = "no answer"
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            try:
                response = self.client.send(self._request(author_id))
            except httpx.TimeoutException:
                last = "timed out"
            except httpx.TransportError as exc:
                last = f"could not connect ({type(exc).__name__})"
            else:
                if response.status_code == 404:
                    raise MetricsError(f"{self.name} has no author with id {author_id}: check the "
                                       "id in the record")
                if response.status_code not in RETRY_STATUSES:
                    if response.status_code != 200:
                        raise MetricsError(f"{self.name} answered HTTP {response.status_code} "
                                           f"for {author_id}")
                    try:
                        return response.json()
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        raise MetricsError(f"{self.name} answered {author_id} with invalid "
                                           "JSON") from None
                last = f"HTTP {response.status_code}"
                wait = _retry_after(response)
                if attempt < self.max_retries and wait is not None:
                    self.sleep(wait)
                    continue
            if attempt < self.max_retries:
                self.sleep(min(2.0 ** attempt, MAX_WAIT))
        raise MetricsError(f"{self.name} did not answer for {author_id} after "
                           f"{self.max_retries + 1} attempts (last: {last})")

    def fetch(self, author_id: str) -> Metrics:
        """Today's figures of one author."""
        author_id = author_id.removeprefix("https://openalex.org/").strip()
        data = self._get(author_id)
        try:
            if self.source == OPENALEX:
                figures = (_int(data, "summary_stats", "h_index"), _int(data, "cited_by_count"),
                           _int(data, "works_count"))
                answered = str(data.get("id") or author_id).removeprefix("https://openalex.org/")
            else:
                figures = (_int(data, "hIndex"), _int(data, "citationCount"),
                           _int(data, "paperCount"))
                answered = str(data.get("authorId") or author_id)
        except KeyError as exc:
            raise MetricsError(f"{self.name}'s answer for {author_id} has no {exc.args[0]}"
                               ) from None
        h_index, citations, papers = figures
        return Metrics(h_index, citations, papers, self.today(), self.source, answered)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - time.time(), 0.0), MAX_WAIT)
