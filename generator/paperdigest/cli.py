"""The ``paperdigest`` command. Turns errors into messages and exit codes; nothing imports it."""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .content import blurb as blurbs
from .content.loader import check_content, load_site
from .edit.importer import Tally, arxiv_lookup
from .edit.importer import plan as plan_import
from .errors import PaperdigestError, Problem, github_annotation, summary_table
from .project import Project
from .site.export import check_target, write_export
from .site.render import RenderOptions, render_files, render_site
from .site.settings import load_project, settings_problems

if TYPE_CHECKING:  # the network clients load only when a command goes online
    from .content.ids import ArxivId
    from .edit.draft import Drafted
    from .sources.arxiv import ArxivClient
    from .sources.http import Online


def _online(ctx: click.Context) -> Online:
    """This command's way online: ``ctx.obj["network"]`` (tests put a MockTransport and a
    fake clock there) or the real network; retries and waits are told on stderr."""
    from .sources.http import Network

    network: Network = ctx.find_root().obj.get("network") or Network()
    try:
        return network.open(notify=lambda message: click.echo(message, err=True))
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc


def _arxiv_client(ctx: click.Context, api: str | None) -> ArxivClient:
    """The rate-limited arXiv client of this command (its connection closed with it)."""
    from .sources.arxiv import connect

    try:
        http, client = connect(_online(ctx), api)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.call_on_close(http.close)
    return client


def _project(ctx: click.Context) -> Project:
    """The project, read from mkdocs.yml once, when a command first needs it."""
    obj = ctx.find_root().obj
    if "project" not in obj:
        try:
            obj["project"] = load_project(obj["config_file"], obj["root"])
        except PaperdigestError as exc:
            raise click.ClickException(str(exc)) from exc
    project: Project = obj["project"]
    return project


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperdigest")
@click.option("-f", "--config-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The site's mkdocs.yml (default: ./mkdocs.yml); its "
              "paperdigest block says where the content is.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder, when it has no mkdocs.yml (default: here).")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, root: Path | None) -> None:
    """Research-paper digests in, a MkDocs + Material site out."""
    ctx.ensure_object(dict)
    # The hook for tests: a sources.http.Network (client factory, clock); None is the real one.
    ctx.obj.setdefault("network", None)
    ctx.obj.setdefault("config_file", config_file)
    ctx.obj.setdefault("root", root if root is not None else
                       config_file.resolve().parent if config_file is not None else None)


def _selected(problems: list[Problem], root: Path, paths: tuple[Path, ...]) -> list[Problem]:
    if not paths:
        return problems
    wanted = [p.resolve() for p in paths]

    def keep(problem: Problem) -> bool:
        target = (root / problem.path).resolve()
        return any(target == w or w in target.parents for w in wanted)

    return [p for p in problems if keep(p)]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
              show_default=True, help="github: workflow annotations; json: for tools.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Validate digests and author records; exit 1 on any error.

    Everything under content/ is loaded (names and ids are checked across files); with
    PATHS, only problems in those files or folders are reported.
    """
    project = _project(ctx)
    root = project.root
    if not project.papers_dir.is_dir():
        raise click.ClickException(f"no {project.rel(project.papers_dir)} folder in {root}: run "
                                   "this in the project folder or pass --config-file")
    site, problems = check_content(project.content_dir, root=root,
                                   include_drafts=project.drafts, pages_dir=project.docs_dir)
    problems = sorted([*problems, *settings_problems(project)], key=Problem.sort_key)
    shown = _selected(problems, root, paths)
    errors = [p for p in shown if p.severity == "error"]
    if fmt == "json":
        out = {"ok": not errors, "errors": len(errors),
               "warnings": len(shown) - len(errors),
               "problems": [{"path": p.path, "line": p.line, "column": p.column,
                             "field": p.field, "severity": p.severity,
                             "message": p.message} for p in shown]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if fmt == "github":
            for p in shown:
                click.echo(github_annotation(p))
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                with open(summary, "a", encoding="utf-8") as fh:
                    fh.write(summary_table(shown))
        for p in shown:
            click.echo(str(p), err=fmt == "github")
        if errors:
            noun = "problem" if len(errors) == 1 else "problems"
            click.echo(f"{len(errors)} {noun} found.", err=True)
        elif site is not None:
            click.echo(f"OK: {len(site.papers)} papers, {len(site.authors)} authors, "
                       f"{len(site.tags)} tags.")
    ctx.exit(1 if errors else 0)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-url", default=None,
              help="Absolute base URL used in share links (default: site_url of mkdocs.yml).")
@click.option("--force", is_flag=True, help="Write into a folder that already holds files.")
@click.pass_context
def export(ctx: click.Context, directory: Path, site_url: str | None, force: bool) -> None:
    """Write the generated pages (plain Markdown), feeds and papers.json into DIRECTORY.

    All or nothing: DIRECTORY is never inside the content, pages or templates folder, and a
    folder that holds files needs --force.
    """
    project = _project(ctx)
    try:
        check_target(directory, project, force=force)
        site = load_site(project.content_dir, root=project.root, include_drafts=project.drafts)
        options = RenderOptions.of(project, site_url)
        pages = render_site(site, options, project.templates_dir)
        files = render_files(site, options)
        if project.cards:  # the pages name them as og:image
            from .site.cardbuild import draw_site_cards

            files.update(draw_site_cards(site, project)[0])
        write_export(directory, {**pages, **files})
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(pages)} pages and {len(files)} feeds, data files and share cards "
               f"to {directory}")


_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True,
                 "help_option_names": []}


@main.command("build", context_settings=_PASS_THROUGH)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def build_cmd(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Build the site: `mkdocs build` with its options (e.g. --strict, -d DIR), quietly,
    and a message instead of a traceback when the disk is full or a folder read-only."""
    _mkdocs(ctx, "build", args)


@main.command("serve", context_settings=_PASS_THROUGH)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def serve_cmd(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Preview the site with live reload: `mkdocs serve` with its options (e.g. -a ADDR)."""
    _mkdocs(ctx, "serve", args)


def _mkdocs(ctx: click.Context, command: str, args: tuple[str, ...]) -> None:
    """Run a MkDocs command in this process, with paperdigest's settings and messages."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # the theme's end-of-life banner
    from mkdocs.__main__ import cli as mkdocs_cli

    config = ctx.find_root().obj.get("config_file")
    root = ctx.find_root().obj.get("root")
    where = ["-f", str(config)] if config else (
        ["-f", str(Path(root) / "mkdocs.yml")] if root else [])
    try:
        mkdocs_cli.main(args=[command, *where, *args], prog_name="paperdigest",
                        standalone_mode=False)
    except OSError as exc:
        what = exc.strerror or str(exc)
        fix = ("free some space, or build into another folder with -d DIR"
               if exc.errno == errno.ENOSPC else
               "make the folder writable, or build into another folder with -d DIR")
        raise click.ClickException(f"{exc.filename or 'site'}: {what}: {fix}") from None


@main.command("blurb")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--thread", "thread_of", metavar="ID", default=None,
              help="Print the thread kit of paper ID (an arXiv id) instead of counting TEXT.")
@click.pass_context
def blurb_cmd(ctx: click.Context, text: str | None, as_json: bool, thread_of: str | None
              ) -> None:
    """Count TEXT (or - for standard input) as X counts it; exit 1 when over.

    With --thread ID, print the posts of the paper's thread for X, each with its count.
    """
    if thread_of is not None:
        if text is not None:
            raise click.UsageError("give TEXT or --thread ID, not both")
        _print_thread(ctx, thread_of, as_json)
        return
    if text is None:
        raise click.UsageError("give TEXT to count (- for standard input) or --thread ID")
    if text == "-":
        text = sys.stdin.read()
    text = text.strip("\n")
    counted = blurbs.count(text)
    problems = blurbs.share_text_problems(text)
    n = counted.weighted_length
    if as_json:
        click.echo(json.dumps({
            "weighted_length": n, "limit": blurbs.LIMIT, "share_limit": blurbs.SHARE_LIMIT,
            "left": blurbs.LIMIT - n, "share_left": blurbs.SHARE_LIMIT - n, "ok": not problems,
            "problems": problems,
        }, ensure_ascii=False))
    else:
        click.echo(f"{n} / {blurbs.LIMIT} as X counts it "
                   f"({blurbs.SHARE_LIMIT - n} left with the page link attached)")
        for message in problems:
            click.echo(f"blurb {message}", err=True)
    sys.exit(1 if problems else 0)


def _print_thread(ctx: click.Context, wanted: str, as_json: bool) -> None:
    """``blurb --thread ID``: the thread kit of one paper; exit 1 when a post is over."""
    from .content.ids import parse_arxiv_id
    from .site import paths
    from .site import thread as threads

    project = _project(ctx)
    arxiv = parse_arxiv_id(wanted)
    if arxiv is None:
        raise click.ClickException(f"'{wanted}' is not an arXiv id: write it like 2503.04504 "
                                   "or hep-th/9901001")
    try:
        site = load_site(project.content_dir, root=project.root, include_drafts=project.drafts)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    paper = next((p for p in site.papers if p.arxiv.base == arxiv.base), None)
    if paper is None:
        raise click.ClickException(f"no digest of arXiv:{arxiv.base} in "
                                   f"{project.rel(project.papers_dir)}: write one with "
                                   f"`paperdigest new {arxiv.base}`")
    url = paths.absolute(project.site_url, paths.paper(paper))
    kit = threads.thread(paper, url)
    problems = threads.problems(kit)
    if as_json:
        click.echo(json.dumps({
            "paper": paper.arxiv.base, "url": url, "intent": kit.intent,
            "posts": [{"text": p.text, "weighted_length": p.weighted_length,
                       "ok": p.weighted_length <= blurbs.LIMIT} for p in kit.posts],
            "ok": not problems, "problems": problems,
        }, ensure_ascii=False))
    else:
        for n, post in enumerate(kit.posts, 1):
            if n > 1:
                click.echo()
            click.echo(f"[{n}/{len(kit.posts)}] {post.weighted_length} / {blurbs.LIMIT}")
            click.echo(post.text)
        for message in problems:
            click.echo(f"thread: {message}", err=True)
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("paper")
@click.option("--force", is_flag=True, help="Replace the digest if it exists (atomically).")
@click.option("--arxiv-api", default=None, help="arXiv API URL (else $PAPERDIGEST_ARXIV_API).")
@click.pass_context
def new(ctx: click.Context, paper: str, force: bool, arxiv_api: str | None) -> None:
    """Start a digest for PAPER (an arXiv id or URL) with its metadata filled in."""
    from .content.ids import parse_arxiv_id
    from .edit.scaffold import start_digest

    project = _project(ctx)
    arxiv = parse_arxiv_id(paper)
    if arxiv is None:
        raise click.ClickException(f"'{paper}' is not an arXiv id or URL: write it like "
                                   "2503.04504, 2503.04504v2, hep-th/9901001 or "
                                   "https://arxiv.org/abs/2503.04504")
    try:
        rel = start_digest(_arxiv_client(ctx, arxiv_api), arxiv, project.papers_dir,
                           project.rel, force=force)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {rel}: write the eight sections, then run `paperdigest check`")


@main.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fetch", is_flag=True, help="Fill authors, date and category from arXiv.")
@click.option("--update", is_flag=True,
              help="Refresh the body of papers that exist, keeping their front matter.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--arxiv-api", default=None, help="arXiv API URL (else $PAPERDIGEST_ARXIV_API).")
@click.pass_context
def import_cmd(ctx: click.Context, files: tuple[Path, ...], fetch: bool, update: bool,
               dry_run: bool, arxiv_api: str | None) -> None:
    """Find the digests in dumps (assistant chatter and all) and write one file per paper.

    Every digest is accounted for: created, updated, already there, or refused with the
    reason and the dump line. A digest with problems is written anyway and its problems are
    printed (exit 1), so it can be fixed in place; `paperdigest check` shows them again.
    """
    project = _project(ctx)
    lookup = arxiv_lookup(_arxiv_client(ctx, arxiv_api)) if fetch else None
    tally = Tally(dry_run=dry_run)
    for dump in files:
        try:
            # utf-8-sig: a dump saved with a byte-order mark imports like one without.
            text = dump.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            click.echo(f"{dump}: is not UTF-8 text: save it as UTF-8 and import again", err=True)
            tally.failed = True
            continue
        except OSError as exc:
            click.echo(f"{dump}: cannot be read ({exc.strerror or exc}): check the path and "
                       "its permissions", err=True)
            tally.failed = True
            continue
        try:
            planned = plan_import(text, project.papers_dir, project.root, update=update,
                                  lookup=lookup)
        except PaperdigestError as exc:
            raise click.ClickException(str(exc)) from exc
        for to_err, line in tally.carry_out(str(dump), planned, project.root):
            click.echo(line, err=to_err)
        if not planned.items:
            click.echo(f"{dump}: no digest found: a digest starts with a '# Title' heading "
                       "followed by its arXiv link or by '## 1. …'", err=True)
            tally.failed = True
    click.echo(tally.summary())
    ctx.exit(1 if tally.failed else 0)


@main.group()
def authors() -> None:
    """Author records: refresh their metrics, add new ones."""


@authors.command("refresh")
@click.argument("ids", nargs=-1)
@click.option("--source", type=click.Choice(["openalex", "semantic-scholar"]), default=None,
              help="Where to read metrics (default: OpenAlex when the record has its id, "
                   "else Semantic Scholar).")
@click.option("--dry-run", is_flag=True, help="Print the diff of each record; write nothing.")
@click.pass_context
def authors_refresh(ctx: click.Context, ids: tuple[str, ...], source: str | None,
                    dry_run: bool) -> None:
    """Update the metrics block of author records (all, or IDS) and their works files
    (<id>.works.json); exit 1 if any failed."""
    from .edit.refresh import records, refresh, report
    from .sources.metrics import connect
    from .sources.works import WorksClient

    project = _project(ctx)
    try:
        paths = records(project.authors_dir, ids, shown=project.rel(project.authors_dir))
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    http, clients = connect(_online(ctx))
    with http, click.progressbar(length=len(paths), label="refreshing", file=sys.stderr,
                                 show_pos=True) as bar:
        outcomes = refresh(paths, clients, source=source, dry_run=dry_run,
                           progress=lambda _: bar.update(1), shown=project.rel,
                           works={s: WorksClient(c) for s, c in clients.items()})
    for to_err, line in report(outcomes, dry_run):
        click.echo(line, err=to_err)
    ctx.exit(1 if any(o.status == "failed" for o in outcomes) else 0)


@authors.command("add")
@click.argument("name")
@click.option("--id", "record_id", default=None, help="File name (default: from the name).")
@click.option("--openalex", default=None, help="OpenAlex author id (A…).")
@click.option("--semantic-scholar", default=None, help="Semantic Scholar author id.")
@click.pass_context
def authors_add(ctx: click.Context, name: str, record_id: str | None, openalex: str | None,
                semantic_scholar: str | None) -> None:
    """Start an author record for NAME."""
    from .edit.refresh import add_record

    project = _project(ctx)
    try:
        path = add_record(project.authors_dir, name, record_id=record_id, openalex=openalex,
                          semantic_scholar=semantic_scholar,
                          shown=project.rel(project.authors_dir))
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {project.rel(path)}")


@main.command("draft")
@click.argument("paper", required=False)
@click.option("--model", default=None,
              help="Model name (else $PAPERDIGEST_LLM_MODEL, else llm_model of mkdocs.yml).")
@click.option("--dry-run", is_flag=True, help="Print the digest (the diff with --update); "
              "write nothing.")
@click.option("--force-abstract", is_flag=True,
              help="Give the model the abstract, not the full text.")
@click.option("--update", is_flag=True, help="Redraft an existing draft; the diff is shown.")
@click.option("--wanted", is_flag=True,
              help="Draft the newest works on the digest-wanted queue instead of PAPER.")
@click.option("--limit", type=click.IntRange(1, 100), default=3, show_default=True,
              help="With --wanted: how many papers.")
@click.option("--arxiv-api", default=None, help="arXiv API URL (else $PAPERDIGEST_ARXIV_API).")
@click.pass_context
def draft_cmd(ctx: click.Context, paper: str | None, model: str | None, dry_run: bool,
              force_abstract: bool, update: bool, wanted: bool, limit: int,
              arxiv_api: str | None) -> None:
    """Draft the digest of PAPER (an arXiv id or URL) with a model, check it, and write it
    as a draft (draft: true) for a person to review; exit 1 if problems are left.

    The model is any OpenAI-compatible Chat Completions endpoint: $PAPERDIGEST_LLM_BASE_URL
    (e.g. http://localhost:11434/v1), $PAPERDIGEST_LLM_API_KEY, $PAPERDIGEST_LLM_MODEL.
    """
    from .content.ids import parse_arxiv_id
    from .edit.draft import Drafter, write
    from .site.prompt import render_prompt
    from .sources.arxiv import connect
    from .sources.arxivhtml import ArxivHtmlClient
    from .sources.llm import ChatClient, endpoint

    if (paper is None) == (not wanted):
        raise click.UsageError("give PAPER (an arXiv id) or --wanted, not both")
    project = _project(ctx)
    try:
        where = endpoint(model=model, base_default=project.llm_base_url,
                         model_default=project.llm_model)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    if paper is not None:
        arxiv = parse_arxiv_id(paper)
        if arxiv is None:
            raise click.ClickException(f"'{paper}' is not an arXiv id or URL: write it like "
                                       "2503.04504 or https://arxiv.org/abs/2503.04504")
        ids = [arxiv]
    else:
        ids = _wanted_ids(project, limit)
        if not ids:
            click.echo("nothing on the digest-wanted queue: `paperdigest authors refresh` "
                       "fills it from the works of recorded authors")
            return
    online = _online(ctx)
    try:
        connection, arxiv_client = connect(online, arxiv_api)
        html = ArxivHtmlClient(online)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    chat = ChatClient(online, where, progress=_Progress(where.model))
    for closing in (connection.close, html.close, chat.close):
        ctx.call_on_close(closing)
    drafter = Drafter(project.papers_dir, project.rel, arxiv_client.fetch, html.read,
                      chat.complete, functools.partial(render_prompt, project.templates_dir),
                      where.model, online.timing.today(),
                      notify=lambda message: click.echo(message, err=True))
    records = {}
    if len(ids) > 1:  # one request for all the metadata, as arXiv prefers
        try:
            records = arxiv_client.fetch_many(ids)
        except PaperdigestError as exc:
            raise click.ClickException(str(exc)) from exc
    failed = False
    for arxiv in ids:
        try:
            drafted = drafter.draft(arxiv, update=update, force_abstract=force_abstract,
                                    record=records.get(arxiv.base))
            if not dry_run:
                write(drafted)
        except PaperdigestError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed = True
            continue
        failed = _report_draft(drafted, where.model, dry_run) or failed
    ctx.exit(1 if failed else 0)


def _wanted_ids(project: Project, limit: int) -> list[ArxivId]:
    """The ``limit`` newest works on the digest-wanted queue (drafts count as digests)."""
    from .site.profile import wanted

    site, problems = check_content(project.content_dir, root=project.root,
                                   include_drafts=True)
    if site is None:
        first = next(p for p in problems if p.severity == "error")
        raise click.ClickException(f"the content has problems ({first}): fix them "
                                   "(`paperdigest check`) before drafting from the queue")
    return [w.work.arxiv for w in wanted(site) if w.work.arxiv is not None][:limit]


def _report_draft(drafted: Drafted, model: str, dry_run: bool) -> bool:
    """Print what was drafted; True when problems are left."""
    paper = drafted.paper
    if paper.full_text:
        cut = (f"; left out to fit: {', '.join(paper.left_out)}" if paper.left_out else "")
        click.echo(f"{drafted.rel}: read the full text ({len(paper.text):,} of "
                   f"{paper.full_chars:,} characters{cut})", err=True)
    else:
        click.echo(f"{drafted.rel}: read the abstract only ({paper.note})", err=True)
    used = drafted.usage
    if used.prompt is None and used.answer is None:
        click.echo(f"{drafted.rel}: tokens: not reported by the server", err=True)
    else:
        click.echo(f"{drafted.rel}: tokens: {used.prompt or 0:,} prompt + {used.answer or 0:,} "
                   f"answer ({drafted.rounds + 1} request{'s' if drafted.rounds else ''})",
                   err=True)
    if dry_run:
        click.echo(drafted.diff() if drafted.old is not None else drafted.text, nl=False)
    else:
        if drafted.old is not None:
            click.echo(drafted.diff(), nl=False)
        source = "full text" if paper.full_text else "abstract"
        click.echo(f"{'updated' if drafted.old is not None else 'wrote'} {drafted.rel} "
                   f"(a draft by {model} from the {source}): review it, then remove "
                   "'draft: true'")
    for problem in drafted.problems:
        click.echo(str(problem), err=True)
    return drafted.failed


class _Progress:
    """The progress line of a streamed answer on stderr: redrawn in a terminal, a line
    every ten seconds in a log."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self.last = 0.0

    def __call__(self, chars: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 10.0):
            return
        self.last = now
        line = f"{self.model}: {chars:,} characters received"
        click.echo(f"\r{line}" if self.tty else line, nl=not self.tty, err=True)
