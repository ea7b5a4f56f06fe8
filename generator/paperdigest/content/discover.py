"""Finding the content files: digests, author records and hand-written pages.

Only regular files are ever opened: a FIFO would hang the reader, a device or socket is no
content, and a folder named ``x.md`` is walked, not read. A folder that cannot be listed,
a file that is not of a kind the folder holds, two records for one id (``x.yaml`` beside
``x.yml``) and names that clash on other systems are problems with the path and the fix:
nothing is skipped without a word. Dotfiles (``.gitkeep``) are left alone.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, Problems, Severity
from .textfile import relpath

RECORD_SUFFIXES = (".yaml", ".yml")
DATA_SUFFIXES = (".works.json",)
"""Generated data files that live beside author records."""
_SAFE_NAME = re.compile(r"(?:[A-Za-z0-9_+][A-Za-z0-9._+-]*/)*[A-Za-z0-9_+][A-Za-z0-9._+-]*")
"""Path parts of letters, digits, ``. _ - +``, none starting with ``.`` or ``-``."""
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._+/-]")


@dataclass
class Found:
    papers: list[Path] = field(default_factory=list)
    authors: list[Path] = field(default_factory=list)
    works: list[Path] = field(default_factory=list)
    """``<id>.works.json`` files, each beside its record ``<id>.yaml``."""
    pages: list[Path] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)


def find_content(content_dir: Path, root: Path, pages_dir: Path | None = None) -> Found:
    """Every digest, record and page file, in a stable order, with the problems of finding them."""
    found = Found()
    for path in _walk(content_dir / "papers", root, found.problems):
        if path.name.endswith(".md"):
            found.papers.append(path)
        else:
            found.problems.add(relpath(path, root), None, None, "is not a digest (only .md "
                               "files are read here): rename it to .md, or move it out of "
                               "the papers folder", Severity.WARNING)
    authors_dir = content_dir / "authors"
    for path in _walk(authors_dir, root, found.problems, recursive=False):
        if path.name.endswith(RECORD_SUFFIXES):
            found.authors.append(path)
        elif path.name.endswith(DATA_SUFFIXES):
            found.works.append(path)
        else:
            found.problems.add(relpath(path, root), None, None, "is not an author record "
                               "(only .yaml records and their .works.json files are read "
                               "here): rename it to .yaml, or move it out of the authors "
                               "folder", Severity.WARNING)
    twins = _twins(found.authors, root)
    found.problems.extend(problem for problem, _ in twins)
    found.authors = [a for a in found.authors if a not in {path for _, path in twins}]
    found.problems.extend(_orphans(found.works, found.authors, root))
    if pages_dir is not None:
        found.pages = list(_walk(pages_dir, root, found.problems))
    found.problems.extend(name_problems([*found.papers, *found.authors, *found.works,
                                         *found.pages], root))
    return found


def _walk(top: Path, root: Path, problems: list[Problem], *, recursive: bool = True
          ) -> list[Path]:
    """Regular files (and symbolic links, which the reader refuses) under ``top``, sorted."""
    if not top.is_dir():
        return []
    files: list[Path] = []

    def unreadable(exc: OSError) -> None:
        where = relpath(Path(exc.filename or top), root)
        problems.append(Problem(where, None, None, f"cannot be listed ({exc.strerror}): "
                                "make the folder readable (chmod a+rx)"))

    for folder, dirs, names in os.walk(top, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
        for name in [d for d in dirs if Path(folder, d).is_symlink()]:
            # os.walk does not go through it: what lies there would be skipped unsaid, and
            # the writers refuse to write through it.
            dirs.remove(name)
            problems.append(Problem(relpath(Path(folder, name), root), None, None,
                                    "is a symbolic link to a folder: content must lie in "
                                    "real folders; replace the link with the folder itself"))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            kind = _kind(path)
            if kind is None:
                files.append(path)
            else:
                problems.append(Problem(relpath(path, root), None, None, f"is {kind}, not a "
                                        "file: content must be regular files; remove it"))
    return sorted(files)


def _kind(path: Path) -> str | None:
    """``None`` for a regular file or a symbolic link, else what the entry is."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None  # gone meanwhile, or unreadable: the reader says which
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _twins(records: list[Path], root: Path) -> list[tuple[Problem, Path]]:
    """``x.yml`` beside ``x.yaml``: one id, two records. The second is reported (and not
    read, so it raises no second round of problems)."""
    first: dict[str, Path] = {}
    twins = []
    for path in records:
        stem = path.name.rsplit(".", 1)[0]
        if stem in first:
            twins.append((Problem(relpath(path, root), None, None, "is a second record for "
                                  f"'{stem}' beside {relpath(first[stem], root)}: merge them "
                                  "into one file"), path))
        first.setdefault(stem, path)
    return twins


def works_id(path: Path) -> str:
    """The record id a works file belongs to: ``takuya-akiba.works.json`` -> ``takuya-akiba``."""
    return path.name[: -len(DATA_SUFFIXES[0])]


def _orphans(works: list[Path], records: list[Path], root: Path) -> list[Problem]:
    """A works file needs its record: the works alone name no one the site knows."""
    ids = {path.name.rsplit(".", 1)[0] for path in records}
    return [Problem(relpath(path, root), None, None, f"has no author record beside it: add "
                    f"{works_id(path)}.yaml, or delete the works file")
            for path in works if works_id(path) not in ids]


def name_problems(paths: Iterable[Path], root: Path) -> list[Problem]:
    """File names that are not printable ASCII, or that clash on macOS and Windows."""
    problems: list[Problem] = []
    folded: dict[str, str] = {}
    for path in paths:
        rel = relpath(path, root)
        if not rel.isascii() or not rel.isprintable():
            problems.append(Problem(rel, None, None, "file names must be printable ASCII: "
                                    "rename it after the arXiv id, e.g. 2503.04504.md"))
        elif not _SAFE_NAME.fullmatch(rel):
            # A name reaches the pages (edit links, page URLs): quotes, brackets, spaces or
            # '&' there could end an attribute or a Markdown link.
            bad = _UNSAFE_CHAR.search(rel)
            problems.append(Problem(rel, None, None, f"file names may hold only letters, digits, "
                                    f"'.', '_', '-' and '+', not {bad.group()!r}: rename it "
                                    "after the arXiv id, e.g. 2503.04504.md" if bad else
                                    "file names may not start with '-' or '.': rename it"))
        key = unicodedata.normalize("NFC", rel).casefold()
        if key in folded:
            problems.append(Problem(rel, None, None, f"differs from {folded[key]} only by case "
                                    "or Unicode form: the two clash on macOS and Windows; "
                                    "rename one"))
        folded.setdefault(key, rel)
    return problems
