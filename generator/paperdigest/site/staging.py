"""A build goes into a folder beside ``site_dir`` and takes its place only once it passed.

MkDocs writes pages into ``site_dir`` as it renders them, and the post-build gate reads
them afterwards: a build refused by the gate, by ``--strict`` or by any error would leave
its pages in ``site/``, where a deploy step or a local server would serve them. So the
plugin points ``site_dir`` at a fresh hidden sibling (``.site.building-…``) when the build
starts and, when the build and the gate passed, swaps it in for the previous site; on any
failure the sibling is removed and the previous ``site/`` stays as it was, byte for byte.
The sibling sits on the same file system, so the swap is two renames.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.utils import CountHandler

from ..errors import PaperdigestError


class Staged:
    """The build's own folder for one build, and the site folder it is meant for."""

    def __init__(self, site_dir: Path, strict: bool) -> None:
        self.target = site_dir.resolve()  # a symlinked site/: replace what it points to
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-",
                                                dir=parent))
        except OSError as exc:
            raise PaperdigestError(
                f"paperdigest: cannot create the build folder beside {self.target} "
                f"({exc.strerror}): make {parent} writable, or build elsewhere with -d DIR"
            ) from None
        # --strict refuses a build for its warnings only after the last plugin ran: count
        # them here too, so a build that is going to be refused is never swapped in.
        self.warnings: CountHandler | None = None
        if strict:
            self.warnings = CountHandler()
            self.warnings.setLevel(logging.WARNING)
            logging.getLogger("mkdocs").addHandler(self.warnings)

    def refused_by_strict(self) -> bool:
        """Whether ``--strict`` will refuse this build for a warning logged so far: by this
        build's own count, or by MkDocs's (it also saw the warnings logged before ours began,
        by other plugins' ``on_config`` say)."""
        if self.warnings is None:
            return False
        counters = [h for h in logging.getLogger("mkdocs").handlers
                    if isinstance(h, CountHandler)]
        return any(h.get_counts() for h in [self.warnings, *counters])

    def publish(self) -> Path:
        """Put the build in place of the previous site; returns the site folder."""
        self._stop_counting()
        old: Path | None = None
        try:
            if self.target.exists() or self.target.is_symlink():
                old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-",
                                            dir=self.target.parent))
                try:
                    os.rename(self.target, old / "site")
                except OSError:
                    # site/ cannot be renamed (a mount point, say): replace what it holds
                    try:
                        self._replace_contents()
                    except OSError as exc:
                        raise PaperdigestError(
                            f"paperdigest: cannot replace the files of {self.target} "
                            f"({exc.strerror}): make them writable and build again"
                        ) from None
                    return self.target
            os.rename(self.folder, self.target)
        except OSError as exc:
            if old is not None and (old / "site").exists() and not self.target.exists():
                os.rename(old / "site", self.target)  # put the previous site back
            self.discard()
            raise PaperdigestError(
                f"paperdigest: cannot move the new site into {self.target} ({exc.strerror}); "
                "the previous site was left as it was: make the folder writable"
            ) from None
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        return self.target

    def _replace_contents(self) -> None:
        """The slow way, for a site folder that cannot be renamed: empty it, move the new
        site's entries in. Raises ``OSError``; the build folder is removed either way."""
        try:
            for entry in sorted(self.target.iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            for entry in sorted(self.folder.iterdir()):
                shutil.move(str(entry), str(self.target / entry.name))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Remove the build's folder (the build failed); the previous site is untouched."""
        self._stop_counting()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stop_counting(self) -> None:
        if self.warnings is not None:
            logging.getLogger("mkdocs").removeHandler(self.warnings)
