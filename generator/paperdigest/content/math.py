"""LaTeX to MathML with KaTeX, run offline in an embedded JavaScript engine (QuickJS).

KaTeX was chosen over latex2mathml (pure Python, about 0.17 ms a formula against KaTeX's
0.3 ms) for coverage and safety: latex2mathml printed ``\\text{<script>}`` unescaped, wrote
``aligned`` environments as stray ``&`` identifiers, turned ``\\href`` into an attribute and
accepted unknown commands silently; KaTeX escapes every text, lays out ``aligned``,
``cases`` and matrices, refuses ``\\href`` and friends without ``trust`` and reports unknown
commands. Its MathML carries the source as ``<annotation encoding="application/x-tex">``,
which the search index reads. ``katex.min.js`` (MIT) is vendored beside this module, so
nothing is downloaded and no JavaScript reaches readers: pages get MathML, which browsers
lay out natively.

Each process keeps one engine, with a time limit, a memory limit and a stack limit per
formula, so hostile LaTeX (macro bombs, deep nesting) ends as a message, never a hang.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import quickjs

from ..errors import Problem, Severity
from .mathletters import styled
from .mathspans import find_math

KATEX = Path(__file__).with_name("katex") / "katex.min.js"
_ERROR_COLOR = "#c0ffee"
"""KaTeX draws commands it refuses (``\\href`` without trust) in this colour: a marker."""
_OPTIONS = (
    '{output: "mathml", displayMode: display, throwOnError: true, strict: "ignore", '
    f'trust: false, maxExpand: 1000, maxSize: 20, errorColor: "{_ERROR_COLOR}"}}'
)
# .normalize() returns a flat copy of the concatenated string: quickjs-ng's binding (the
# maintained fork, bench/katex_engines.py) cannot hand a concatenation over to Python.
_RENDER = (
    "(function (tex, display) {"
    f"  try {{ return ('ok' + katex.renderToString(tex, {_OPTIONS})).normalize(); }}"
    "  catch (e) { return ('no' + String(e && e.message || e)).normalize(); } })"
)
TIME_LIMIT = 2.0
"""Seconds one formula may take."""


class MathError(ValueError):
    """KaTeX could not lay out a formula; the message says why."""


@dataclass(frozen=True)
class _Engine:
    render: Any


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    """One QuickJS context per process, with KaTeX loaded (about 30 ms, once)."""
    context = quickjs.Context()
    context.set_max_stack_size(4 * 1024 * 1024)
    context.eval(KATEX.read_text(encoding="utf-8"))
    context.set_memory_limit(256 * 1024 * 1024)
    context.set_time_limit(TIME_LIMIT)
    return _Engine(context.eval(_RENDER))


@lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool) -> str:
    """The MathML of ``tex`` (wrapped in KaTeX's ``<span class="katex">``), styled letters
    as Unicode characters (``mathletters``).

    Raises:
        MathError: on LaTeX that KaTeX cannot lay out or refuses.
    """
    try:
        result = str(_engine().render(tex, display))
    except quickjs.JSException as exc:  # time or memory limit, stack overflow
        raise MathError(_plain(str(exc))) from None
    if result.startswith("no"):
        raise MathError(_plain(result[2:]))
    if _ERROR_COLOR in result:
        raise MathError("it uses a command that is not allowed here (links, classes, "
                        "styles and images are refused)")
    return styled(result[2:])


def _plain(message: str) -> str:
    # KaTeX underlines the failing spot with U+0332 combining marks: unreadable in a terminal.
    message = message.removeprefix("KaTeX parse error: ").replace("\u0332", "").strip()
    return message if len(message) <= 120 else message[:119] + "…"


def source_html(tex: str, display: bool) -> str:
    """How a formula KaTeX refused is shown: its source, as code."""
    delim = ("$$", "$$") if display else ("$", "$")
    return (f'<code class="pd-math-error">{html.escape(delim[0] + tex + delim[1])}</code>')


def math_problems(path: str, blocks: Iterator[tuple[int, str]]) -> list[Problem]:
    """A warning for every formula KaTeX cannot show, in ``(first line, masked text)`` blocks.

    The blocks have their code spans blanked out already (``safety`` prepares them).
    """
    problems: list[Problem] = []
    for first_line, text in blocks:
        if "$" not in text and "\\" not in text:
            continue
        for span in find_math(text):
            try:
                to_mathml(span.tex, span.display)
            except MathError as exc:
                line = first_line + text.count("\n", 0, span.start)
                shown = span.tex if len(span.tex) <= 40 else span.tex[:39] + "…"
                problems.append(Problem(
                    path, line, "math", f"'{shown}' cannot be shown as math ({exc}): fix the "
                    "LaTeX, or write \\$ for a literal dollar; until then the page shows it "
                    "as code", severity=Severity.WARNING))
    return problems
