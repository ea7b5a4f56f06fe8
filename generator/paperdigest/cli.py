"""The ``paperdigest`` command. Turns errors into messages and exit codes; nothing imports it."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .content import blurb as blurbs
from .content.ids import ArxivId
from .content.loader import check_content, load_site
from .edit.importer import FactsLookup, Tally
from .edit.importer import plan as plan_import
from .edit.scaffold import write_new
from .errors import PaperdigestError, Problem
from .project import Project
from .site.export import check_target, write_export
from .site.render import RenderOptions, render_files, render_site
from .site.settings import load_project, settings_problems


def _arxiv_lookup(ctx: click.Context, api: str | None) -> FactsLookup:
    """PaperFacts for arXiv ids, through the rate-limited client (closed with the command)."""
    from .edit.scaffold import PaperFacts
    from .sources.arxiv import ArxivClient, api_url_from_env, make_client

    try:
        url = api_url_from_env(api)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    http = make_client()
    ctx.call_on_close(http.close)
    client = ArxivClient(http, api_url=url)

    def lookup(ids: list[ArxivId]) -> dict[str, PaperFacts]:
        records = client.fetch_many(ids)
        return {base: PaperFacts(arxiv=r.id, title=r.title, authors=r.authors, date=r.published,
                                 category=r.primary_category) for base, r in records.items()}

    return lookup


def _root(ctx: click.Context) -> Path:
    return _project(ctx).root


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


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that marks the problem on its line."""
    props = [f"file={_github_escape(problem.path, prop=True)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
    if problem.column is not None:
        props.append(f"col={problem.column}")
    title = f"paperdigest: {problem.field}" if problem.field else "paperdigest"
    props.append(f"title={_github_escape(title, prop=True)}")
    kind = "warning" if problem.severity == "warning" else "error"
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::{kind} {','.join(props)}::{_github_escape(message)}"


def _summary_table(problems: list[Problem]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [f"| {cell(p.path)} | {p.line or ''} | {cell(p.field or '')} | {cell(p.message)} |"
            for p in problems]
    head = "## paperdigest check\n\n"
    if not problems:
        return head + "No problems found.\n"
    return head + "| file | line | field | problem |\n|---|---:|---|---|\n" + "\n".join(rows) + "\n"


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
                    fh.write(_summary_table(shown))
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
        write_export(directory, {**pages, **files})
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(pages)} pages and {len(files)} feeds and data files to {directory}")


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
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def blurb_cmd(text: str, as_json: bool) -> None:
    """Count TEXT (or - for standard input) as X counts it; exit 1 when over."""
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


@main.command()
@click.argument("paper")
@click.option("--force", is_flag=True, help="Replace the digest if it exists (atomically).")
@click.option("--arxiv-api", default=None, help="arXiv API URL (else $PAPERDIGEST_ARXIV_API).")
@click.pass_context
def new(ctx: click.Context, paper: str, force: bool, arxiv_api: str | None) -> None:
    """Start a digest for PAPER (an arXiv id or URL) with its metadata filled in."""
    from .content.ids import parse_arxiv_id
    from .edit.scaffold import PaperFacts, digest_path, scaffold
    from .sources.arxiv import ArxivClient, api_url_from_env, make_client

    project = _project(ctx)
    root = project.root
    arxiv = parse_arxiv_id(paper)
    if arxiv is None:
        raise click.ClickException(f"'{paper}' is not an arXiv id or URL: write it like "
                                   "2503.04504, 2503.04504v2, hep-th/9901001 or "
                                   "https://arxiv.org/abs/2503.04504")
    target = digest_path(project.papers_dir, arxiv)
    if target.exists() and not force:
        raise click.ClickException(f"{target.relative_to(root)} already exists: edit it, or pass "
                                   "--force to replace it")
    try:
        with make_client() as http:
            record = ArxivClient(http, api_url=api_url_from_env(arxiv_api)).fetch(arxiv)
        facts = PaperFacts(arxiv=record.id, title=record.title, authors=record.authors,
                           date=record.published, category=record.primary_category,
                           abstract=record.abstract, comment=record.comment, doi=record.doi)
        write_new(target, scaffold(facts), force=force)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {target.relative_to(root)}: write the eight sections, then run "
               "`paperdigest check`")


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
    lookup = _arxiv_lookup(ctx, arxiv_api) if fetch else None
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
    """Update the metrics block of author records (all, or IDS); exit 1 if any failed."""
    from .edit.refresh import records, refresh
    from .sources.metrics import OPENALEX, S2, MetricsClient, make_client

    root = _root(ctx)
    try:
        paths = records(root, ids)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    with make_client() as http:
        clients = {s: MetricsClient(http, s) for s in (OPENALEX, S2)}
        with click.progressbar(length=len(paths), label="refreshing", file=sys.stderr,
                               show_pos=True) as bar:
            outcomes = refresh(paths, clients, source=source, dry_run=dry_run,
                               progress=lambda _: bar.update(1))
    for o in outcomes:
        if o.diff and dry_run:
            click.echo(o.diff, nl=False)
        line = f"{o.status}: {o.id} ({o.name})" + (f": {o.message}" if o.message else "")
        click.echo(line, err=o.status == "failed")
    counts = {s: sum(o.status == s for o in outcomes)
              for s in ("updated", "unchanged", "skipped", "failed")}
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items())
               + (" (dry run: nothing written)" if dry_run else ""))
    ctx.exit(1 if counts["failed"] else 0)


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

    root = _root(ctx)
    try:
        path = add_record(root, name, record_id=record_id, openalex=openalex,
                          semantic_scholar=semantic_scholar)
    except PaperdigestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path.relative_to(root)}")
