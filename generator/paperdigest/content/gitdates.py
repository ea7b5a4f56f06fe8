"""The date added of a digest: its ``added:``, else the day its file first entered git
history, else unknown (the paper's date stands in) with a warning that gives the line to add.

One ``git log`` for the whole content folder, parsed once (per file it would cost a process
per digest). The date is the committer's calendar date in the committer's time zone, so the
answer is the same on every machine and every build of the same history. A clone whose
history is cut short (``git clone --depth``) has commits without their parents: what they
seem to add may be far older, so those files get no date and the caller falls back.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..errors import Problem, Severity
from . import schema
from .textfile import relpath

GIT_TIMEOUT = 120.0
"""Seconds one git command may take before the build goes on without git dates."""

_LOG = ["log", "--relative", "--reverse", "-M", "--diff-filter=AR", "--name-status", "-z",
        "--format=%x00%x00%cs %P", "--", "."]


def _git(folder: Path, *args: str) -> str | None:
    """Output of ``git -C folder args``, or ``None`` when git is missing, fails or hangs."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="surrogateescape")


def first_added(folder: Path, root: Path) -> dict[str, dt.date | None]:
    """``{path relative to root, as problems name it: the day it first entered history}``.

    ``None`` as a date: the file is in history but its first commit is a cut-off end of a
    shallow clone, so the day is unknown. Files git does not know are absent; so is
    everything when ``folder`` is not in a git work tree or git is not installed.
    """
    shallow = _git(folder, "rev-parse", "--is-shallow-repository")
    if shallow is None:
        return {}
    out = _git(folder, "-c", "core.quotePath=false", *_LOG)
    if out is None:
        return {}
    found = parse_log(out, shallow=shallow.strip() == "true")
    return {relpath(folder / name, root): day for name, day in found.items()}


def added_date(path: str, declared: dt.date | None, git_added: Mapping[str, dt.date | None],
               problems: list[Problem], *, paper_day: dt.date | None, line: int | None
               ) -> dt.date | None:
    """The day the digest at ``path`` joined the site: ``declared`` (its ``added:``), else the
    day git first saw the file; else ``None`` and a warning with the line to add below
    ``line`` (``None``: the digest has no front matter)."""
    if declared is not None:
        return declared
    day = git_added.get(path)
    if day is not None:
        return day
    why = ("this clone's git history is cut short, so it does not say when the file was "
           "added (fetch it whole: git fetch --unshallow; in GitHub Actions, fetch-depth: 0)"
           if path in git_added else "git history does not say when the file was added")
    shown = paper_day.isoformat() if paper_day else "the month of its arXiv id"
    add = f"added: {schema.today().isoformat()}"
    where = "below this one" if line else f"in front matter at the top ('---', '{add}', '---')"
    problems.append(Problem(
        path, line or 1, "added",
        f"is missing and {why}, so the site dates and orders the digest by the paper's date "
        f"({shown}): add the line '{add}' {where} (or the day the digest was added, if not "
        "today)", Severity.WARNING))
    return None


def parse_log(out: str, *, shallow: bool) -> dict[str, dt.date | None]:
    """Read the output of ``_LOG`` (oldest commit first): NUL-separated tokens, where an
    empty token starts a commit (paths are never empty), then ``<date> <parents>``, then
    ``A``/``R<score>`` statuses each followed by its path (a rename: old and new path)."""
    first: dict[str, dt.date | None] = {}
    tokens = out.split("\0")
    day: dt.date | None = None
    header = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "":
            header = True
            continue
        if header:
            header = False
            when, _, parents = token.partition(" ")
            try:
                day = dt.date.fromisoformat(when.strip())
            except ValueError:
                day = None
            if shallow and not parents.strip():
                day = None  # a cut-off end: what it "adds" may be far older
            continue
        status = token.strip()
        if status.startswith(("R", "C")) and i + 1 < len(tokens):
            old, new = tokens[i], tokens[i + 1]
            i += 2
            # A moved digest keeps the day it was first added under its old name.
            first.setdefault(new, first.get(old, day))
        elif i < len(tokens):
            first.setdefault(tokens[i], day)
            i += 1
    return first
