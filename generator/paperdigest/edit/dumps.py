"""Finding digests in a dump by their structure, not by separators.

A dump is what a chat assistant printed for several papers: digests, with separators
(``---``, ``***``, ``___``, ``* * *``), prefaces ("承知しました。以下が次の論文の要約です。")
and closing remarks ("以上です。") between them, sometimes a whole digest wrapped in a
```` ```markdown ```` fence, the title as ``#`` or ``##``, the paper linked as
``[View Paper](…)``, a bare ``arxiv.org/pdf/…`` or ``alphaxiv.org/abs/…`` URL, or not at all.

A digest starts at a **title**: a heading (levels 1–3) whose next line that is not blank is
an arXiv link, or is the heading of section 1; a few lines (authors, a date) may stand
between the title and the link. It ends where the next title starts. Inside that span, the
digest stops after the tweet of section 8 (its paragraph or fenced block, and a paragraph
of hashtags after it) and at the last separator that no section heading follows; what
comes after is chatter. Every line of text that is not part of a digest is reported as a
``Skipped`` note, so nothing is dropped without a word.

Pure text in, values out: no files, no network. ``importer.py`` plans and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..content import blocks
from ..content.digest import section_number, tweet_end
from ..content.ids import ArxivId, parse_arxiv_id

_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,}|'{3,})[ \t]*([^`\s]*)[^`]*$")
_WRAPPER_INFO = frozenset({"markdown", "md", "mkd", "gfm", "commonmark"})
_SEPARATOR = re.compile(r"^[ ]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ARXIV_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org|alphaxiv\.org|huggingface\.co/papers)"
    r"/(?:(?:abs|pdf|html|overview)/)?(?P<id>(?:[A-Za-z.\-]+/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?)"
    r"(?:\.pdf)?/?", re.IGNORECASE)
_ARXIV_TEXT = re.compile(
    r"\barXiv\s*[:：]\s*(?P<id>(?:[A-Za-z.\-]+/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?)", re.IGNORECASE)
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\(\s*<?(?P<url>[^)\s>]+)>?\s*\)")
_URL = re.compile(r"<?https?://[^\s>]+>?")
_LABEL = re.compile(r"[ *_]*(?:[^\s:：*_][^:：*_]{0,19}[ *_]*[:：][ *_]*)?")
_TRAILER = re.compile(r"[\s*_.,。、)）]*")
_BOLD_HEADING = re.compile(
    r"^[ ]{0,3}\*\*(?P<n>[0-9０-９])\s*[.．:：)）]\s*(?P<rest>.+?)\*\*[:：]?\s*$")
_PREAMBLE_LINES = 3
"""Lines that may stand between a title and its link (authors, a date, a venue)."""


@dataclass(frozen=True)
class Skipped:
    """A line of a dump that is no part of any digest."""

    line: int
    text: str


@dataclass(frozen=True)
class Found:
    """A digest found in a dump."""

    line: int
    """Line of its title in the dump."""
    title: str
    arxiv: ArxivId | None
    """``None`` when the digest names no arXiv paper."""
    link: str | None
    """The link or id as written, when there was one."""
    text: str
    """The digest as Markdown: ``# Title``, the ``[View Paper]`` line, the sections."""


@dataclass(frozen=True)
class Dump:
    digests: tuple[Found, ...]
    skipped: tuple[Skipped, ...]


def read_dump(text: str) -> Dump:
    """Every digest of a dump, and every line of chatter between them."""
    lines = _unwrap(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    titles = [i for i in range(len(lines)) if _title_at(lines, i) is not None]
    digests: list[Found] = []
    skipped: list[Skipped] = []
    first = titles[0] if titles else len(lines)
    skipped.extend(_chatter(lines, 0, first))
    for k, start in enumerate(titles):
        end = titles[k + 1] if k + 1 < len(titles) else len(lines)
        stop = _digest_end(lines, start, end)
        found, extra = _digest(lines, start, stop)
        digests.append(found)
        skipped.extend(extra)
        skipped.extend(_chatter(lines, stop, end))
    return Dump(tuple(digests), tuple(sorted(skipped, key=lambda s: s.line)))


def _unwrap(lines: list[str]) -> list[str]:
    """Blank out the openers of ```` ```markdown ```` wrappers (line numbers stay).

    The wrapper's closing fence is left: it lands after section 8 (chatter, dropped) or is
    an unclosed stray fence, which ``importer.clean_body`` drops.
    """
    out = []
    for line in lines:
        m = _FENCE.match(line)
        out.append("" if m and m.group(2).lower() in _WRAPPER_INFO else line)
    return out


def _heading(line: str) -> tuple[int, str] | None:
    m = _HEADING.match(line)
    return (len(m.group(1)), m.group(2).strip()) if m and m.group(2).strip() else None


def _section_heading(line: str) -> int | None:
    """The section number a line heads (``## 3. …``, ``### 3. …``, ``**3. …**``), if any."""
    h = _heading(line)
    if h is not None and h[0] >= 2:
        return section_number(h[1])
    m = _BOLD_HEADING.match(line)
    if m is not None:
        n = int(m["n"].translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        return n if section_number(m["rest"]) == n else None
    return None


def arxiv_in(line: str) -> tuple[ArxivId | None, str] | None:
    """The arXiv id a link line names, with the link as written; ``None`` if no link line.

    A link line is a Markdown link, a bare URL, or ``arXiv: <id>``, alone or after a short
    label (``**論文**:``); a non-arXiv link gives ``(None, url)``. A sentence or a line of code
    that holds a URL is not a link line.
    """
    stripped = line.strip()
    if not stripped:
        return None
    link = _LINK.search(stripped) or _URL.search(stripped)
    if link is not None:
        url = link.group("url") if "url" in link.groupdict() else link.group()
        url = url.strip("<>")
        if not (_LABEL.fullmatch(stripped[: link.start()]) and
                _TRAILER.fullmatch(stripped[link.end():])):
            return None
        m = _ARXIV_URL.fullmatch(url.rstrip(".,)")) or _ARXIV_URL.match(url)
        return (parse_arxiv_id(m.group("id")) if m else None), url
    m = _ARXIV_TEXT.fullmatch(re.sub(r"[*_]", "", stripped).strip())
    return (parse_arxiv_id(m.group("id")), m.group()) if m else None


def _title_at(lines: list[str], i: int) -> tuple[int, str] | None:
    """``(level, title)`` when line ``i`` is a digest title (see the module docstring)."""
    h = _heading(lines[i])
    if h is None or h[0] > 3:
        return None
    if _LINK.fullmatch(h[1].strip()) and arxiv_in(h[1]) is not None:
        return h  # "# [Title](https://arxiv.org/abs/…)"
    seen = 0
    for j in range(i + 1, len(lines)):  # by index: a slice per heading makes import quadratic
        line = lines[j]
        if not line.strip():
            continue
        if arxiv_in(line) is not None:
            return h
        nxt = _heading(line)
        if nxt is not None or _BOLD_HEADING.match(line):
            number = _section_heading(line)
            deeper = nxt is None or nxt[0] > h[0] or h[0] == 1
            return h if number == 1 and deeper and section_number(h[1]) != 1 else None
        seen += 1
        if seen > _PREAMBLE_LINES:
            return None
    return None


def _fenced(lines: list[str], start: int, end: int) -> set[int]:
    """Indexes of the code lines between ``start`` and ``end``, by the renderer's rules."""
    return {start + k for k in blocks.scan("\n".join(lines[start:end])).code}


def _digest_end(lines: list[str], start: int, end: int) -> int:
    """Where the digest that starts at ``start`` stops, before the chatter that follows it."""
    code = _fenced(lines, start, end)
    eight = next((i for i in range(start + 1, end)
                  if i not in code and _section_heading(lines[i]) == 8), None)
    stop = end if eight is None else tweet_end(lines, eight + 1, end)
    last_section = max((i for i in range(start, stop)
                        if i not in code and _section_heading(lines[i]) is not None),
                       default=start)
    separators = [i for i in range(last_section + 1, stop)
                  if i not in code and _SEPARATOR.match(lines[i])]
    if separators and eight is None:
        stop = separators[-1]  # no tweet to end at: the last separator closes the digest
    return stop


def _chatter(lines: list[str], start: int, end: int) -> list[Skipped]:
    """Notes for the text lines between digests (separators and fences go silently)."""
    return [Skipped(i + 1, line.strip()) for i, line in enumerate(lines[start:end], start)
            if line.strip() and not _SEPARATOR.match(line) and not _FENCE.match(line)]


def _digest(lines: list[str], start: int, stop: int) -> tuple[Found, list[Skipped]]:
    """The digest between ``start`` (its title) and ``stop``, in the shape of a digest file."""
    level, title = _title_at(lines, start) or (1, lines[start].strip("# "))
    link = _LINK.fullmatch(title.strip())
    arxiv: ArxivId | None = None
    written: str | None = None
    if link is not None and (found := arxiv_in(title)) is not None:
        arxiv, written, title = found[0], found[1], link.group("text").strip()
    body: list[str] = []
    skipped: list[Skipped] = []
    code = _fenced(lines, start, stop)
    in_preamble = True
    shift = _shift(lines, start, stop, level, code)
    for i in range(start + 1, stop):
        line = lines[i]
        if in_preamble and i not in code:
            number = _section_heading(line)
            if number is None:
                found = arxiv_in(line) if line.strip() else None
                if found is not None and written is None:
                    arxiv, written = found
                elif line.strip():
                    skipped.append(Skipped(i + 1, line.strip()))
                continue
            in_preamble = False
        body.append(_normalised(line, shift) if i not in code else line)
    head = [f"# {title}", ""]
    if arxiv is not None:
        head += [f"[View Paper](https://arxiv.org/abs/{arxiv.full})", ""]
    text = "\n".join(head + body).rstrip() + "\n"
    return Found(start + 1, title, arxiv, written, text), skipped


def _shift(lines: list[str], start: int, stop: int, level: int, code: set[int]) -> int:
    """How many levels to lift headings so that sections become ``##``."""
    levels = [h[0] for i in range(start + 1, stop) if i not in code
              and (h := _heading(lines[i])) is not None and section_number(h[1]) is not None]
    section_level = min(levels, default=2)
    return max(0, section_level - 2) if section_level > level else 0


def _normalised(line: str, shift: int) -> str:
    """A body line with headings lifted by ``shift`` and bold section labels made headings."""
    m = _BOLD_HEADING.match(line)
    if m is not None and _section_heading(line) is not None:
        return f"## {m['n']}. {m['rest'].strip()}"
    h = _heading(line)
    if h is None or shift == 0:
        return line
    return "#" * max(2, h[0] - shift) + " " + h[1]
