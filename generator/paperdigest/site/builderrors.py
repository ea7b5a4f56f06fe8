"""What to tell the user when a build meets an error that is not a content problem.

MkDocs lets an ``OSError`` (a read-only or full disk, an unreadable file) or a missing page
template escape as a traceback; ``message`` turns each into ``path: what happened: what to
do``, the fix depending on what failed: writing the site, reading a file, or a template.
The plugin raises it from ``on_build_error``, so ``paperdigest build`` and plain ``mkdocs
build`` say the same; an error outside the build reaches the CLI's one handler.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import jinja2

_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def message(error: BaseException, site_dir: Path | None) -> str | None:
    """The message for ``error``, or ``None`` when it is not one this module knows."""
    if isinstance(error, jinja2.TemplateNotFound):
        return (f"the page template '{error.name}' does not exist: a page's 'template:' must "
                "name one of the theme's templates (main.html, or one in the theme's "
                "custom_dir); remove the line or fix the name")
    if not isinstance(error, OSError):
        return None
    what = error.strerror or str(error)
    name = error.filename or (str(site_dir) if site_dir is not None else "site")
    writing = site_dir is not None and _under(Path(str(name)), site_dir)
    if error.errno in _FULL:
        return f"{name}: {what}: free some disk space, or build into another folder with -d DIR"
    if writing:
        return (f"{name}: {what}: make the site folder writable, or build into another "
                "folder with -d DIR")
    if error.errno in _DENIED:
        return f"{name}: cannot be read ({what}): make it readable (chmod a+r)"
    return f"{name}: {what}: check the file and build again"


def _under(path: Path, folder: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)
