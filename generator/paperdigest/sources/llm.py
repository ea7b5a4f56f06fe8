"""A model behind the OpenAI-compatible Chat Completions API, over httpx (no SDK).

Ollama, llama.cpp's and vLLM's servers and most hosted APIs speak it: ``POST
<base>/chat/completions`` with the model and the messages, the answer streamed as
server-sent events (``data: {…}`` lines, ``data: [DONE]`` at the end) or, without
``stream``, as one JSON object. Where to ask is ``$PAPERDIGEST_LLM_BASE_URL`` (it ends in
``/v1``), the key ``$PAPERDIGEST_LLM_API_KEY`` (sent as ``Authorization: Bearer``; local
servers need none) and the model ``$PAPERDIGEST_LLM_MODEL`` or ``--model``.

The request goes through ``http.PoliteClient``'s retry loop, so its rules are every other
client's: 429 and 5xx and lost connections retried with doubling backoff, ``Retry-After``
honoured, the command's deadline, the decoded-size cap. What differs is the time one
request may take: a model writes for minutes, so a request may run until the command's
deadline, and only a pause between two pieces of the answer longer than ``SILENCE`` (or
``$PAPERDIGEST_HTTP_TIMEOUT``, when that is longer) ends it. A server that refuses
streaming (400 or 422) is asked once more without it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..errors import FetchError
from . import http
from .connection import is_web_url
from .decode import BadJson, parse_json
from .http import HttpFailure, Reply

BASE_URL_ENV = "PAPERDIGEST_LLM_BASE_URL"
API_KEY_ENV = "PAPERDIGEST_LLM_API_KEY"
MODEL_ENV = "PAPERDIGEST_LLM_MODEL"
MAX_RETRIES = 2
"""Attempts after the first: a server that is down is reported within seconds."""
BACKOFF = 1.0
"""First pause after a failed attempt (1 s, then 2 s)."""
SILENCE = 300.0
"""Longest pause in an answer, in seconds: a local model on a CPU may read a long paper for
minutes before its first word, and a server that does not stream says nothing until the end."""
_STREAM_REFUSED = frozenset({400, 422})
MAX_CHARS_HINT = "PAPERDIGEST_PAPER_MAX_CHARS (the paper text it reads)"


class ModelError(FetchError):
    """The model could not be asked, or its answer could not be read."""


@dataclass(frozen=True)
class Endpoint:
    """Where to ask which model, with which key."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


def endpoint(*, model: str | None = None, base_default: str = "", model_default: str = "",
             environ: Mapping[str, str] = os.environ) -> Endpoint:
    """The endpoint from the environment (which wins), else the plugin's defaults;
    ``model`` (``--model``) wins over both.

    Raises:
        ModelError: no address or no model is set, or the address is not http(s).
    """
    base = environ.get(BASE_URL_ENV, "").strip() or base_default.strip()
    if not base:
        raise ModelError(f"no model endpoint: set {BASE_URL_ENV} (e.g. "
                         "http://localhost:11434/v1 for Ollama) or llm_base_url in the "
                         "paperdigest block of mkdocs.yml")
    if not is_web_url(base):
        raise ModelError(f"the model endpoint '{base}' is not an http(s) URL: set "
                         f"{BASE_URL_ENV} like http://localhost:11434/v1")
    name = (model or "").strip() or environ.get(MODEL_ENV, "").strip() or model_default.strip()
    if not name:
        raise ModelError(f"no model named: pass --model NAME, set {MODEL_ENV}, or set "
                         "llm_model in the paperdigest block of mkdocs.yml")
    return Endpoint(base, name, environ.get(API_KEY_ENV, "").strip())


@dataclass(frozen=True)
class Usage:
    """Tokens as the server counted them (``None`` when it did not say)."""

    prompt: int | None = None
    answer: int | None = None

    def __add__(self, other: Usage) -> Usage:
        def add(a: int | None, b: int | None) -> int | None:
            return None if a is None and b is None else (a or 0) + (b or 0)

        return Usage(add(self.prompt, other.prompt), add(self.answer, other.answer))


@dataclass(frozen=True)
class Answer:
    """What the model said."""

    text: str
    usage: Usage
    streamed: bool
    finish_reason: str | None = None
    """``length`` when the model stopped at its output limit."""


Message = Mapping[str, str]
Progress = Callable[[int], None]
"""Told the characters of the answer received so far, as they arrive."""


class ChatClient:
    """Asks one model; each ``complete`` is one request (retried as the module says)."""

    def __init__(self, online: http.Online, where: Endpoint,
                 progress: Progress | None = None) -> None:
        self.endpoint = where
        self.progress = progress
        self.client = online.client(user_agent=http.user_agent(), timeout=online.limits.timeout,
                                    max_connections=1)
        self._http = _ChatHttp(self.client, name=f"the model endpoint at {where.base_url}",
                               max_retries=MAX_RETRIES, backoff=BACKOFF, **online.settings())

    def close(self) -> None:
        self.client.close()

    def complete(self, messages: Sequence[Message]) -> Answer:
        """The model's answer to ``messages``, streamed when the server allows it.

        Raises:
            ModelError: the server could not be reached, refused, or sent no answer.
        """
        body: dict[str, Any] = {"model": self.endpoint.model, "messages": list(messages),
                                "stream": True, "stream_options": {"include_usage": True}}
        reply = self._post(body, stream=True)
        if reply.status in _STREAM_REFUSED:
            body = {"model": self.endpoint.model, "messages": list(messages), "stream": False}
            reply = self._post(body, stream=False)
        if reply.status != 200:
            raise ModelError(self._refused(reply))
        kind = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind == "text/event-stream":
                return _from_events(reply.content)
            return _from_json(reply.content)
        except ModelError as exc:
            raise ModelError(f"{self.endpoint.url}: {exc}") from None

    def _post(self, body: dict[str, Any], *, stream: bool) -> Reply:
        headers = {"Content-Type": "application/json",
                   "Accept": "text/event-stream" if stream else "application/json"}
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            return self._http.post(self.endpoint.url, payload, headers,
                                   lambda: _Counter(self.progress))
        except HttpFailure as exc:
            raise ModelError(self._failure(exc)) from None

    def _failure(self, exc: HttpFailure) -> str:
        where = f"the model endpoint at {self.endpoint.base_url}"
        tries = f"{exc.attempts} attempt{'s' if exc.attempts != 1 else ''}"
        if isinstance(exc.error, httpx.TimeoutException):
            return (f"{where} {exc.reason} ({tries}): the model is too slow for this paper; "
                    f"lower {MAX_CHARS_HINT}, or raise {http.TIMEOUT_ENV}")
        if exc.kind in ("transport", "unsupported"):
            return (f"could not reach {where}: {exc.reason} ({tries}): start the server "
                    f"(e.g. `ollama serve`) or check {BASE_URL_ENV}")
        if exc.kind == "status" and exc.reply is not None:
            return (f"{where} still answered {exc.reply.status_line}{_said(exc.reply)} after "
                    f"{tries}: the server is busy or down, try again later")
        return f"{where} {exc.reason}: {exc.fix}"

    def _refused(self, reply: Reply) -> str:
        said = _said(reply)
        if reply.status in (401, 403):
            return (f"{self.endpoint.url} refused the request ({reply.status_line}){said}: "
                    f"check {API_KEY_ENV}")
        if reply.status == 404:
            return (f"{self.endpoint.url} answered {reply.status_line}{said}: check "
                    f"{BASE_URL_ENV} (it usually ends in /v1) and the model name "
                    f"'{self.endpoint.model}'")
        return f"{self.endpoint.url} answered {reply.status_line}{said}"


def _said(reply: Reply) -> str:
    """What an error answer says (OpenAI's ``{"error": {"message": …}}``), briefly."""
    try:
        data = parse_json(reply.content)
    except (BadJson, ValueError):
        text = reply.content[:200].decode("utf-8", errors="replace").strip()
        return f" ({' '.join(text.split())})" if text else ""
    error = data.get("error") if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return f" ({' '.join(str(message).split())[:200]})" if message else ""


class _Counter:
    """Counts the answer's characters in a stream as it arrives, for the progress line."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.pending, self.chars = progress, b"", 0

    def __call__(self, piece: bytes) -> None:
        if self.progress is None:
            return
        self.pending += piece
        *lines, self.pending = self.pending.split(b"\n")
        before = self.chars
        try:
            for text, _, _ in _chunks(lines):
                self.chars += len(text)
        except ModelError:
            return  # the whole answer is read again at the end, and that reports it
        if self.chars != before:
            self.progress(self.chars)


def _chunks(lines: Sequence[bytes]) -> Iterator[tuple[str, Usage | None, str | None]]:
    """(text, usage, finish reason) of each ``data:`` line of a stream; errors raise."""
    for raw in lines:
        line = raw.strip()
        if not line.startswith(b"data:"):
            continue  # comments (": keep-alive"), event names, blank separators
        data = line[5:].strip()
        if data == b"[DONE]":
            return
        try:
            chunk = parse_json(data)
        except (BadJson, ValueError):
            raise ModelError(f"sent a piece of its answer that is not JSON: "
                             f"{data[:120].decode('utf-8', errors='replace')!r}") from None
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error"):
            error = chunk["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise ModelError(f"stopped with an error: {message}")
        choice = _first_choice(chunk)
        delta = choice.get("delta")
        text = delta.get("content") if isinstance(delta, dict) else None
        reason = choice.get("finish_reason")
        yield (text if isinstance(text, str) else "", _usage(chunk.get("usage")),
               reason if isinstance(reason, str) else None)


def _from_events(content: bytes) -> Answer:
    parts: list[str] = []
    usage, reason = Usage(), None
    for text, used, finish in _chunks(content.split(b"\n")):
        parts.append(text)
        usage = used or usage
        reason = finish or reason
    return _answer("".join(parts), usage, True, reason)


def _from_json(content: bytes) -> Answer:
    try:
        data = parse_json(content)
    except (BadJson, ValueError):
        raise ModelError("sent an answer that is not JSON") from None
    if not isinstance(data, dict):
        raise ModelError("sent an answer that is not a chat completion")
    message = _first_choice(data).get("message")
    text = message.get("content") if isinstance(message, dict) else None
    reason = _first_choice(data).get("finish_reason")
    return _answer(text if isinstance(text, str) else "", _usage(data.get("usage")) or Usage(),
                   False, reason if isinstance(reason, str) else None)


def _answer(text: str, usage: Usage, streamed: bool, reason: str | None) -> Answer:
    if not text.strip():
        raise ModelError("sent an empty answer: try again, or another model")
    return Answer(text, usage, streamed, reason)


def _first_choice(data: Mapping[str, Any]) -> Mapping[str, Any]:
    choices = data.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    return first if isinstance(first, dict) else {}


def _usage(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None

    def count(key: str) -> int | None:
        n = value.get(key)
        return n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None

    return Usage(count("prompt_tokens"), count("completion_tokens"))


class _ChatHttp(http.PoliteClient):
    """``PoliteClient`` whose attempt is a POST read as a stream; its ``get`` loop (retries,
    ``Retry-After``, deadline) is reused as it is, so the rules cannot drift apart."""

    _body: bytes = b""
    large_fix = "ask a model that stops"
    _sink: Callable[[], Callable[[bytes], None]] | None = None

    def post(self, url: str, body: bytes, headers: Mapping[str, str],
             sink: Callable[[], Callable[[bytes], None]]) -> Reply:
        """The final answer to POST ``body``; ``sink()`` makes, for each attempt, what is
        fed every decoded piece as it arrives. Raises ``HttpFailure``."""
        self._body, self._sink = body, sink
        return self.get(url, headers=headers, follow=False)

    def _once(self, url: str, params: Mapping[str, str] | None,
              headers: Mapping[str, str] | None, follow: bool) -> Reply:
        clock = self.timing.clock
        self._spent()
        budget = self.deadline.left() if self.deadline is not None else self.limits.deadline
        ends = clock() + budget
        gap = max(0.001, min(max(self.limits.timeout, SILENCE), budget))
        request = self.client.build_request("POST", url, content=self._body,
                                            headers=dict(headers or {}))
        request.extensions["timeout"] = dict.fromkeys(("connect", "read", "write", "pool"), gap)
        try:
            response = self.client.send(request, stream=True, follow_redirects=False)
            try:
                return self._stream(response, ends, budget)
            finally:
                response.close()
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise HttpFailure("unsupported", f"cannot be asked ({exc or 'not http(s)'})",
                              fix="give an http(s) address", error=exc) from exc
        except httpx.TimeoutException as exc:
            raise HttpFailure("transport", f"sent nothing for {gap:.0f} s", error=exc) from exc
        except httpx.TransportError as exc:
            raise HttpFailure("transport", str(exc) or type(exc).__name__, error=exc) from exc
        except (httpx.HTTPError, httpx.StreamError) as exc:
            raise HttpFailure("decode", f"sent an answer that cannot be read "
                              f"({exc or type(exc).__name__})", error=exc) from exc
        finally:
            self._last = clock()

    def _stream(self, response: httpx.Response, ends: float, budget: float) -> Reply:
        """The answer read as every client reads one (size cap, deadline, decoding), with
        each piece fed to this attempt's sink (only a 200 answer is a model's)."""
        feed = self._sink() if self._sink and response.status_code == 200 else None
        return self._read(response, ends, budget, feed=feed)
