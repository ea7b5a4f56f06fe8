"""Importing dumps of several digests (LLM output) into one file per paper.

A dump is digests separated by ``---`` lines, each with ``# Title``, ``[View Paper](…)`` and
the eight sections. Real dumps have quirks — ``#`` comment lines in code, heading variants,
a tweet over several lines, stray ``'''`` or ``` lines, trailing separators — and every one
is handled here; what cannot be handled is reported with the dump's line number.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..content import blurb as blurbs
from ..content.digest import parse_digest
from ..content.ids import ArxivId, parse_arxiv_id
from ..content.loader import find_files, load_digest, split_front_matter
from ..errors import Problem
from .scaffold import PaperFacts, digest_path, front_matter

_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LONE_FENCE = re.compile(r"^\s*(?:`{3,}|'{3,}|~{3,})\s*$")
_ID_LINE = re.compile(r"^arxiv:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_LINK = re.compile(r"\[\s*View Paper\s*\]\(\s*<?([^)\s>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Chunk:
    """One digest of a dump."""

    line: int
    """Line of the dump where the digest starts."""
    text: str


@dataclass(frozen=True)
class Planned:
    """What importing one digest would do."""

    arxiv: ArxivId
    path: Path
    action: str
    """``create``, ``update``, ``exists`` (left alone) or ``same`` (nothing changed)."""
    text: str
    line: int


def split_dump(text: str) -> list[Chunk]:
    """Cut a dump at ``---`` lines that stand outside code and before a ``# `` title or the end."""
    lines = text.replace("\r\n", "\n").split("\n")
    chunks: list[Chunk] = []
    start, fence = 0, False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fence = not fence
            continue
        if fence or not _SEPARATOR.match(line):
            continue
        following = next((x for x in lines[i + 1:] if x.strip()), None)
        if following is None or following.startswith("# "):
            chunks.append(Chunk(start + 1, "\n".join(lines[start:i])))
            start = i + 1
    chunks.append(Chunk(start + 1, "\n".join(lines[start:])))
    return [c for c in chunks if c.text.strip()]


def clean_body(text: str) -> str:
    """Repair what LLM dumps get wrong; the sections' own text is kept as written.

    Stray fence lines (a lone ``` that is never closed, ``'''`` lines) are dropped, the
    tweet of section 8 is joined into one line, surrounding blank lines are trimmed.
    """
    lines = text.strip("\n").split("\n")
    for _ in range(10):  # each pass removes one unclosed stray fence
        parsed = parse_digest("\n".join(lines))
        unclosed = [p.line for p in parsed.problems if p.message.startswith("code block opened")]
        first = unclosed[0] if unclosed else None
        if first is None or not _LONE_FENCE.match(lines[first - 1]):
            break
        del lines[first - 1]
    lines = [x for x in lines if not re.fullmatch(r"\s*'{3,}\s*", x)]
    parsed = parse_digest("\n".join(lines))
    eight = next((s for s in parsed.sections if s.number == 8), None)
    if eight is not None:
        head = lines[: eight.line]
        lines = [*head, "", blurbs.clean_blurb(eight.body)]
    return "\n".join(lines).rstrip() + "\n"


def existing_ids(root: Path) -> dict[str, Path]:
    """arXiv ids (without version) of the digests already in ``content/papers``."""
    found: dict[str, Path] = {}
    papers, _ = find_files(root / "content")
    for path in papers:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        match = _ID_LINE.search(head) or _LINK.search(head)
        parsed = parse_arxiv_id(match.group(1)) if match else None
        if parsed is not None:
            found.setdefault(parsed.base, path)
    return found


FactsLookup = Callable[[list[ArxivId]], Mapping[str, PaperFacts]]


def plan(dump: Path, root: Path, *, update: bool = False,
         lookup: FactsLookup | None = None) -> tuple[list[Planned], list[Problem]]:
    """Work out, without writing anything, what importing ``dump`` would do."""
    rel = str(dump)
    problems: list[Problem] = []
    text = dump.read_text(encoding="utf-8")
    drafts: list[tuple[Chunk, ArxivId, str, str]] = []
    for chunk in split_dump(text):
        parsed = parse_digest(chunk.text, chunk.line)
        arxiv = parse_arxiv_id(parsed.paper_url or "")
        if parsed.title is None or arxiv is None:
            missing = ("'# Title' line" if parsed.title is None
                       else "'[View Paper](https://arxiv.org/abs/<id>)' link")
            problems.append(Problem(rel, parsed.title_line or chunk.line, None,
                                    f"this digest has no {missing}: add it and import again"))
            continue
        where = Chunk(parsed.title_line or chunk.line, chunk.text)
        drafts.append((where, arxiv, parsed.title, clean_body(chunk.text)))
    facts = lookup([a for _, a, _, _ in drafts]) if lookup and drafts else {}
    have = existing_ids(root)
    seen: set[str] = set()
    planned: list[Planned] = []
    for chunk, arxiv, title, body in drafts:
        if arxiv.base in seen:
            problems.append(Problem(rel, chunk.line, None, f"{arxiv.base} appears twice in this "
                                    "dump: only the first was imported"))
            continue
        seen.add(arxiv.base)
        known = facts.get(arxiv.base) or PaperFacts(arxiv=arxiv)
        tags = [h.text for h in blurbs.extract_hashtags(_blurb_of(body))]
        fm = front_matter(PaperFacts(arxiv=arxiv, title=title, authors=known.authors,
                                     date=known.date, category=known.category), tags=tags)
        if arxiv.base in have:
            planned.append(_existing(have[arxiv.base], arxiv, body, update, chunk.line))
        else:
            target = digest_path(root, arxiv)
            planned.append(Planned(arxiv, target, "create", fm + "\n" + body, chunk.line))
    for item in planned:
        if item.action in ("create", "update"):
            problems.extend(_validate(item, root, rel))
    return planned, problems


def _blurb_of(body: str) -> str:
    eight = next((s for s in parse_digest(body).sections if s.number == 8), None)
    return eight.body if eight else ""


def _existing(path: Path, arxiv: ArxivId, body: str, update: bool, line: int) -> Planned:
    if not update:
        return Planned(arxiv, path, "exists", "", line)
    old = path.read_text(encoding="utf-8")
    fm, old_body, _ = split_front_matter(old, str(path), [])
    head = "" if fm is None else old[: len(old) - len(old_body)]
    new = head + "\n" + body.lstrip("\n") if head else body
    action = "same" if new == old else "update"
    return Planned(arxiv, path, action, new, line)


def _validate(item: Planned, root: Path, dump: str) -> list[Problem]:
    """Check the text as the build would, before anything is written."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / item.path.name
        probe.write_text(item.text, encoding="utf-8")
        found: list[Problem] = []
        load_digest(probe, Path(tmp), found)
    return [Problem(dump, item.line, p.field, f"{item.arxiv.base}: {p.message} (not imported)")
            for p in found if p.severity == "error"]
