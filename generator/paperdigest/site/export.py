"""``paperdigest export DIR``: the generated pages and files, written for other engines.

Everything is first written into a temporary folder beside ``DIR`` (each file by
``fileio.write_file``) and moved into place only when all of it was written, so a full disk
or a read-only folder leaves no half export and no temporary files; a symbolic link inside
``DIR`` that leads out of it is refused before anything is moved. ``DIR`` may not lie inside
the content, pages or templates folder (the export would overwrite what it is made from), and
a folder that already holds files needs ``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import PaperdigestError
from ..fileio import FileRefused, check_inside, write_file
from ..project import Project


class ExportError(PaperdigestError):
    """The export was refused or could not be written; nothing was left half-written."""


def check_target(directory: Path, project: Project, *, force: bool) -> None:
    """Refuse a target that would overwrite sources, or a non-empty folder without ``force``.

    Raises:
        ExportError: with what to do instead.
    """
    target = directory.resolve()
    for name, source in (("content", project.content_dir), ("pages", project.docs_dir),
                         ("templates", project.templates_dir)):
        if target == source or target.is_relative_to(source):
            raise ExportError(f"{directory}: is inside the {name} folder "
                              f"({project.rel(source)}): export to a folder of its own, "
                              "e.g. export/")
    if target.exists() and not target.is_dir():
        raise ExportError(f"{directory}: is a file: name a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ExportError(f"{directory}: already holds files: pass --force to write over "
                          "them, or name an empty folder")


def write_export(directory: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``{relative path: content}`` under ``directory``, all or nothing.

    Raises:
        ExportError: an OS error (full disk, read-only folder); nothing was changed.
    """
    target = directory.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"{directory}: cannot be created ({exc.strerror}): choose a folder "
                          "you can write to") from None
    try:
        for rel, data in files.items():
            write_file(staging / rel, data, inside=staging)
        _move_into_place(staging, target)
    except FileRefused as exc:
        raise ExportError(f"{exc.filename}: {exc.reason}, or export to a folder of its "
                          "own; nothing was exported") from None
    except OSError as exc:
        raise ExportError(f"{exc.filename or directory}: {exc.strerror or exc}: free some space "
                          "or choose a folder you can write to; nothing was exported") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    moves = [(path, target / path.relative_to(staging))
             for path in sorted(staging.rglob("*")) if path.is_file()]
    for _, dest in moves:  # all looked at before the first move: all or nothing
        check_inside(dest, target)
    for path, dest in moves:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
