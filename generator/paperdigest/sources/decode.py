"""Reading answers safely: bodies inflated within a size cap, JSON within a depth limit.

``http.PoliteClient`` feeds each raw chunk of a body to an ``Inflater``, which never
produces more than the room left under the cap (``zlib``'s ``max_length``), so a small gzip
bomb stops at the cap instead of filling the memory. ``parse_json`` measures the nesting
before ``json`` (which recurses) sees the text.
"""

from __future__ import annotations

import json
import re
import zlib
from itertools import accumulate
from typing import Any

from ..errors import FetchError

MAX_JSON_DEPTH = 64
"""Deepest JSON nesting read; the APIs' answers nest five or six levels."""
_ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
              "deflate": zlib.MAX_WBITS}


class DecodeError(ValueError):
    """A body that cannot be decoded; the message says what the server sent."""


class TooLarge(Exception):
    """A body larger, decoded, than the room it was given."""


class BadJson(FetchError):
    """An answer that is not the JSON it should be; ``why`` says what is wrong."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, without parsing it."""
    brackets = _STRINGS.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(1 if b in b"[{" else -1 for b in brackets), default=0)


def parse_json(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of an answer; ``BadJson`` (never RecursionError) for anything else."""
    if json_depth(data) > max_depth:
        raise BadJson(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise BadJson(exc.msg) from None
    except UnicodeDecodeError:
        raise BadJson("not UTF-8") from None
    except (RecursionError, ValueError) as exc:  # belt and braces: the depth check passed
        raise BadJson(str(exc)) from None


class Inflater:
    """Decodes a gzip or deflate body chunk by chunk, never producing more than asked."""

    def __init__(self, encoding: str) -> None:
        names = [e.strip().lower() for e in encoding.split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > 1 or (names and names[0] not in _ENCODINGS):
            raise DecodeError(f"sent an answer encoded as {encoding!r}, which was not asked "
                              "for")
        self.encoding = names[0] if names else None
        self._z = zlib.decompressobj(_ENCODINGS[names[0]]) if names else None

    def feed(self, data: bytes, room: int) -> bytes:
        """The decoded bytes of ``data``; ``TooLarge`` past ``room`` bytes."""
        if self._z is None:
            if len(data) > room:
                raise TooLarge
            return data
        parts: list[bytes] = []
        produced = 0
        try:
            while data:
                # max_length bounds what one call may inflate: the cap holds within a chunk.
                piece = self._z.decompress(data, room - produced + 1)
                parts.append(piece)
                produced += len(piece)
                if produced > room:
                    raise TooLarge
                data = self._z.unconsumed_tail
        except zlib.error as exc:
            raise DecodeError(f"sent an answer that is not valid {self.encoding} ({exc})"
                              ) from None
        return b"".join(parts)

    def finish(self, room: int) -> bytes:
        """What is left inside the decoder once the body has ended."""
        if self._z is None:
            return b""
        try:
            rest = self._z.flush()
        except zlib.error as exc:
            raise DecodeError(f"sent an answer that is not valid {self.encoding} ({exc})"
                              ) from None
        if len(rest) > room:
            raise TooLarge
        if self.encoding != "deflate" and not self._z.eof:
            raise DecodeError(f"sent a {self.encoding} answer that ends early")
        return rest
