"""New digest files: the text of a digest scaffold, and writing into ``content/`` safely.

Writes are atomic and never clobber: the text goes to a temporary file in the target folder,
is checked with the same validator as the build, and is linked into place only if no file
is there (``force`` replaces the old file in one rename instead).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..content.ids import ArxivId, abs_url
from ..content.model import SECTION_TITLES
from ..errors import WriteError


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
    if facts.date:
        lines.append(f"date: {facts.date.isoformat()}")
    if facts.category:
        lines.append(f"category: {_q(facts.category)}")
    if facts.code:
        lines.append(f"code: {_q(facts.code)}")
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


def write_new(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically; refuse to replace a file unless ``force``.

    Raises:
        WriteError: the file exists (without ``force``) or the write failed; nothing changed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not force:
        raise WriteError(f"{path} already exists: edit it, or pass --force to replace it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if a file appeared meanwhile: never clobber
            except FileExistsError:
                raise WriteError(f"{path} already exists: edit it, or pass --force to "
                                 "replace it") from None
    except OSError as exc:
        raise WriteError(f"could not write {path}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
