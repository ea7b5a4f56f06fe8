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
    """Papers grouped by (year, month) of the paper's date, newest month first, and within a
    month by the paper's date, newest first (the archive is by the papers, not by when their
    digests were added)."""
    groups: dict[tuple[int, int], list[Paper]] = {}
    for paper in sorted(papers, key=lambda p: (p.date, p.slug), reverse=True):
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


def _fit(text: str, size: float, width: float) -> str:
    """``text`` cut with "…" so that it is drawn at most ``width`` wide."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


CHART_WIDTH = 380.0
"""Width of every chart in SVG units. Charts scale down to the column, so this is chosen
close to a phone's text column (343 px at 375 px): text drawn at 11–13 units stays 10 px or
larger there, and is drawn at its own size on a desktop."""
AXIS_FONT, VALUE_FONT, LABEL_FONT = 11.0, 11.0, 13.0
MAX_AXIS_LABELS = 8
"""However many years or months a chart covers, its axis carries at most this many labels."""
_YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
_MONTH_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120, 240, 600, 1200)


def _svg(chart_id: str, title: str, width: float, height: float, body: list[str]) -> str:
    # No blank lines: Python-Markdown must pass the block through as raw HTML.
    return "\n".join([
        f'<svg class="pd-chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'style="max-width:{_num(width)}px" font-size="{_num(LABEL_FONT)}" '
        f'fill="currentColor">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        *body,
        "</svg>",
    ])


_BAR = 'style="fill:var(--md-accent-fg-color,currentColor)"'


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], unit: str = "本"
              ) -> str:
    """Horizontal bars, one per (label, value) row, labels on the left, values on the right."""
    row_h, value_w = 24.0, 30.0
    widest = max((_text_width(label, LABEL_FONT) for label, _ in rows), default=0.0)
    label_w = min(CHART_WIDTH * 0.45, widest + 10)  # long names are cut, the bar keeps room
    bar_w = CHART_WIDTH - label_w - value_w
    top = max((v for _, v in rows), default=0) or 1
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = max(1.0, bar_w * value / top)
        shown = _fit(label, LABEL_FONT, label_w - 8)
        body.append(
            f'<g><title>{escape(label)}: {value} {unit}</title>'
            f'<text x="{_num(label_w - 6)}" y="{_num(y + 16)}" text-anchor="end">'
            f'{escape(shown)}</text>'
            f'<rect x="{_num(label_w)}" y="{_num(y + 4)}" width="{_num(w)}" height="16" {_BAR}/>'
            f'<text x="{_num(label_w + w + 4)}" y="{_num(y + 16)}">{value}</text></g>'
        )
    return _svg(chart_id, title, CHART_WIDTH, 8 + len(rows) * row_h, body)


def _tick(label: str) -> int:
    """A position on a regular scale: the year, or months since year 0 for ``YYYY-MM``."""
    if len(label) == 7:
        return int(label[:4]) * 12 + int(label[5:]) - 1
    return int(label)


def axis_labels(labels: Sequence[str], pitch: float) -> dict[int, str]:
    """Which columns get a label under them, and its text.

    The step is the smallest round one (1, 2, 5, 10 years; 1, 2, 3, 6, 12 months …) that
    leaves at most ``MAX_AXIS_LABELS`` labels and room between them; labels fall on round
    values (2000, 2005; January, July) so that the axis reads like a ruler.
    """
    if not labels:
        return {}
    months = len(labels[0]) == 7
    steps = _MONTH_STEPS if months else _YEAR_STEPS
    widest = max(_text_width(label, AXIS_FONT) for label in labels)
    n = len(labels)
    step = next((s for s in steps if math.ceil(n / s) <= MAX_AXIS_LABELS
                 and s * pitch >= widest + 6), steps[-1])
    yearly = months and step % 12 == 0  # only Januaries are labelled: the year says enough
    chosen = {i: (label[:4] if yearly else label)
              for i, label in enumerate(labels) if _tick(label) % step == 0}
    return chosen or {0: labels[0]}


def column_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]],
                 unit: str = "本") -> str:
    """Vertical bars over consecutive years (``YYYY``) or months (``YYYY-MM``).

    The chart keeps the same width whatever the range, so the bars get thinner as it grows;
    a value is written over each bar while there is room, otherwise over the tallest only
    (every bar's exact value is in its tooltip).
    """
    plot_h, top_pad = 120.0, 18.0
    n = max(1, len(rows))
    widest_label = max((_text_width(label, AXIS_FONT) for label, _ in rows), default=0.0)
    # A margin of half a label, so the first and last labels are never cut at the edge.
    margin = max(8.0, widest_label / 2 + 2)
    pitch = min(40.0, (CHART_WIDTH - 2 * margin) / n)
    col_w = max(2.0, pitch * 0.7)
    width = 2 * margin + n * pitch
    top = max((v for _, v in rows), default=0) or 1
    widest_value = _text_width(str(top), VALUE_FONT)
    every_value = pitch >= widest_value + 2
    tallest = next((i for i, (_, v) in enumerate(rows) if v == top), -1)
    under = axis_labels([label for label, _ in rows], pitch)
    base = top_pad + plot_h
    body = [f'<line x1="{_num(margin - 4)}" x2="{_num(width - margin + 4)}" y1="{_num(base)}" '
            f'y2="{_num(base)}" stroke="currentColor" stroke-opacity="0.4"/>']
    for i, (label, value) in enumerate(rows):
        cx = margin + i * pitch + pitch / 2
        h = plot_h * value / top
        parts = [f'<g><title>{escape(label)}: {value} {unit}</title>']
        if value:
            parts.append(f'<rect x="{_num(cx - col_w / 2)}" y="{_num(base - h)}" '
                         f'width="{_num(col_w)}" height="{_num(h)}" {_BAR}/>')
            if every_value or i == tallest:
                parts.append(f'<text x="{_num(cx)}" y="{_num(base - h - 4)}" '
                             f'text-anchor="middle" font-size="{_num(VALUE_FONT)}">{value}'
                             "</text>")
        if i in under:
            parts.append(f'<text x="{_num(cx)}" y="{_num(base + 15)}" text-anchor="middle" '
                         f'font-size="{_num(AXIS_FONT)}">{escape(under[i])}</text>')
        body.append("".join(parts) + "</g>")
    return _svg(chart_id, title, width, base + 22, body)


def month_series(papers: Sequence[Paper], months: int = 36,
                 least: int = 6) -> list[tuple[str, int]]:
    """Papers per month, zeros included, ending at the newest paper's month.

    At most ``months`` months are shown, starting at the first month that has a paper (but
    never fewer than ``least``): a site with two recent months of papers gets a chart of
    six months, not thirty-four empty ones.
    """
    if not papers:
        return []
    counts = Counter((p.date.year, p.date.month) for p in papers)
    year, month = max(counts)
    series: list[tuple[str, int]] = []
    for _ in range(months):
        series.append((f"{year:04d}-{month:02d}", counts.get((year, month), 0)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    last_used = max(i for i, (_, n) in enumerate(series) if n)
    return series[: max(least, last_used + 1)][::-1]


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
    years = year_series(site.papers)
    tags = [(site.tags[s].name, n) for s, n in top_tags(site, top)]
    authors = [(site.authors[s].name, n) for s, n in top_authors(site, top)]
    span = f"{months[0][0]} 〜 {months[-1][0]}" if months else "なし"
    return {
        "months": column_chart("pd-chart-months", f"月別の論文数（{span}）", months),
        "years": column_chart("pd-chart-years", "年別の論文数", years),
        "tags": bar_chart("pd-chart-tags", f"論文数の多いタグ（上位 {top}）",
                          [("#" + n, c) for n, c in tags]),
        "authors": bar_chart("pd-chart-authors", f"ダイジェストの多い著者（上位 {top}）", authors),
    }

