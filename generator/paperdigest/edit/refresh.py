"""``paperdigest authors refresh`` and ``authors add``: author records kept up to date.

Only the ``metrics:`` block of a record is rewritten (``yamledit``), and the author's works
go to ``<id>.works.json`` beside it; a failure for one author keeps that author's files
untouched (both are fetched before either is written) and the others go on. Every text is
checked with the build's own check (``check_record``, ``parse_works``) before it is
written, so a refresh never writes a file that ``paperdigest check`` rejects.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..content import authorids
from ..content.ids import AUTHOR_ID, ascii_slug
from ..content.records import check_record
from ..content.works import SUFFIX, dump_works, parse_works
from ..content.yamlsafe import MAX_BYTES
from ..content.yamlsafe import load as load_yaml
from ..errors import ContentError, FetchError, PaperdigestError, WriteError
from ..fileio import FileRefused, TooLarge, read_regular
from ..sources.metrics import OPENALEX, S2, MetricsClient, normalize_id
from ..sources.works import WorksClient
from .files import refusal, write_atomic, write_new
from .yamledit import replace_block, scalar, unified_diff

ID_KEYS = {OPENALEX: "openalex", S2: "semantic_scholar"}


@dataclass(frozen=True)
class Outcome:
    """What happened to one record."""

    id: str
    name: str
    status: str
    """``updated``, ``unchanged``, ``skipped`` or ``failed``."""
    message: str = ""
    diff: str = ""


def records(folder: Path, ids: Iterable[str] = (), *, shown: str = "content/authors"
            ) -> list[Path]:
    """The record files in ``folder`` to refresh: all, or those named (an unknown id is an
    error). ``shown`` is the folder as messages show it."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
    except FileNotFoundError:
        raise WriteError(f"{shown}: no such folder: add a record with `paperdigest authors "
                         "add`, or check content_dir in mkdocs.yml") from None
    except OSError as exc:
        raise WriteError(f"{shown}: cannot be read ({exc.strerror or exc}): make the folder "
                         "readable") from None
    found = ([folder / n for n in names if n.endswith(".yaml")]
             + [folder / n for n in names if n.endswith(".yml")])
    wanted = list(ids)
    if not wanted:
        return found
    by_id = {p.stem: p for p in found}
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise WriteError(f"no author record {', '.join(missing)} in {shown}: the ids are the "
                         "file names without .yaml")
    return [by_id[i] for i in wanted]


def read_record(path: Path) -> str:
    """A record's text exactly as stored (line endings kept); ``WriteError`` if unreadable."""
    try:
        data = read_regular(path, MAX_BYTES)  # never a FIFO, a device or a link
    except TooLarge:
        raise WriteError(f"is larger than {MAX_BYTES // 1024} KB: an author record is a few "
                         "lines") from None
    except FileRefused as exc:
        raise WriteError(f"{exc.reason}: an author record must be a regular file") from None
    except OSError as exc:
        raise WriteError(f"cannot be read ({exc.strerror or exc}): make it a readable "
                         "file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WriteError("is not valid UTF-8: save the file as UTF-8") from None


def refresh_one(path: Path, clients: Mapping[str, MetricsClient], source: str | None,
                dry_run: bool, *, rel: str | None = None,
                works: Mapping[str, WorksClient] | None = None) -> Outcome:
    """Refresh one record (and its works, with ``works``); never raises for a network, data
    or disk problem.

    ``rel`` is the file as messages show it (default: ``content/authors/<name>``).
    """
    rel = rel or f"content/authors/{path.name}"
    try:
        text = read_record(path)
        data, _ = load_yaml(text)
    except WriteError as exc:
        return Outcome(path.stem, path.stem, "failed", f"{rel}: {exc}")
    except ContentError as exc:
        return Outcome(path.stem, path.stem, "failed",
                       f"the record does not parse: {exc.problem.message}")
    data = data if isinstance(data, dict) else {}
    name = str(data.get("name", path.stem))
    order = [source] if source else [OPENALEX, S2]
    chosen = next((s for s in order if data.get(ID_KEYS[s])), None)
    if chosen is None:
        keys = " or ".join(ID_KEYS[s] for s in order)
        return Outcome(path.stem, name, "skipped", f"no {keys} id in the record")
    try:
        metrics = clients[chosen].fetch(str(data[ID_KEYS[chosen]]))
        new = replace_block(text, "metrics", metrics.as_block())
    except (FetchError, ValueError) as exc:
        return Outcome(path.stem, name, "failed", f"{exc}; kept the old values")
    refused = refusal(rel, check_record(new, rel)[1]) if new != text else None
    if refused is not None:
        return Outcome(path.stem, name, "failed", f"{refused}: fix the record; kept the old "
                       "values")
    listed: tuple[Path, str, str, str, int] | None = None
    if works is not None:
        try:
            listed = _works(path, rel, works[chosen], metrics.source_id, metrics.as_of,
                            metrics.papers)
        except PaperdigestError as exc:
            return Outcome(path.stem, name, "failed", f"{exc}; kept the old values")
    changes = [(path, rel, text, new)] + ([listed[:4]] if listed else [])
    changes = [c for c in changes if c[2] != c[3]]
    if not changes:
        return Outcome(path.stem, name, "unchanged")
    diff = "".join(unified_diff(shown, old, fresh) for _, shown, old, fresh in changes)
    for target, shown, _, fresh in [] if dry_run else changes:
        try:
            # Records live in <content>/authors/: the write stays in the content folder.
            write_atomic(target, fresh, inside=target.parent.parent, shown=shown)
        except WriteError as exc:
            return Outcome(path.stem, name, "failed", f"{exc}; kept the old values")
    note = f"h-index {metrics.h_index}, {metrics.citations:,} citations, {metrics.papers} papers"
    if listed is not None:
        note += f", {listed[4]} works listed"
    if metrics.source_id != authorids.normalize(chosen, str(data[ID_KEYS[chosen]])):
        note += f" (the id now answers as {metrics.source_id}: update it in the record)"
    return Outcome(path.stem, name, "updated", note, diff)


def _works(path: Path, rel: str, client: WorksClient, author_id: str, as_of: dt.date,
           papers: int) -> tuple[Path, str, str, str, int]:
    """(file, as shown, old text, new text, works) of an author's works file; the new text
    is what ``parse_works`` accepts, or ``WriteError`` says why not. ``papers`` is the
    source's count of the author's works, kept when the works listing gives none."""
    target = path.with_name(path.stem + SUFFIX)
    shown = f"{rel.rsplit('/', 1)[0]}/{target.name}" if "/" in rel else target.name
    listed = client.fetch(author_id, as_of)
    if listed.total is None:
        listed = replace(listed, total=papers)
    try:
        text = dump_works(listed)
    except ValueError as exc:
        raise WriteError(f"{shown}: {exc}") from None
    refused = refusal(shown, parse_works(text, shown)[1])
    if refused is not None:
        raise WriteError(refused)
    old = read_record(target) if target.exists() else ""
    return target, shown, old, text, len(listed.works)


def refresh(paths: list[Path], clients: Mapping[str, MetricsClient], *,
            source: str | None = None, dry_run: bool = False,
            progress: Callable[[Outcome], None] | None = None,
            shown: Callable[[Path], str] | None = None,
            works: Mapping[str, WorksClient] | None = None) -> list[Outcome]:
    """Refresh every record in ``paths``; the others go on when one fails."""
    outcomes = []
    for path in paths:
        rel = shown(path) if shown is not None else None
        outcome = refresh_one(path, clients, source, dry_run, rel=rel, works=works)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def report(outcomes: list[Outcome], dry_run: bool) -> list[tuple[bool, str]]:
    """What ``authors refresh`` prints: ``(to stderr, text)``, the summary line last."""
    lines: list[tuple[bool, str]] = []
    for o in outcomes:
        if o.diff and dry_run:
            lines.append((False, o.diff.removesuffix("\n")))
        lines.append((o.status == "failed", f"{o.status}: {o.id} ({o.name})"
                      + (f": {o.message}" if o.message else "")))
    counts = {s: sum(o.status == s for o in outcomes)
              for s in ("updated", "unchanged", "skipped", "failed")}
    lines.append((False, ", ".join(f"{n} {s}" for s, n in counts.items())
                  + (" (dry run: nothing written)" if dry_run else "")))
    return lines


def record_text(name: str, *, openalex: str | None = None,
                semantic_scholar: str | None = None) -> str:
    """The text of a new record; ids are read as the schema reads them (``MetricsError``
    for one that is not an id)."""
    lines = [f"name: {scalar(name)}"]
    if openalex:
        lines.append(f"openalex: {scalar(normalize_id(OPENALEX, openalex))}")
    if semantic_scholar:
        # Quoted: an unquoted number would be read as a number, not as an id.
        lines.append(f'semantic_scholar: "{normalize_id(S2, semantic_scholar)}"')
    lines.append("# native_name, affiliation, homepage, x, github, orcid, bio: see CONTRIBUTING.md")
    return "\n".join(lines) + "\n"


def add_record(folder: Path, name: str, *, record_id: str | None = None,
               openalex: str | None = None, semantic_scholar: str | None = None,
               shown: str = "content/authors") -> Path:
    """Write a new author record into ``folder``; never replaces one, never writes one the
    build would reject. ``shown`` is the folder as messages show it."""
    rid = record_id or ascii_slug(name)
    if not rid or not AUTHOR_ID.fullmatch(rid):
        raise WriteError(f"cannot make a file name from {name!r}: pass --id with a lower-case "
                         "ASCII id such as takuya-akiba")
    text = record_text(name, openalex=openalex, semantic_scholar=semantic_scholar)
    rel = f"{shown}/{rid}.yaml"
    refused = refusal(rel, check_record(text, rel)[1])
    if refused is not None:
        raise WriteError(f"{refused}: nothing written")
    path = folder / f"{rid}.yaml"
    write_new(path, text, inside=folder.parent, shown=rel,
              exists="edit it, or pick another --id")
    return path
