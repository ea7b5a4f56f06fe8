"""Bounds of the figures a record, a works file or a source may give.

One definition, used by ``check`` (records, works files) and by ``authors refresh`` (the
answers of OpenAlex and Semantic Scholar), so that a wrong answer or a hand edit cannot put a
401-digit number on a page, and the two paths refuse the same values.
"""

from __future__ import annotations

from typing import Any

from . import schema as s

MAX_H_INDEX = 10_000
"""The largest h-index a record or a source may give (the highest known are near 300)."""
MAX_COUNT = 10**9
"""The largest count (papers, citations, co-authors) a record, a works file or a source may
give."""


def figure(limit: int) -> s.Checker:
    """A whole number from 0 to ``limit``: a count or an h-index as a source may give it."""
    def check(value: Any) -> int:
        number = s.integer(value)
        if number > limit:
            raise s.Invalid(f"is {shown_number(number)}, above the limit of {limit:,}: no "
                            "real figure is that large; write the figure the source shows")
        return number

    return check


def shown_number(number: int) -> str:
    """A number as a message shows it: one of 401 digits is not printed whole."""
    try:
        digits = len(str(number))
    except ValueError:  # beyond Python's 4,300-digit conversion limit
        return "a number of thousands of digits"
    return f"{number:,}" if digits <= 15 else f"a number of {digits} digits"
