"""``paperdigest authors refresh`` and ``authors add``: author records kept up to date.

Only the ``metrics:`` block of a record is rewritten (``yamledit``); a failure for one author
keeps that author's file untouched and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..content.ids import AUTHOR_ID, ascii_slug
from ..content.yamlsafe import load as load_yaml
from ..errors import ContentError, MetricsError, WriteError
from ..sources.metrics import OPENALEX, S2, MetricsClient, normalize_id
from .scaffold import write_new
from .yamledit import replace_block, scalar, unified_diff, write_atomic

AUTHORS = Path("content") / "authors"
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


def records(root: Path, ids: Iterable[str] = ()) -> list[Path]:
    """The record files to refresh: all, or those named (an unknown id is an error)."""
    folder = root / AUTHORS
    found = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    wanted = list(ids)
    if not wanted:
        return found
    by_id = {p.stem: p for p in found}
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise WriteError(f"no author record {', '.join(missing)} in {AUTHORS}: the ids are the "
                         "file names without .yaml")
    return [by_id[i] for i in wanted]


def refresh_one(path: Path, clients: dict[str, MetricsClient], source: str | None,
                dry_run: bool) -> Outcome:
    """Refresh one record; never raises for a network or data problem."""
    text = path.read_text(encoding="utf-8")
    try:
        data, _ = load_yaml(text)
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
    except MetricsError as exc:
        return Outcome(path.stem, name, "failed", f"{exc}; kept the old values")
    except ValueError as exc:
        return Outcome(path.stem, name, "failed", f"{exc}; kept the old values")
    if new == text:
        return Outcome(path.stem, name, "unchanged")
    rel = f"{AUTHORS.as_posix()}/{path.name}"
    diff = unified_diff(rel, text, new)
    if not dry_run:
        write_atomic(path, new)
    note = f"h-index {metrics.h_index}, {metrics.citations:,} citations, {metrics.papers} papers"
    if metrics.source_id != normalize_id(chosen, str(data[ID_KEYS[chosen]])):
        note += f" (the id now answers as {metrics.source_id}: update it in the record)"
    return Outcome(path.stem, name, "updated", note, diff)


def refresh(paths: list[Path], clients: dict[str, MetricsClient], *, source: str | None = None,
            dry_run: bool = False, progress: Callable[[Outcome], None] | None = None
            ) -> list[Outcome]:
    """Refresh every record in ``paths``; the others go on when one fails."""
    outcomes = []
    for path in paths:
        outcome = refresh_one(path, clients, source, dry_run)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def add_record(root: Path, name: str, *, record_id: str | None = None,
               openalex: str | None = None, semantic_scholar: str | None = None) -> Path:
    """Write a new author record; never replaces one."""
    rid = record_id or ascii_slug(name)
    if not rid or not AUTHOR_ID.fullmatch(rid):
        raise WriteError(f"cannot make a file name from {name!r}: pass --id with a lower-case "
                         "ASCII id such as takuya-akiba")
    lines = [f"name: {scalar(name)}"]
    if openalex:
        lines.append(f"openalex: {scalar(openalex)}")
    if semantic_scholar:
        lines.append(f'semantic_scholar: "{semantic_scholar}"')
    lines.append("# native_name, affiliation, homepage, x, github, orcid, bio: see CONTRIBUTING.md")
    path = root / AUTHORS / f"{rid}.yaml"
    write_new(path, "\n".join(lines) + "\n")
    return path
