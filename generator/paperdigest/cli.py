"""The ``paperdigest`` command. Turns errors into messages and exit codes; nothing imports it.

Errors become messages in one place, ``_Commands.invoke``: every ``PaperdigestError`` a
command lets through is printed as its text (``path: what happened: what to do``) with exit
status 1, and so is an ``OSError`` no layer below worded. Commands only raise.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .cliutil import json_errors, os_message
from .content import blurb as blurbs
from .edit.importer import Tally, arxiv_lookup
from .edit.importer import plan as plan_import
from .errors import PaperdigestError, Problem, github_annotation, summary_table
from .fileio import FileRefused, read_regular
from .project import Project
from .site.export import check_target, write_export
from .site.outputs import file_bytes, project_content, project_site, site_outputs
from .site.settings import load_project, settings_problems

if TYPE_CHECKING:  # the network clients load only when a command goes online
    from .sources.arxiv import ArxivClient
    from .sources.http import Online


def _online(ctx: click.Context) -> Online:
    """This command's way online: ``ctx.obj["network"]`` (tests put a MockTransport and a
    fake clock there) or the real network; retries and waits are told on stderr."""
    from .sources.http import Network

    network: Network = ctx.find_root().obj.get("network") or Network()
    return network.open(notify=lambda message: click.echo(message, err=True))


def _arxiv_client(ctx: click.Context, api: str | None) -> ArxivClient:
    """The rate-limited arXiv client of this command (its connection closed with it)."""
    from .sources.arxiv import connect

    http, client = connect(_online(ctx), api)
    ctx.call_on_close(http.close)
    return client


def _project(ctx: click.Context) -> Project:
    """The project, read from mkdocs.yml once, when a command first needs it."""
    obj = ctx.find_root().obj
    if "project" not in obj:
        obj["project"] = load_project(obj["config_file"], obj["root"])
    project: Project = obj["project"]
    return project


class _Commands(click.Group):
    """The command group that turns errors into messages, for every command under it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PaperdigestError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # not worded below: say what the system said, and the fix
            raise click.ClickException(os_message(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@json_errors("fmt", "json")
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
    site, problems = project_content(project)
    problems = sorted([*problems, *settings_problems(project)], key=Problem.sort_key)
    shown = _selected(problems, root, paths)
    errors = [p for p in shown if p.is_error]
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
    check_target(directory, project, force=force)
    made = site_outputs(project_site(project), project, site_url=site_url)
    pages, files = made.pages, {uri: file_bytes(data) for uri, data in made.files.items()}
    write_export(directory, {**pages, **files})
    click.echo(f"wrote {len(pages)} pages and {len(files)} feeds, data files and share cards "
               f"to {directory}")


MAX_DUMP_BYTES = 64 * 2**20
"""The largest dump ``import`` reads (a dump of 16,000 digests is about 50 MB)."""

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
    # An OS error of the build proper is worded by the plugin (builderrors); one outside it
    # reaches _Commands, like every other command's.
    mkdocs_cli.main(args=[command, *where, *args], prog_name="paperdigest",
                    standalone_mode=False)


@main.command("blurb")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--thread", "thread_of", metavar="ID", default=None,
              help="Print the thread kit of paper ID (an arXiv id) instead of counting TEXT.")
@click.pass_context
@json_errors("as_json")
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
    site = project_site(project)
    paper = next((p for p in site.papers if p.arxiv.base == arxiv.base), None)
    if paper is None:
        raise click.ClickException(f"no digest of arXiv:{arxiv.base} in "
                                   f"{project.rel(project.papers_dir)}: write one with "
                                   f"`paperdigest new {arxiv.base}`")
    url = paths.absolute(paths.base_url(project.site_url, project.mount), paths.paper(paper))
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
    rel = start_digest(_arxiv_client(ctx, arxiv_api), arxiv, project.papers_dir,
                       project.rel, force=force)
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
            text = read_regular(dump, MAX_DUMP_BYTES, follow=True).decode("utf-8-sig")
        except UnicodeDecodeError:
            click.echo(f"{dump}: is not UTF-8 text: save it as UTF-8 and import again", err=True)
            tally.failed = True
            continue
        except FileRefused as exc:
            click.echo(f"{dump}: {exc.reason}: import a regular file of at most "
                       f"{MAX_DUMP_BYTES // 2**20} MB (split a larger dump)", err=True)
            tally.failed = True
            continue
        except OSError as exc:
            click.echo(f"{dump}: cannot be read ({exc.strerror or exc}): check the path and "
                       "its permissions", err=True)
            tally.failed = True
            continue
        planned = plan_import(text, project.papers_dir, project.root, update=update,
                              lookup=lookup)
        for to_err, line in tally.carry_out(str(dump), planned, project.root,
                                              inside=project.content_dir):
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
    paths = records(project.authors_dir, ids, shown=project.rel(project.authors_dir))
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
    path = add_record(project.authors_dir, name, record_id=record_id, openalex=openalex,
                      semantic_scholar=semantic_scholar,
                      shown=project.rel(project.authors_dir))
    click.echo(f"wrote {project.rel(path)}")


@main.command("draft")
@click.argument("paper", required=False)
@click.option("--model", default=None, help="Model (else $PAPERDIGEST_LLM_MODEL, llm_model).")
@click.option("--dry-run", is_flag=True, help="Print the draft (the diff with --update).")
@click.option("--force-abstract", is_flag=True, help="Give the model the abstract only.")
@click.option("--update", is_flag=True, help="Redraft an existing draft; show the diff.")
@click.option("--wanted", is_flag=True, help="Draft the newest works on the wanted queue.")
@click.option("--limit", type=click.IntRange(1, 100), default=3, help="With --wanted: how many (3)")
@click.pass_context
def draft(ctx: click.Context, /, **given: Any) -> None:
    """Draft the digest of PAPER (an arXiv id) with a model at $PAPERDIGEST_LLM_BASE_URL,
    check it and write it as a draft; exit 1 if problems are left."""
    from .edit.draftjob import Options, run
    from .site.profile import wanted
    from .site.prompt import render_prompt

    project = _project(ctx)
    failed = run(project, Options(**given), online=lambda: _online(ctx), queue=wanted,
                 tty=sys.stderr.isatty(),
                 prompt=functools.partial(render_prompt, project.templates_dir),
                 echo=lambda text, err: click.echo(text, err=err, nl=text[:1] != "\r"))
    ctx.exit(1 if failed else 0)
