"""Importing dumps of several digests into one file per paper.

``dumps.read_dump`` finds the digests and the chatter between them; here each digest gets
its quirks repaired (stray fence lines, a tweet over several lines), front matter, and the
check the build runs (``check_digest``) on the exact text that will be written. A digest
with problems is still written, with its problems reported, so it can be fixed in place;
only text that is not a digest (no arXiv id, no sections, a repeat) is refused, with the
reason and the dump line. Every digest of the dump ends in exactly one of: ``create``,
``update``, ``exists``, ``same`` or ``refused``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..content import blurb as blurbs
from ..content.digest import parse_digest
from ..content.ids import ArxivId, parse_arxiv_id
from ..content.limits import MAX_DIGEST_BYTES
from ..content.loader import check_digest, find_files
from ..content.textfile import split_front_matter
from ..errors import FetchError, PaperdigestError, Problem
from ..fileio import FileRefused, open_regular, read_regular
from .dumps import Found, Skipped, read_dump
from .files import write_atomic, write_new
from .scaffold import PaperFacts, added_today, code_url, digest_path, front_matter

if TYPE_CHECKING:  # the network client loads only with --fetch
    from ..sources.arxiv import ArxivClient

_LONE_FENCE = re.compile(r"^\s*(?:`{3,}|'{3,}|~{3,})\s*$")
_ID_LINE = re.compile(r"^arxiv:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_LINK = re.compile(r"\[\s*View Paper\s*\]\(\s*<?([^)\s>]+)", re.IGNORECASE)

_VERBS = {"create": "create", "update": "update", "exists": "exists", "same": "unchanged",
          "refused": "refused"}
"""How each action is named in the report."""

FactsLookup = Callable[[list[ArxivId]], Mapping[str, PaperFacts]]


def arxiv_lookup(client: ArxivClient) -> FactsLookup:
    """PaperFacts for arXiv ids, all asked in as few requests as arXiv allows."""
    def lookup(ids: list[ArxivId]) -> dict[str, PaperFacts]:
        records = client.fetch_many(ids)
        return {base: PaperFacts(arxiv=r.id, title=r.title, authors=r.authors, date=r.published,
                                 category=r.primary_category, affiliations=r.affiliations,
                                 code=code_url(r.abstract, r.comment))
                for base, r in records.items()}

    return lookup


@dataclass(frozen=True)
class Planned:
    """What importing one digest of a dump does."""

    line: int
    """Line of the digest's title in the dump."""
    title: str
    action: str
    """``create``, ``update``, ``exists`` (left alone), ``same`` (unchanged) or ``refused``."""
    arxiv: ArxivId | None = None
    path: Path | None = None
    text: str = ""
    """What would be written (``create`` and ``update``)."""
    reason: str = ""
    """Why it was refused."""
    problems: tuple[Problem, ...] = ()
    """What ``paperdigest check`` will say of the written file."""


@dataclass(frozen=True)
class Plan:
    items: tuple[Planned, ...]
    skipped: tuple[Skipped, ...]


def clean_body(text: str) -> str:
    """Repair what dumps get wrong; the sections' own text is kept as written.

    Stray fence lines (a lone ``` that is never closed, ``'''`` lines) are dropped, the
    tweet of section 8 is joined into one line, surrounding blank lines are trimmed.
    """
    lines = text.strip("\n").split("\n")
    for _ in range(len(lines)):  # each pass removes one unclosed stray fence
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
        lines = [*lines[: eight.line], "", blurbs.clean_blurb(eight.body)]
    return "\n".join(lines).rstrip() + "\n"


def existing_ids(papers_dir: Path) -> dict[str, Path]:
    """arXiv ids (without version) of the digests already in ``papers_dir``."""
    found: dict[str, Path] = {}
    papers, _ = find_files(papers_dir.parent)
    for path in papers:
        try:
            with open_regular(path) as fh:  # never a FIFO or device; a link is not followed
                head = fh.read(4000).decode("utf-8", errors="replace")
        except OSError:
            continue  # check reports unreadable files; import only needs the ids it can see
        match = _ID_LINE.search(head) or _LINK.search(head)
        parsed = parse_arxiv_id(match.group(1)) if match else None
        if parsed is not None:
            found.setdefault(parsed.base, path)
    return found


def plan(text: str, papers_dir: Path, root: Path, *, update: bool = False,
         lookup: FactsLookup | None = None) -> Plan:
    """Work out, without writing anything, what importing the dump ``text`` would do."""
    dump = read_dump(text)
    wanted = [d.arxiv for d in dump.digests if d.arxiv is not None]
    unfetched = ""
    try:
        facts = lookup(wanted) if lookup and wanted else {}
    except FetchError as exc:
        # Without the metadata asked for, no new digest is written; existing ones still are
        # accounted for, and the next dump goes on.
        facts, unfetched = {}, (f"{exc}; nothing written for it: import again when arXiv "
                                "answers, or without --fetch")
    have = existing_ids(papers_dir)
    first_seen: dict[str, int] = {}
    items: list[Planned] = []
    for found in dump.digests:
        refusal = _refusal(found, first_seen)
        if refusal or found.arxiv is None:
            items.append(Planned(found.line, found.title, "refused", found.arxiv,
                                 reason=refusal or "no arXiv id"))
            continue
        first_seen[found.arxiv.base] = found.line
        body = clean_body(found.text)
        if found.arxiv.base in have:
            items.append(_existing(found, have[found.arxiv.base], body, update, root))
            continue
        if unfetched:
            items.append(Planned(found.line, found.title, "refused", found.arxiv,
                                 reason=unfetched))
            continue
        known = facts.get(found.arxiv.base) or PaperFacts(arxiv=found.arxiv)
        tags = [h.text for h in blurbs.extract_hashtags(_blurb_of(body))]
        head = front_matter(PaperFacts(
            arxiv=found.arxiv, title=found.title, authors=known.authors, date=known.date,
            category=known.category, code=known.code, affiliations=known.affiliations,
            added=added_today()), tags=tags)
        target = digest_path(papers_dir, found.arxiv)
        items.append(_checked(found, "create", target, head + "\n" + body, root))
    return Plan(tuple(items), dump.skipped)


def _refusal(found: Found, first_seen: Mapping[str, int]) -> str:
    if found.arxiv is None:
        if found.link:
            return (f"'{found.link}' is not an arXiv link: link the paper as "
                    "[View Paper](https://arxiv.org/abs/<id>) under the title and import again")
        return ("no arXiv id: add the link [View Paper](https://arxiv.org/abs/<id>) under the "
                "title and import again")
    if found.arxiv.base in first_seen:
        return (f"{found.arxiv.base} is also on line {first_seen[found.arxiv.base]} of this "
                "dump: only the first is imported")
    if not parse_digest(found.text).sections:
        return ("none of the eight sections was found ('## 1. …' to '## 8. …'): add them and "
                "import again")
    return ""


def _blurb_of(body: str) -> str:
    eight = next((s for s in parse_digest(body).sections if s.number == 8), None)
    return eight.body if eight else ""


def _existing(found: Found, path: Path, body: str, update: bool, root: Path) -> Planned:
    if not update:
        return Planned(found.line, found.title, "exists", found.arxiv, path)
    try:
        old = read_regular(path, MAX_DIGEST_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.reason if isinstance(exc, FileRefused) else (
            exc.strerror if isinstance(exc, OSError) else "is not UTF-8")
        return Planned(found.line, found.title, "refused", found.arxiv, path,
                       reason=f"{path} cannot be updated: {why}: run `paperdigest check`")
    fm, old_body, _ = split_front_matter(old, str(path), [])
    head = "" if fm is None else old[: len(old) - len(old_body)]
    new = head + "\n" + body.lstrip("\n") if head else body
    if new == old:
        return Planned(found.line, found.title, "same", found.arxiv, path)
    return _checked(found, "update", path, new, root)


def _checked(found: Found, action: str, path: Path, text: str, root: Path) -> Planned:
    """The plan to write ``text``, with what the build's own check says of it."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    _, problems = check_digest(text, rel)
    return Planned(found.line, found.title, action, found.arxiv, path, text,
                   problems=tuple(problems))


@dataclass
class Tally:
    """What importing one or more dumps did, and the report lines it printed."""

    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_VERBS, 0))
    skipped: int = 0
    failed: bool = False

    def carry_out(self, dump: str, planned: Plan, root: Path, *, inside: Path | None = None
                  ) -> list[tuple[bool, str]]:
        """Write what ``planned`` says (unless a dry run); ``(to stderr, line)`` to print.

        ``inside``: the folder every write must stay in, realpaths compared (default
        ``root``); the CLI passes the content folder."""
        out: list[tuple[int, int, bool, str]] = []  # in dump order
        for item in planned.items:
            out.extend((item.line, n, *line)
                       for n, line in enumerate(self._one(dump, item, root, inside or root)))
        for note in planned.skipped:
            self.skipped += 1
            shown = note.text if len(note.text) <= 60 else note.text[:59] + "…"
            out.append((note.line, 0, False, f"{dump}:{note.line}: skipped: {shown!r}"))
        return [(to_err, text) for _, _, to_err, text in sorted(out)]

    def _one(self, dump: str, item: Planned, root: Path, inside: Path
             ) -> list[tuple[bool, str]]:
        where = f"{dump}:{item.line}"
        if item.action == "refused" or item.path is None:
            self.counts["refused"] += 1
            self.failed = True
            return [(True, f"{where}: '{item.title}': {item.reason}")]
        shown = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) \
            else str(item.path)
        if item.action in ("create", "update") and not self.dry_run:
            try:
                if item.action == "update":
                    write_atomic(item.path, item.text, inside=inside, shown=shown)
                else:
                    write_new(item.path, item.text, inside=inside, shown=shown,
                              exists="import again with --update to refresh its body")
            except PaperdigestError as exc:
                self.counts["refused"] += 1
                self.failed = True
                return [(True, f"{where}: '{item.title}': {exc}")]
        self.counts[item.action] += 1
        verb = _VERBS[item.action]
        if self.dry_run and item.action in ("create", "update"):
            verb = "would " + verb
        note = " (left alone; --update refreshes its body)" if item.action == "exists" else ""
        lines = [(False, f"{verb}: {shown} ({where}){note}")]
        errors = [p for p in item.problems if p.is_error]
        self.failed = self.failed or bool(errors)
        lines.extend((True, str(p)) for p in item.problems)
        return lines

    def summary(self) -> str:
        c = self.counts
        text = (f"{c['create']} new, {c['update']} updated, {c['exists'] + c['same']} already "
                f"there, {c['refused']} refused")
        if self.skipped:
            text += f"; {self.skipped} line{'s' if self.skipped != 1 else ''} of other text skipped"
        return text + (" (dry run: nothing written)" if self.dry_run else "")

