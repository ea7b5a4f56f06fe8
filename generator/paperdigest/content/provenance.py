"""Where a digest came from: the ``provenance:`` block ``paperdigest draft`` writes.

::

    provenance:
      model: "qwen2.5:14b"      # the model that drafted it
      date: 2026-12-02          # the day it was drafted
      read: "full text"         # or "abstract": what the model was given of the paper

The paper page tells readers, in one line, that a model drafted the digest and, once
``draft: true`` is removed, that it was reviewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from . import schema as s

READS = ("full text", "abstract")
"""What ``read:`` may say."""
KEYS = ("model", "date", "read")
MAX_MODEL = 100
"""Characters of a model name (real ones stay under 60)."""


@dataclass(frozen=True)
class Provenance:
    """A digest drafted by a model."""

    model: str
    date: dt.date
    full_text: bool
    """True when the model read the paper's full text, False for its abstract."""
    reviewed: bool = False
    """True once ``draft: true`` is gone: a person has read and published it."""


def provenance(value: Any) -> Provenance:
    """The checker of ``provenance:`` (the loader's rule for that key)."""
    if not isinstance(value, dict):
        raise s.Invalid(f"expected a mapping of {', '.join(KEYS)}, got {s.describe(value)}: "
                        "write each key on its own indented line")
    unknown = sorted(str(k) for k in value if k not in KEYS)
    if unknown:
        raise s.Invalid(f"unknown key '{unknown[0]}': a provenance block holds "
                        f"{', '.join(KEYS)}")
    missing = [k for k in KEYS if k not in value]
    if missing:
        raise s.Invalid(f"'{missing[0]}' is missing: a provenance block holds "
                        f"{', '.join(KEYS)}")
    model = s.text(value["model"], "the model's name")
    if len(model) > MAX_MODEL:
        raise s.Invalid(f"the model's name is {len(model)} characters long: shorten it to "
                        f"{MAX_MODEL}")
    from .textclass import text_problems  # here: textclass reads the field tables, which name us

    for message in text_problems("title", model):  # a name, shown as plain text
        raise s.Invalid(f"model: {message}")
    read = s.text(value["read"], "what was read")
    if read not in READS:
        raise s.Invalid(f"read: '{read}' is not one of {', '.join(repr(r) for r in READS)}")
    try:
        date = s.date(value["date"])
    except s.Invalid as exc:
        raise s.Invalid(f"date: {exc}") from None
    return Provenance(model, date, read == READS[0])


def reviewed(found: Provenance | None, *, draft: bool) -> Provenance | None:
    """The block as the page shows it: reviewed once the digest is no longer a draft."""
    return None if found is None else replace(found, reviewed=not draft)
