"""``paperdigest draft``: a digest drafted by a model, checked, and written as a draft.

The flow of one paper: its arXiv metadata (as ``new`` reads it), its text (the HTML full
text, else the abstract), the site's prompt, the model's answer. The answer goes through
the importer's digest finder (``dumps.read_dump``: chatter, fences and heading variants
dropped; ``importer.clean_body``: stray fences, a tweet over several lines) and the build's
own check (``check_digest``) on the exact text of the file. Problems of the body, which the
model can fix, are sent back with the check's own words, at most ``REPAIRS``
times; what is left is written and reported, like ``import`` does. The file is a draft
(``draft: true``) with ``added:`` and a ``provenance:`` block; nothing is written when no
digest came back, and an existing digest is only redrafted with ``--update`` (and only
while it is still a draft: a reviewed digest is never replaced by a model's).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content import blurb as blurbs
from ..content import limits
from ..content.digest import parse_digest
from ..content.ids import ArxivId, abs_url
from ..content.loader import check_digest
from ..content.provenance import READS
from ..content.textfile import split_front_matter
from ..content.yamlsafe import load as load_yaml
from ..errors import ContentError, PaperdigestError, Problem, WriteError
from ..sources.llm import Answer, Message, Usage
from . import files
from .dumps import Found, read_dump
from .importer import clean_body, existing_ids
from .scaffold import PaperFacts, code_url, digest_path, front_matter
from .yamledit import replace_block, unified_diff

if TYPE_CHECKING:
    from ..sources.arxiv import ArxivRecord
    from ..sources.arxivhtml import PaperText

REPAIRS = 2
"""Times the problems of an answer are sent back to the model."""

Ask = Callable[[Sequence[Message]], Answer]
"""The chat client's ``complete``."""
Prompter = Callable[[Mapping[str, Any]], str]
"""Renders the site's prompt template with a context."""
ReadText = Callable[[ArxivId, str], "PaperText"]
"""The full text of a paper, else its abstract (given as the second argument)."""


class DraftError(PaperdigestError):
    """No digest could be drafted; nothing was written."""


@dataclass
class Drafted:
    """One drafted digest: the file text and what the check says of it."""

    arxiv: ArxivId
    path: Path
    rel: str
    text: str
    problems: list[Problem]
    paper: PaperText
    usage: Usage = field(default_factory=Usage)
    repairs: int = 0
    """Times the problems were sent back."""
    old: str | None = None
    """The file before, when ``--update`` redrafts it."""

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def diff(self) -> str:
        return unified_diff(self.rel, self.old or "", self.text)


def digest_in(answer: str, record: ArxivRecord) -> Found | None:
    """The digest in a model's answer: the one about ``record``, else the first with
    sections. An answer that starts straight at section 1 gets the paper's title."""
    for text in (answer, f"# {record.title}\n\n[View Paper]({abs_url(record.id)})\n\n{answer}"):
        found = [d for d in read_dump(text).digests if parse_digest(d.text).sections]
        mine = [d for d in found if d.arxiv is not None and d.arxiv.base == record.id.base]
        if mine or found:
            return (mine or found)[0]
    return None


def body_of(found: Found, record: ArxivRecord) -> str:
    """The digest body as the file holds it: the paper's own title and link, the sections
    as the model wrote them (repaired as ``import`` repairs them)."""
    body = clean_body(found.text)
    sections = parse_digest(body).sections
    lines = body.split("\n")
    first = min(s.line for s in sections) if sections else len(lines) + 1
    head = [f"# {record.title}", "", f"[View Paper]({abs_url(record.id)})", ""]
    return "\n".join(head + _single_blank_lines(lines[first - 1:])).rstrip() + "\n"


def _single_blank_lines(lines: list[str]) -> list[str]:
    """Runs of blank lines as one, outside code blocks (models space their answers freely)."""
    out: list[str] = []
    fence = ""
    for line in lines:
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~"):
            fence = "" if fence == marker else (fence or marker)
        if not fence and not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return out


def provenance(model: str, today: dt.date, full_text: bool) -> dict[str, object]:
    return {"model": model, "date": today, "read": READS[0] if full_text else READS[1]}


def new_file(record: ArxivRecord, body: str, prov: Mapping[str, object],
             today: dt.date) -> str:
    """A new draft: the arXiv metadata, the tweet's hashtags as tags, ``draft: true``,
    ``added:`` and the provenance block, then the body."""
    eight = next((s for s in parse_digest(body).sections if s.number == 8), None)
    tags = [h.text for h in blurbs.extract_hashtags(eight.body if eight else "")]
    facts = PaperFacts(arxiv=record.id, title=record.title, authors=record.authors,
                       date=record.published, category=record.primary_category,
                       abstract=record.abstract, comment=record.comment, doi=record.doi,
                       code=code_url(record.abstract, record.comment),
                       affiliations=record.affiliations, added=today)
    head = front_matter(facts, tags=tags).removesuffix("---\n")
    head += "draft: true\nprovenance:\n"
    head += "".join(f"  {k}: {_q(v)}\n" for k, v in prov.items())
    return head + "---\n\n" + body


def _q(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else json.dumps(
        str(value), ensure_ascii=False)


def redraftable(old: str, rel: str) -> tuple[str, str]:
    """(front matter, body) of a digest ``--update`` may redraft: a draft.

    Raises:
        DraftError: the file is not a draft any more, or has no front matter to keep.
    """
    fm, old_body, _ = split_front_matter(old, rel, [])
    if fm is None:
        raise DraftError(f"{rel}: has no front matter: redraft it by hand, or remove it and "
                         "run `paperdigest draft` again")
    try:
        data, _ = load_yaml(fm, first_line=2, path=rel)
    except ContentError as exc:
        raise DraftError(f"{exc}: fix the front matter first") from None
    if not isinstance(data, dict) or data.get("draft") is not True:
        raise DraftError(f"{rel}: is not a draft (no 'draft: true'): a reviewed digest is "
                         "never replaced by a model's; add 'draft: true' first if you mean it")
    return fm, old_body


def redrafted(old: str, rel: str, body: str, prov: Mapping[str, object]) -> str:
    """``--update``: the old front matter (comments and hand-written fields kept) with the
    provenance block renewed, and the new body.

    Raises:
        DraftError: the file is not a draft any more, or its front matter cannot be edited.
    """
    old = old.replace("\r\n", "\n")
    fm, old_body = redraftable(old, rel)
    try:
        new_fm = replace_block(fm + "\n", "provenance", prov)
    except ValueError as exc:
        raise DraftError(f"{rel}: the front matter cannot be edited ({exc}): fix it, or "
                         "remove the file and draft it again") from None
    head = old[: len(old) - len(old_body)]
    return head.replace(fm + "\n", new_fm, 1).rstrip("\n") + "\n\n" + body


def fixable(problems: Sequence[Problem], body_line: int) -> list[Problem]:
    """The problems a model can fix: errors in the body, and its empty or missing
    sections (only warnings in a draft, but a draft should have every section)."""
    return [p for p in problems if (p.line is None or p.line >= body_line)
            and (p.severity == "error" or (p.field or "").startswith("section "))]


def repair_notes(problems: Sequence[Problem], text: str, body_line: int) -> list[str]:
    """The check's messages, as the model can use them: the line quoted, not numbered
    (the model never saw the front matter, so file line numbers mean nothing to it)."""
    lines = text.split("\n")
    notes = []
    for p in problems:
        where = f"{p.field}: " if p.field else ""
        quoted = ""
        if p.line is not None and body_line <= p.line <= len(lines) and lines[p.line - 1]:
            shown = lines[p.line - 1].strip()
            quoted = f"（該当行: 「{shown[:80]}{'…' if len(shown) > 80 else ''}」）"
        notes.append(f"{where}{p.message}{quoted}")
    return notes


@dataclass
class Drafter:
    """Drafts digests into ``papers_dir``; the clients and the prompt are passed in."""

    papers_dir: Path
    shown: Callable[[Path], str]
    fetch: Callable[[ArxivId], ArxivRecord]
    read_text: ReadText
    ask: Ask
    prompt: Prompter
    model: str
    today: dt.date
    notify: Callable[[str], None] = lambda message: None

    def target(self, arxiv: ArxivId, *, update: bool) -> tuple[Path, str, str | None]:
        """Where the digest goes, and its text when it exists (only with ``update``).

        Raises:
            WriteError: it exists and ``update`` is off, or it cannot be read.
        """
        # The paper's digest wherever it is (an older layout keeps some in folders).
        path = existing_ids(self.papers_dir).get(arxiv.base) or digest_path(self.papers_dir,
                                                                              arxiv)
        rel = self.shown(path)
        try:
            if not path.exists():
                return path, rel, None
            if not update:
                raise WriteError(f"{rel}: already exists: edit it, or pass --update to "
                                 "redraft it (a draft only; the diff is shown)")
            if not path.is_file():
                raise WriteError(f"{rel}: is not a regular file: remove it first")
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise WriteError(f"{rel}: cannot be read ({why}): check the file") from None
        redraftable(old.replace("\r\n", "\n"), rel)  # before going online
        return path, rel, old

    def draft(self, arxiv: ArxivId, *, update: bool = False, force_abstract: bool = False,
              record: ArxivRecord | None = None) -> Drafted:
        """Draft the digest of ``arxiv``; nothing is written here (see ``write``).

        Raises:
            PaperdigestError: the file exists (without ``update``), arXiv or the model
                failed, or the answer held no digest.
        """
        path, rel, old = self.target(arxiv, update=update)
        record = record or self.fetch(arxiv)
        if force_abstract:
            from ..sources.arxivhtml import PaperText

            paper = PaperText(record.abstract, False, note="--force-abstract")
        else:
            paper = self.read_text(record.id, record.abstract)
        prov = provenance(self.model, self.today, paper.full_text)
        context = {"paper": _paper(record), "text": paper.text, "full_text": paper.full_text,
                   "left_out": list(paper.left_out), "repair": []}
        messages: list[Message] = [{"role": "user", "content": self.prompt(context)}]
        best: Drafted | None = None
        usage = Usage()
        for turn in range(REPAIRS + 1):
            answer = self.ask(messages)
            usage = usage + answer.usage
            if answer.finish_reason == "length":
                self.notify(f"{rel}: the model stopped at its output limit; the answer may "
                            "be cut short")
            size = len(answer.text.encode("utf-8"))
            if size > limits.MAX_DIGEST_BYTES:  # it would never pass: not worth sending back
                raise DraftError(f"{rel}: the model answered {size:,} bytes, more than a "
                                 f"digest may hold ({limits.MAX_DIGEST_BYTES:,}); nothing "
                                 "written: try again, or another model")
            found = digest_in(answer.text, record)
            if found is None:
                if best is not None:
                    break  # keep the last digest it did write
                raise DraftError(f"{rel}: the model's answer holds no digest ('# Title' and "
                                 f"'## 1. …' to '## 8. …'); nothing written. It began: "
                                 f"{_excerpt(answer.text)!r}")
            body = body_of(found, record)
            text = (redrafted(old, rel, body, prov) if old is not None
                    else new_file(record, body, prov, self.today))
            _, problems = check_digest(text, rel)
            body_line = _body_line(text)
            current = Drafted(record.id, path, rel, text, problems, paper, usage, turn, old)
            if best is None or _errors(problems) <= _errors(best.problems):
                best = current
            todo = fixable(problems, body_line)
            if not todo or turn == REPAIRS:
                break
            self.notify(f"{rel}: {len(todo)} problem{'s' if len(todo) != 1 else ''} sent back "
                        f"to the model (repair {turn + 1} of {REPAIRS})")
            repair = self.prompt({**context, "repair": repair_notes(todo, text, body_line)})
            messages = [*messages, {"role": "assistant", "content": answer.text},
                        {"role": "user", "content": repair}]
        assert best is not None
        best.usage = usage
        return best


def write(drafted: Drafted, inside: Path) -> None:
    """Write the draft into the content folder ``inside``: a new file never replaces one;
    ``--update`` replaces it whole.

    Raises:
        WriteError: the write failed or a file appeared meanwhile; nothing changed.
    """
    if drafted.old is not None:
        files.write_atomic(drafted.path, drafted.text, inside=inside, shown=drafted.rel)
    else:
        files.write_new(drafted.path, drafted.text, inside=inside, shown=drafted.rel,
                        exists="pass --update to redraft it (a draft only)")


def _paper(record: ArxivRecord) -> dict[str, Any]:
    return {"id": record.id.full, "title": record.title, "authors": list(record.authors),
            "date": record.published.isoformat(), "category": record.primary_category,
            "abs_url": abs_url(record.id), "abstract": record.abstract,
            "comment": record.comment or ""}


def _body_line(text: str) -> int:
    return split_front_matter(text, "", [])[2]


def _errors(problems: Sequence[Problem]) -> int:
    return sum(p.severity == "error" for p in problems)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 120 else flat[:119] + "…"
