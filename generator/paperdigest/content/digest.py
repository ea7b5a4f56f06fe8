"""Parsing the body of a digest: title, arXiv link and the eight sections.

Pure text in, ``ParsedDigest`` out; problems are collected with their line numbers instead
of raised, so one pass reports everything. Which lines are code comes from ``blocks.scan``
(the renderer's rules), so that ``# comment`` lines inside code are never taken for headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Problem
from . import blocks
from .model import SECTION_TITLES, Section

_ATX = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_VIEW_PAPER = re.compile(r"^\s*\[\s*View Paper\s*\]\(\s*<?(?P<url>[^)\s>]+)>?\s*\)\s*$", re.I)
_MARKERS = frozenset("#`~[-*+0123456789")
"""First characters of the lines the parser cares about; all other lines are skipped fast."""
_LIST_ITEM = re.compile(r"^( *)(?:[-*+]|\d{1,9}[.)])[ \t]")
_NUMBERED = re.compile(r"^(?P<n>[0-9０-９]+)\s*[.．:：)）、]?\s*(?P<rest>.*)$")

# Words that identify a section when its heading has no number. Checked in order; the
# first section whose pattern matches wins, so the more specific patterns come first.
_MEANINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (8, re.compile(r"ツイート|tweet|140字|一言で|in one post", re.I)),
    (7, re.compile(r"参考文献|references|参照すべき", re.I)),
    (6, re.compile(r"コスト|物理的|cost|compute|resources", re.I)),
    (5, re.compile(r"技術的|technical|詳細について", re.I)),
    (4, re.compile(r"limitation|問題点|限界|課題", re.I)),
    (1, re.compile(r"既存研究|できなかった|prior work|previous work|先行研究", re.I)),
    (3, re.compile(r"達成|結果|results?|achiev", re.I)),
    (2, re.compile(r"アプローチ|解決|approach|method|手法", re.I)),
)


@dataclass(frozen=True)
class ParsedDigest:
    """What the body of a digest says."""

    title: str | None
    title_line: int | None
    paper_url: str | None
    paper_url_line: int | None
    sections: tuple[Section, ...]
    problems: tuple[Problem, ...] = field(default=())


def section_number(heading: str) -> int | None:
    """Which of the eight sections a ``##`` heading names, by number or by meaning."""
    m = _NUMBERED.match(heading)
    if m:
        n = int(m["n"].translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        return n if 1 <= n <= 8 else None
    for number, pattern in _MEANINGS:
        if pattern.search(heading):
            return number
    return None


def heading_text(heading: str) -> str:
    """The heading without its leading number (``4. Limitation…`` -> ``Limitation…``)."""
    m = _NUMBERED.match(heading)
    return (m["rest"] if m else heading).strip()


def parse_digest(text: str, first_line: int = 1, path: str = "") -> ParsedDigest:
    """Parse a digest body that starts on line ``first_line`` of the file ``path``."""
    lines = text.splitlines()
    problems: list[Problem] = []
    title: str | None = None
    title_line: int | None = None
    url: str | None = None
    url_line: int | None = None
    # (number, heading, heading line, index of first body line)
    starts: list[tuple[int, str, int, int]] = []
    preamble: list[int] = []
    scanned = blocks.scan(text)
    code = scanned.code
    item_indent: int | None = None  # indent of the list item the text is in, if any
    for index, line in enumerate(lines):
        lineno = first_line + index
        first = line.lstrip(" \t")[:1]
        if index in code:
            continue
        if first not in _MARKERS:
            if not starts and line.strip():
                preamble.append(lineno)
            if line[:1] not in ("", " ", "\t"):
                item_indent = None
            continue
        item = _LIST_ITEM.match(line)
        if item:
            indent = len(item.group(1))
            if item_indent is not None and item_indent < indent < item_indent + 4:
                problems.append(Problem(
                    path, lineno, None, f"a nested list item must be indented by "
                    f"{item_indent + 4} spaces (it has {indent}); otherwise it shows as "
                    "an item of the outer list",
                ))
            item_indent = indent if item_indent is None or indent < item_indent + 4 else (
                item_indent)
        elif line[:1] not in (" ", "\t"):
            item_indent = None
        heading = _ATX.match(line)
        if heading and len(heading.group(1)) in (1, 2):
            level, content = len(heading.group(1)), (heading.group(2) or "").strip()
            if level == 1:
                if title is None and not starts:
                    title, title_line = content, lineno
                else:
                    problems.append(
                        Problem(path, lineno, None, f"a second '# ' title '{content}': use '###' "
                                    "for a heading inside a section")
                    )
                continue
            number = section_number(content)
            if number is None:
                problems.append(
                    Problem(path, lineno, None,
                        f"'## {content}' is not one of the eight sections: number it "
                        "('## 1.' … '## 8.') or use '###' for a heading inside a section",
                    )
                )
                continue
            starts.append((number, content, lineno, index + 1))
            continue
        if not starts:
            vm = _VIEW_PAPER.match(line)
            if vm and url is None:
                url, url_line = vm["url"], lineno
            elif line.strip() and line.strip() != "---":
                preamble.append(lineno)
    for index, fence in scanned.unclosed:
        problems.append(
            Problem(path, first_line + index, None, f"code block opened with {fence} is never "
                    f"closed, so it shows as text: add a closing {fence} line, indented as the "
                    "opening one")
        )
    if preamble:
        problems.append(
            Problem(path, preamble[0], None, "text before section 1: only the '# Title' and "
                        "'[View Paper](…)' lines may come before '## 1.'")
        )
    sections = _collect_sections(lines, starts, problems, path)
    return ParsedDigest(title, title_line, url, url_line, sections, tuple(problems))


def _collect_sections(
    lines: list[str],
    starts: list[tuple[int, str, int, int]],
    problems: list[Problem],
    path: str,
) -> tuple[Section, ...]:
    sections: list[Section] = []
    seen: dict[int, int] = {}
    for i, (number, content, lineno, body_start) in enumerate(starts):
        body_end = starts[i + 1][3] - 1 if i + 1 < len(starts) else len(lines)
        body = _trim(lines[body_start:body_end])
        if number in seen:
            problems.append(
                Problem(path, lineno, f"section {number}",
                            f"appears twice (first on line {seen[number]}): merge them")
            )
            continue
        seen[number] = lineno
        if sections and number < sections[-1].number:
            problems.append(
                Problem(path, lineno, f"section {number}",
                            f"comes after section {sections[-1].number}: put the sections in "
                            "order 1 to 8")
            )
        sections.append(Section(number, heading_text(content), body, lineno))
    return tuple(sorted(sections, key=lambda s: s.number))


def _trim(lines: list[str]) -> str:
    """Drop leading and trailing blank lines and trailing dump separators (``---``)."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and (not lines[end - 1].strip() or lines[end - 1].strip() == "---"):
        end -= 1
    return "\n".join(lines[start:end])


_TWEET_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,}|'{3,})[ \t]*([^`\s]*)[^`]*$")
_TWEET_STOP = re.compile(r"^[ ]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|#{1,6}[ \t]"
                         r".*\S.*)$")
"""A separator (``---``, ``***``, ``___``) or a heading: the tweet's paragraph ends there."""
_HASHTAGS_ONLY = re.compile(r"^(?:[#＃][^\s#＃]+\s*)+$")


def tweet_end(lines: list[str], start: int = 0, end: int | None = None) -> int:
    """The index after the tweet that starts at ``lines[start]`` (blank lines skipped).

    The tweet is its first paragraph, or a block fenced with three backticks, tildes or
    quotes, and a paragraph of only hashtags right after it. One rule for the blurb of a
    digest (``split_tweet``) and for where a digest of a dump ends (``edit/dumps.py``).
    """
    end = len(lines) if end is None else end
    i = start
    while i < end and not lines[i].strip():
        i += 1
    if i < end and (m := _TWEET_FENCE.match(lines[i])):
        close = next((j for j in range(i + 1, end)
                      if (c := _TWEET_FENCE.match(lines[j])) and c.group(1)[0] == m.group(1)[0]
                      and not c.group(2)), None)
        if close is not None:
            return _hashtags_after(lines, close + 1, end)
    while i < end and lines[i].strip() and not _TWEET_STOP.match(lines[i]):
        i += 1
    return _hashtags_after(lines, i, end)


def _hashtags_after(lines: list[str], i: int, end: int) -> int:
    """Past a paragraph of hashtags that follows the tweet after a blank line, if there is one."""
    j = i
    while j < end and not lines[j].strip():
        j += 1
    k = j
    while k < end and lines[k].strip() and _HASHTAGS_ONLY.match(lines[k].strip()):
        k += 1
    if k > j and (k == end or not lines[k].strip()):
        return k
    return i


def split_tweet(body: str) -> tuple[str, str]:
    """Section 8 as its tweet and what follows it: a note, shown on the page below the tweet,
    never posted with it."""
    lines = body.split("\n")
    i = tweet_end(lines)
    return "\n".join(lines[:i]).strip("\n"), "\n".join(lines[i:]).strip("\n")


def missing_sections(sections: tuple[Section, ...]) -> list[int]:
    """Numbers of the sections that are absent."""
    present = {s.number for s in sections}
    return [n for n in SECTION_TITLES if n not in present]
