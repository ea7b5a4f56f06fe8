"""The ``paperdigest draft`` command's work: the endpoint and the clients, one paper or the
newest of the digest-wanted queue, and what is printed of each (``draft.py`` drafts one).

Output goes through ``echo(text, to_stderr)``, so the CLI stays a thin layer of options.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..content.ids import ArxivId, parse_arxiv_id
from ..content.loader import check_content
from ..errors import PaperdigestError
from ..project import Project
from ..sources.arxiv import connect
from ..sources.arxivhtml import ArxivHtmlClient
from ..sources.llm import ChatClient, endpoint
from .draft import Drafted, Drafter, Prompter, write

if TYPE_CHECKING:
    from ..content.model import Site
    from ..sources.http import Online

Echo = Callable[[str, bool], None]
Queue = Callable[["Site"], Sequence[Any]]
"""``site.profile.wanted``: the digest-wanted queue, newest first (items with ``.work``)."""


@dataclass(frozen=True)
class Options:
    """The command's options."""

    paper: str | None = None
    wanted: bool = False
    limit: int = 3
    model: str | None = None
    dry_run: bool = False
    force_abstract: bool = False
    update: bool = False


def run(project: Project, options: Options, *, online: Callable[[], Online], queue: Queue,
        prompt: Prompter, echo: Echo, tty: bool = False) -> bool:
    """Draft what ``options`` ask for; True when anything failed or has problems left.

    Raises:
        PaperdigestError: no endpoint or model is set, the id is not one, the content has
            errors (with ``wanted``), or the clients cannot be set up; nothing was written.
    """
    where = endpoint(model=options.model, base_default=project.llm_base_url,
                     model_default=project.llm_model)
    ids = _ids(project, options, queue)
    if not ids:
        echo("nothing on the digest-wanted queue: `paperdigest authors refresh` fills it "
             "from the works of recorded authors", False)
        return False
    way = online()
    connection, arxiv = connect(way)
    html = ArxivHtmlClient(way)
    progress = ProgressLine(where.model, echo, tty)
    echo = progress.before(echo)
    chat = ChatClient(way, where, progress=progress)
    try:
        drafter = Drafter(project.papers_dir, project.rel, arxiv.fetch, html.read,
                          chat.complete, prompt, where.model, way.timing.today(),
                          notify=lambda message: echo(message, True))
        # One request for all the metadata, as arXiv prefers.
        records = arxiv.fetch_many(ids) if len(ids) > 1 else {}
        failed = False
        for arxiv_id in ids:
            try:
                drafted = drafter.draft(arxiv_id, update=options.update,
                                        force_abstract=options.force_abstract,
                                        record=records.get(arxiv_id.base))
                if not options.dry_run:
                    write(drafted, project.content_dir)
            except PaperdigestError as exc:
                echo(f"Error: {exc}", True)
                failed = True
                continue
            for to_err, line in report(drafted, where.model, options.dry_run):
                echo(line, to_err)
            failed = failed or drafted.failed
        return failed
    finally:
        for client in (connection, html, chat):
            client.close()


def _ids(project: Project, options: Options, queue: Queue) -> list[ArxivId]:
    if (options.paper is None) == (not options.wanted):
        raise PaperdigestError("give PAPER (an arXiv id) or --wanted, not both")
    if options.paper is not None:
        arxiv = parse_arxiv_id(options.paper)
        if arxiv is None:
            raise PaperdigestError(f"'{options.paper}' is not an arXiv id or URL: write it "
                                   "like 2503.04504 or https://arxiv.org/abs/2503.04504")
        return [arxiv]
    # Drafts count as digests: a paper drafted yesterday is off the queue.
    site, problems = check_content(project.content_dir, root=project.root, include_drafts=True)
    if site is None:
        first = next(p for p in problems if p.severity == "error")
        raise PaperdigestError(f"the content has problems ({first}): fix them (`paperdigest "
                               "check`) before drafting from the queue")
    found = [item.work.arxiv for item in queue(site) if item.work.arxiv is not None]
    return found[: options.limit]


def report(drafted: Drafted, model: str, dry_run: bool) -> list[tuple[bool, str]]:
    """``(to stderr, line)`` of one drafted paper: what was read, the tokens, the file or
    its diff, and the problems left as ``file:line``."""
    paper, rel = drafted.paper, drafted.rel
    out: list[tuple[bool, str]] = []
    if paper.full_text:
        cut = f"; left out to fit: {', '.join(paper.left_out)}" if paper.left_out else ""
        out.append((True, f"{rel}: read the full text ({len(paper.text):,} of "
                          f"{paper.full_chars:,} characters{cut})"))
    else:
        out.append((True, f"{rel}: read the abstract only ({paper.note})"))
    used, asked = drafted.usage, drafted.repairs + 1
    if used.prompt is None and used.answer is None:
        out.append((True, f"{rel}: tokens: not reported by the server"))
    else:
        out.append((True, f"{rel}: tokens: {used.prompt or 0:,} prompt + {used.answer or 0:,} "
                          f"answer ({asked} request{'s' if asked > 1 else ''})"))
    if drafted.old is not None:
        out.append((False, drafted.diff().rstrip("\n")))
    elif dry_run:
        out.append((False, drafted.text.rstrip("\n")))
    if not dry_run:
        source = "full text" if paper.full_text else "abstract"
        out.append((False, f"{'updated' if drafted.old is not None else 'wrote'} {rel} "
                           f"(a draft by {model} from the {source}): review it, then remove "
                           "'draft: true'"))
    out.extend((True, str(problem)) for problem in drafted.problems)
    return out


class ProgressLine:
    """The progress line of a streamed answer: redrawn in a terminal, a line every ten
    seconds in a log (a CI log keeps every line)."""

    def __init__(self, model: str, echo: Echo, tty: bool) -> None:
        self.model, self.echo, self.tty = model, echo, tty
        self.last = 0.0
        self.drawn = False  # a redrawn line is on the terminal, without its newline

    def before(self, echo: Echo) -> Echo:
        """``echo`` that first ends a redrawn progress line."""
        def say(text: str, to_err: bool) -> None:
            if self.drawn:
                self.echo("\r\033[K", True)
                self.drawn = False
            echo(text, to_err)

        return say

    def __call__(self, chars: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 10.0):
            return
        self.last = now
        line = f"{self.model}: {chars:,} characters received"
        self.echo(f"\r{line}\033[K" if self.tty else line, True)
        self.drawn = self.tty
