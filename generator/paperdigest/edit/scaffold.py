"""New digest files: the text of a digest scaffold, and writing into ``content/`` safely.

Writes go through ``files`` (atomic, fsynced, never clobbering); the callers run the build's
own check on the exact text first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..content import schema
from ..content.ids import ArxivId, abs_url
from ..content.loader import check_digest
from ..content.model import SECTION_TITLES
from ..content.textclass import text_problems
from ..errors import WriteError
from . import files

if TYPE_CHECKING:
    from ..sources.arxiv import ArxivClient


@dataclass(frozen=True)
class PaperFacts:
    """What is known about a paper before its digest is written."""

    arxiv: ArxivId
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    category: str | None = None
    abstract: str | None = None
    comment: str | None = None
    doi: str | None = None
    code: str | None = None
    """The paper's code repository, when its abstract or comment names one."""
    affiliations: tuple[str, ...] = ()
    """The authors' institutions as the source gives them (arXiv's ``arxiv:affiliation``)."""
    added: dt.date | None = None
    """The day the digest joins the site (``added_today()`` for a new digest)."""


def added_today() -> dt.date:
    """The ``added:`` date of a digest written now: every command that starts digests
    (``new``, ``import``) takes it from here."""
    return schema.today()


def institutions(names: Iterable[str]) -> tuple[str, ...]:
    """The affiliations the check accepts, without repeats: a source's odd entry is left out
    rather than stopping the digest."""
    kept: list[str] = []
    for name in names:
        try:
            shown = schema.institution(name)
        except schema.Invalid:
            continue
        if not text_problems("affiliations", shown):
            kept.append(shown)
    return tuple(dict.fromkeys(kept))


# A repository on GitHub or GitLab (sub-groups allowed), or a model, space or data set on
# Hugging Face, with or without the scheme; paper pages (huggingface.co/papers) are no code.
_CODE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?P<host>github\.com|gitlab\.com|huggingface\.co)"
    r"(?P<path>(?:/[A-Za-z0-9_.~-]+){2,})", re.IGNORECASE)
_NOT_CODE = frozenset({"about", "features", "login", "marketplace", "orgs", "papers",
                       "settings", "sponsors", "topics", "blog", "docs", "learn"})


def code_url(*texts: str | None) -> str | None:
    """The first code repository named in ``texts`` (an arXiv abstract, then its comment),
    as a clean ``https://`` URL; GitHub and GitLab before Hugging Face, which more often
    names weights than code. ``None`` when no text names one.

    >>> code_url("Code is available at https://github.com/SakanaAI/treequest .")
    'https://github.com/SakanaAI/treequest'
    """
    found: list[tuple[bool, str]] = []
    for text in texts:
        for m in _CODE_URL.finditer(text or ""):
            host = m["host"].lower()
            path = m["path"].rstrip(".")
            path = path[:-4] if path.lower().endswith(".git") else path
            if path.split("/")[1].lower() in _NOT_CODE:
                continue
            try:
                url = schema.url(f"https://{host}{path}")
            except schema.Invalid:
                continue
            found.append((host == "huggingface.co", url))
    return min(found, key=lambda item: item[0])[1] if found else None


def digest_path(papers_dir: Path, arxiv: ArxivId) -> Path:
    """Where the digest of a paper goes: ``<papers>/<id>.md`` (old style in a folder)."""
    return papers_dir / f"{arxiv.base}.md"


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def front_matter(facts: PaperFacts, *, tags: Iterable[str] = (), blurb: str | None = None) -> str:
    """YAML front matter (with its ``---`` lines) for the known facts."""
    lines = ["---", f"arxiv: {_q(facts.arxiv.full)}"]
    if facts.title:
        lines.append(f"title: {_q(facts.title)}")
    if facts.authors:
        lines.append("authors:")
        lines.extend(f"  - {_q(name)}" for name in facts.authors)
    places = institutions(facts.affiliations)
    if places:
        lines.append("affiliations:")
        lines.extend(f"  - {_q(place)}" for place in places)
    if facts.date:
        lines.append(f"date: {facts.date.isoformat()}")
    if facts.added:
        lines.append(f"added: {facts.added.isoformat()}")
    if facts.category:
        lines.append(f"category: {_q(facts.category)}")
    code = facts.code or code_url(facts.abstract, facts.comment)
    if code:
        lines.append(f"code: {_q(code)}")
    tag_list = list(dict.fromkeys(tags))
    lines.append("tags: [" + ", ".join(_q(t) for t in tag_list) + "]")
    if blurb:
        lines.append(f"blurb: {_q(blurb)}")
    for key in ("comment", "doi", "abstract"):
        value = getattr(facts, key)
        if value:
            lines.append(f"{key}: {_q(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def scaffold(facts: PaperFacts) -> str:
    """A new digest: front matter filled in, the eight headings ready to write under.

    It is a draft (``draft: true``): it passes the check, with a warning per empty section,
    and stays out of the site until the line is removed.
    """
    title = facts.title or "(タイトル)"
    body = [f"# {title}", "", f"[View Paper]({abs_url(facts.arxiv)})", ""]
    for number, heading in SECTION_TITLES.items():
        body += [f"## {number}. {heading}", "", ""]
    head = front_matter(facts).removesuffix("---\n") + "draft: true\n---\n"
    return head + "\n" + "\n".join(body).rstrip("\n") + "\n"


def write_new(path: Path, text: str, *, inside: Path, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically, inside ``inside``; refuse to replace a file
    unless ``force``.

    Raises:
        WriteError: the file exists (without ``force``) or the write failed; nothing changed.
    """
    if force:
        files.write_atomic(path, text, inside=inside)
    else:
        files.write_new(path, text, inside=inside,
                        exists="edit it, or pass --force to replace it")


def start_digest(client: ArxivClient, arxiv: ArxivId, papers_dir: Path,
                 shown: Callable[[Path], str], *, force: bool = False) -> str:
    """``paperdigest new``: fetch the paper, scaffold its digest, check the exact text with
    the build's check, write it; the written file as ``shown`` shows it.

    Raises:
        PaperdigestError: the file exists (without ``force``), arXiv gave no record, the
            text would not pass the check, or the write failed; nothing was written.
    """
    target = digest_path(papers_dir, arxiv)
    rel = shown(target)
    exists = "edit it, or pass --force to replace it"
    try:
        if target.exists() and not force:  # before going online: the answer is known
            raise WriteError(f"{rel}: already exists: {exists}")
    except OSError as exc:
        raise WriteError(f"{rel}: cannot be looked at ({exc.strerror or exc}): make its "
                         "folder readable") from None
    record = client.fetch(arxiv)
    text = scaffold(PaperFacts(arxiv=record.id, title=record.title, authors=record.authors,
                               date=record.published, category=record.primary_category,
                               abstract=record.abstract, comment=record.comment,
                               doi=record.doi, code=code_url(record.abstract, record.comment),
                               affiliations=record.affiliations, added=added_today()))
    refused = files.refusal(rel, check_digest(text, rel)[1])
    if refused is not None:
        raise WriteError(f"{refused}: nothing written; start the digest by hand")
    # papers_dir's parent is the content folder: a link on the way out of it is refused.
    if force:
        files.write_atomic(target, text, inside=papers_dir.parent, shown=rel)
    else:
        files.write_new(target, text, inside=papers_dir.parent, shown=rel, exists=exists)
    return rel

