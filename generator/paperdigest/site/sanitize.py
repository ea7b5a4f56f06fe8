"""Defence in depth for the built site: the HTML allowlist every page body passes.

``safety.py`` refuses hostile content at check time. Two more layers stand behind it, this
allowlist and the post-build gate (``gate.py``):

* ``clean_html`` passes the HTML of every page body through nh3 (Ammonia) with an
  allowlist of what Python-Markdown, Material and our templates emit: headings with ids and
  permalinks, tables, highlighted code, admonitions, ``<details>``, the ``pd-*`` blocks,
  ``<time datetime>``, ``button.pd-copy[data-copy]``, the SVG charts of the stats page.
  Scripts, styles, event handlers and ``javascript:``/``data:`` URLs do not survive it.
* ``gate.scan_site`` reads every built document, theme included, after the build.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3

_SVG_TAGS = {"svg", "g", "title", "desc", "text", "tspan", "rect", "line", "path", "circle",
             "polyline", "polygon"}
_MATHML_TAGS = {"math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext",
                "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "munder",
                "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
                "menclose", "merror", "mmultiscripts", "mprescripts", "none"}
"""MathML Core elements KaTeX writes; never ``annotation-xml`` (it can carry HTML)."""
_MATHML_ATTRS = {"display", "xmlns", "encoding", "mathvariant", "stretchy", "fence",
                 "separator", "form", "lspace", "rspace", "minsize", "maxsize", "movablelimits",
                 "largeop", "symmetric", "accent", "accentunder", "columnalign", "rowalign",
                 "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "width",
                 "height", "depth", "voffset", "linethickness", "scriptlevel", "displaystyle",
                 "notation", "align"}
"""Layout attributes only: no ``href``, ``xlink:href``, ``mathcolor`` or event handlers."""
TAGS = frozenset({
    "a", "abbr", "article", "b", "blockquote", "br", "button", "caption", "code", "col",
    "colgroup", "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "nav",
    "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
    "ul", "var", *_SVG_TAGS, *_MATHML_TAGS,
})
"""Elements a page body may contain."""
_SVG_ATTRS = {"viewBox", "width", "height", "style", "font-size", "fill", "x", "y", "x1",
              "x2", "y1", "y2", "rx", "ry", "cx", "cy", "r", "d", "points", "stroke",
              "stroke-width", "stroke-opacity", "text-anchor", "xmlns"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "lang", "title", "role", "aria-label", "aria-labelledby",
          "aria-describedby", "aria-hidden", "data-pagefind-ignore", "data-pagefind-meta"},
    "a": {"href", "rel", "target", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "button": {"type", "data-copy"},
    "time": {"datetime"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "details": {"open"},
    "span": {"data-linenos"},
    **{tag: set(_SVG_ATTRS) for tag in _SVG_TAGS},
    **{tag: set(_MATHML_ATTRS) for tag in _MATHML_TAGS},
}
"""Attributes kept, by element (``*``: on every element)."""
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# The only inline styles our pages carry: table alignment and the stats charts' sizes.
_STYLE = re.compile(
    r"text-align: ?(?:left|right|center);?|max-width: ?[0-9.]+px;?"
    r"|fill: ?var\(--md-accent-fg-color, ?currentColor\);?"
)
# Ids the theme's scripts look up: content must not shadow them.
_THEME_ID = re.compile(r"__(?:config|drawer|search|consent|announce|palette.*)")


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        return value if _STYLE.fullmatch(value.strip()) else None
    if name == "id" and _THEME_ID.fullmatch(value):
        return None
    if name == "target":
        return value if value == "_blank" else None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """Built once: building the allowlist costs more than cleaning a page."""
    return nh3.Cleaner(
        tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_attribute_filter, clean_content_tags={"script", "style"},
        strip_comments=True, link_rel=None, url_schemes=set(URL_SCHEMES),
    )


def clean_html(html: str) -> str:
    """The page body ``html`` with everything outside the allowlist removed."""
    return _cleaner().clean(html)
