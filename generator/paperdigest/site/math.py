"""The Python-Markdown extension that turns LaTeX math in digests into MathML at build time.

The plugin adds it to the site's ``markdown_extensions`` (as ``paperdigest.site.math``), so
sites need no setting. Which text is math is decided by ``content.mathspans`` (the same
finder the check uses); the MathML comes from ``content.math`` (KaTeX). The pattern runs
after code spans (so ``$`` in code stays code) and before escapes and emphasis (so ``\\(``
is not eaten and ``_`` in a formula is no emphasis). ``\\$`` becomes a literal dollar.
LaTeX KaTeX refuses is shown as its source in ``<code class="pd-math-error">``;
``paperdigest check`` warns about it with the file and line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from ..content.math import MathError, source_html, to_mathml
from ..content.mathspans import math_at

PRIORITY = 185
"""Between ``backtick`` (190) and ``escape`` (180)."""
_OPENER = r"\$|\\[(\[]"


class MathInlineProcessor(InlineProcessor):
    """Replaces a formula with its MathML, stashed as raw HTML."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str,
    ) -> tuple[str | etree.Element | None, int | None, int | None]:
        span = math_at(data, m.start())
        if span is None:
            return None, None, None
        try:
            html = to_mathml(span.tex, span.display)
        except MathError:
            html = source_html(span.tex, span.display)
        return self.md.htmlStash.store(html), span.start, span.end


class MathExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "$"]
        md.inlinePatterns.register(MathInlineProcessor(_OPENER, md), "paperdigest_math",
                                   PRIORITY)


def makeExtension(**kwargs: object) -> MathExtension:
    return MathExtension(**kwargs)
