"""Exceptions raised by paperdigest.

Every error the package raises on purpose derives from ``PaperdigestError``::

    PaperdigestError
     ├── ContentError        one problem that stops reading a file (YAML syntax, alias, …)
     ├── ContentErrors       every problem found in one pass, raised together
     ├── RenderError         a template failed (names the template and its line)
     ├── FetchError          a remote API could not give what was asked (edge clients only)
     │    ├── ArxivError
     │    └── MetricsError
     └── WriteError          a write into content/ was refused or failed; nothing was changed

The CLI prints ``str(error)`` and exits 1; the MkDocs plugin wraps the error in a
``PluginError`` so the build aborts with the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class PaperdigestError(Exception):
    """Base class of every error paperdigest raises on purpose."""


class Severity(StrEnum):
    """How bad a problem is: an error stops a build, a check and a write; a warning is told."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, eq=True)
class Problem:
    """One validation finding, an error or a warning, located in a file."""

    path: str
    """Path of the file, relative to the project root, with ``/`` separators."""
    line: int | None
    """1-based line number, or ``None`` when the problem concerns the whole file."""
    field: str | None
    """The front-matter key or section involved (``authors[1]``, ``section 4``), if any."""
    message: str
    """Plain words: what is wrong and how to fix it."""
    severity: Severity = Severity.ERROR
    column: int | None = None
    """1-based column, when known."""

    def __str__(self) -> str:
        path = visible(self.path)
        where = path if self.line is None else f"{path}:{self.line}"
        what = self.message if self.field is None else f"{self.field}: {self.message}"
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{visible(what)}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.message)


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of ``problems`` is an error (warnings do not stop a build or a write)."""
    return any(p.is_error for p in problems)


class Problems(list[Problem]):
    """The collector every check reports into: problems in the order found, and what a
    caller asks of them (any errors, the errors, the warnings, file order)."""

    def add(self, path: str, line: int | None, field: str | None, message: str,
            severity: Severity = Severity.ERROR) -> None:
        self.append(Problem(path, line, field, message, severity))

    @property
    def has_errors(self) -> bool:
        return has_errors(self)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if not p.is_error]

    def in_order(self) -> Problems:
        """The problems in file order (path, line, column, message)."""
        return Problems(sorted(self, key=Problem.sort_key))


def visible(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN``: a file name or value holding a
    line break must not start a line of its own in a terminal or a CI log."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else
                   f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
                   for ch in text)


class ContentError(PaperdigestError):
    """A single problem in a content file (raised where one problem ends the reading of the
    file, such as a YAML syntax error; everything else is collected as ``Problem``)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ContentErrors(PaperdigestError):
    """All problems found while loading content, reported at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        count = sum(1 for p in self.problems if p.is_error)
        noun = "problem" if count == 1 else "problems"
        lines = [str(p) for p in self.problems]
        super().__init__(f"{count} {noun} in content:\n" + "\n".join(lines))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class RenderError(PaperdigestError):
    """A page template failed to render."""


class FetchError(PaperdigestError):
    """A remote API did not give what was asked (network down, bad answer, unknown id)."""


class ArxivError(FetchError):
    """The arXiv API could not provide a record."""


class MetricsError(FetchError):
    """OpenAlex or Semantic Scholar could not provide an author's metrics."""


class WriteError(PaperdigestError):
    """A write into ``content/`` was refused (the file exists) or failed; nothing changed."""


# --- GitHub Actions output of `paperdigest check --format github` ----------------------

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
    kind = str(problem.severity)
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::{kind} {','.join(props)}::{_github_escape(message)}"


def summary_table(problems: list[Problem]) -> str:
    """The problems as a Markdown table, for the GitHub job summary."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [f"| {cell(p.path)} | {p.line or ''} | {cell(p.field or '')} | {cell(p.message)} |"
            for p in problems]
    head = "## paperdigest check\n\n"
    if not problems:
        return head + "No problems found.\n"
    return head + "| file | line | field | problem |\n|---|---:|---|---|\n" + "\n".join(rows) + "\n"
