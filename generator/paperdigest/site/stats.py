"""Site statistics: groupings for the archive and category pages, reading time, and the
charts of the stats page as inline SVG.

Charts are drawn at build time so they need no JavaScript and no network. Text uses
``currentColor`` and bars Material's accent colour variable, so both follow the light and
dark palettes. Numbers are formatted with fixed precision: the same site gives the same bytes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from html import escape

from ..content.model import Paper, Site

JA_CHARS_PER_MINUTE = 500
"""Silent reading speed for Japanese prose, in characters (adults read roughly 400–600)."""
EN_WORDS_PER_MINUTE = 200
"""For Latin-script words (technical English reads slower than the ~240 of general prose)."""

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
# Kana, CJK ideographs (with extension A and compatibility forms), half-width katakana.
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def reading_minutes(paper: Paper) -> int:
    """Minutes to read a digest: Japanese by characters, Latin script by words; at least 1."""
    text = "\n".join([paper.blurb, *(s.body for s in paper.sections)])
    ja = len(_JAPANESE.findall(text))
    words = len(_WORD.findall(text))
    return max(1, math.ceil(ja / JA_CHARS_PER_MINUTE + words / EN_WORDS_PER_MINUTE))


def by_month(papers: Sequence[Paper]) -> list[tuple[tuple[int, int], tuple[Paper, ...]]]:
    """Papers grouped by (year, month) of their date, newest month first."""
    groups: dict[tuple[int, int], list[Paper]] = {}
    for paper in papers:
        groups.setdefault((paper.date.year, paper.date.month), []).append(paper)
    return [(k, tuple(v)) for k, v in sorted(groups.items(), reverse=True)]


def by_category(papers: Sequence[Paper]) -> list[tuple[str, tuple[Paper, ...]]]:
    """Papers grouped by arXiv category (``cs.CV`` and ``cs.cv`` are one), largest first.

    The name shown is the most used spelling; papers without a category are left out.
    """
    groups: dict[str, list[Paper]] = {}
    spellings: dict[str, Counter[str]] = {}
    for paper in papers:
        if paper.category:
            key = paper.category.lower()
            groups.setdefault(key, []).append(paper)
            spellings.setdefault(key, Counter())[paper.category] += 1
    named = [(min(spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0], tuple(v))
             for k, v in groups.items()]
    return sorted(named, key=lambda kv: (-len(kv[1]), kv[0].lower()))


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: full-width characters are about 1 em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(chart_id: str, title: str, width: float, height: float, body: list[str]) -> str:
    # No blank lines: Python-Markdown must pass the block through as raw HTML.
    return "\n".join([
        f'<svg class="pd-chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'style="max-width:{_num(width)}px" font-size="12" fill="currentColor">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        *body,
        "</svg>",
    ])


_BAR = 'style="fill:var(--md-accent-fg-color,currentColor)"'


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], unit: str = "本"
              ) -> str:
    """Horizontal bars, one per (label, value) row, labels on the left, values on the right."""
    size, row_h, bar_w = 12.0, 22.0, 320.0
    labels = [_short(label) for label, _ in rows]
    label_w = min(240.0, max((_text_width(t, size) for t in labels), default=0.0) + 12)
    top = max((v for _, v in rows), default=0) or 1
    body: list[str] = []
    for i, ((label, value), shown) in enumerate(zip(rows, labels, strict=True)):
        y = 4 + i * row_h
        w = max(1.0, bar_w * value / top)
        body.append(
            f'<g><title>{escape(label)}: {value} {unit}</title>'
            f'<text x="{_num(label_w - 8)}" y="{_num(y + 15)}" text-anchor="end">'
            f'{escape(shown)}</text>'
            f'<rect x="{_num(label_w)}" y="{_num(y + 3)}" width="{_num(w)}" height="16" {_BAR}/>'
            f'<text x="{_num(label_w + w + 6)}" y="{_num(y + 15)}">{value}</text></g>'
        )
    return _svg(chart_id, title, label_w + bar_w + 48, 8 + len(rows) * row_h, body)


def column_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]],
                 caption: Sequence[str] | None = None, unit: str = "本") -> str:
    """Vertical bars over time; ``caption`` gives the label under each bar ("" for none)."""
    col_w, gap, plot_h, top_pad = 16.0, 6.0, 120.0, 18.0
    top = max((v for _, v in rows), default=0) or 1
    width = 12 + len(rows) * (col_w + gap)
    body = [f'<line x1="6" x2="{_num(width - 6)}" y1="{_num(top_pad + plot_h)}" '
            f'y2="{_num(top_pad + plot_h)}" stroke="currentColor" stroke-opacity="0.4"/>']
    for i, (label, value) in enumerate(rows):
        x = 12 + i * (col_w + gap)
        h = plot_h * value / top
        y = top_pad + plot_h - h
        parts = [f'<g><title>{escape(label)}: {value} {unit}</title>']
        if value:
            parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(col_w)}" '
                         f'height="{_num(h)}" {_BAR}/>')
            parts.append(f'<text x="{_num(x + col_w / 2)}" y="{_num(y - 4)}" '
                         f'text-anchor="middle" font-size="10">{value}</text>')
        under = caption[i] if caption is not None else label
        if under:
            parts.append(f'<text x="{_num(x + col_w / 2)}" y="{_num(top_pad + plot_h + 14)}" '
                         f'text-anchor="middle" font-size="10">{escape(under)}</text>')
        body.append("".join(parts) + "</g>")
    return _svg(chart_id, title, width, top_pad + plot_h + 22, body)


def month_series(papers: Sequence[Paper], months: int = 36) -> list[tuple[str, int]]:
    """Papers per month for the ``months`` months ending at the newest paper, zeros included."""
    if not papers:
        return []
    counts = Counter((p.date.year, p.date.month) for p in papers)
    year, month = max(counts)
    series: list[tuple[str, int]] = []
    for _ in range(months):
        series.append((f"{year:04d}-{month:02d}", counts.get((year, month), 0)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return series[::-1]


def year_series(papers: Sequence[Paper]) -> list[tuple[str, int]]:
    """Papers per year from the oldest to the newest year, zeros included."""
    counts = Counter(p.date.year for p in papers)
    if not counts:
        return []
    return [(str(y), counts.get(y, 0)) for y in range(min(counts), max(counts) + 1)]


def top_tags(site: Site, n: int = 15) -> list[tuple[str, int]]:
    """(tag slug, paper count) of the ``n`` most used tags."""
    return sorted(((s, len(p)) for s, p in site.papers_by_tag.items()),
                  key=lambda kv: (-kv[1], site.tags[kv[0]].key, kv[0]))[:n]


def top_authors(site: Site, n: int = 15) -> list[tuple[str, int]]:
    """(author slug, paper count) of the ``n`` authors with the most digests."""
    return sorted(((s, len(p)) for s, p in site.papers_by_author.items()),
                  key=lambda kv: (-kv[1], site.authors[kv[0]].name.casefold(), kv[0]))[:n]


def charts(site: Site, top: int = 15) -> dict[str, str]:
    """The SVG charts of the stats page, by name."""
    months = month_series(site.papers)
    # One label every three months (and every January's year) keeps the axis legible.
    month_caption = [label[2:4] + "/" + label[5:] if label.endswith(("01", "04", "07", "10"))
                     else "" for label, _ in months]
    tags = [(site.tags[s].name, n) for s, n in top_tags(site, top)]
    authors = [(site.authors[s].name, n) for s, n in top_authors(site, top)]
    return {
        "months": column_chart("pd-chart-months", "月別の論文数（直近 36 か月）", months,
                               month_caption),
        "years": column_chart("pd-chart-years", "年別の論文数", year_series(site.papers)),
        "tags": bar_chart("pd-chart-tags", f"論文数の多いタグ（上位 {top}）",
                          [("#" + n, c) for n, c in tags]),
        "authors": bar_chart("pd-chart-authors", f"ダイジェストの多い著者（上位 {top}）", authors),
    }
