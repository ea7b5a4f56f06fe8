"""Errors a build meets that are not content problems: each gets its own message, naming the
file and the fix, under ``paperdigest build`` and under plain ``mkdocs build``; never a
traceback, never "make the folder writable" for what is not a write."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import mkdocs.utils
import pytest
from click.testing import CliRunner, Result
from conftest import digest
from mkdocs.__main__ import cli as mkdocs_cli
from paperdigest.cli import main
from paperdigest.site import cardbuild

Make = Callable[[Mapping[str, str | bytes]], Path]
COMMANDS = ["paperdigest", "mkdocs"]


class _Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.said: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append(record.getMessage())


def build(root: Path, command: str) -> tuple[int, str]:
    """Exit status and everything said: output, and what MkDocs logged (its handler writes
    to the stderr of the process, which the runner does not capture)."""
    config = str(root / "mkdocs.yml")
    logger = logging.getLogger("mkdocs")  # MkDocs' logs do not reach the root logger
    heard = _Heard()
    logger.addHandler(heard)
    # MkDocs drops a message it logged before in this process: each run starts afresh.
    for filt in logging.getLogger("mkdocs.commands.build").filters:
        getattr(filt, "msgs", set()).clear()
    try:
        result = _invoke(command, config)
    finally:
        logger.removeHandler(heard)
    said = result.output + "\n".join(heard.said)
    assert "Traceback" not in said
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, said


def _invoke(command: str, config: str) -> Result:
    if command == "paperdigest":
        result = CliRunner().invoke(main, ["--config-file", config, "build"])
    else:
        result = CliRunner().invoke(mkdocs_cli, ["build", "-q", "-f", config])
    return result


@pytest.fixture
def site(project: Make) -> Iterator[Path]:
    root = project({"content/papers/a.md": digest()})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      cards: false\n      search: none\n"),
        encoding="utf-8")
    yield root


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreadable_digest(site: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("a.md"):  # tests run as root, who may read anything
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    code, said = build(site, command)
    assert code == 1
    assert ("content/papers/a.md: cannot be read (Permission denied): make it a readable file "
            "(chmod a+r)") in said
    assert "writable" not in said


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("code", "fix"), [
    (errno.EROFS, "make the site folder writable, or build into another folder with -d DIR"),
    (errno.ENOSPC, "free some disk space, or build into another folder with -d DIR"),
])
def test_the_site_folder_cannot_be_written(site: Path, command: str, code: int, fix: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(content: bytes, output_path: str) -> None:
        raise OSError(code, os.strerror(code), output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", fail)
    status, said = build(site, command)
    assert status == 1
    assert f"{site / 'site'}" in said and f"{os.strerror(code)}: {fix}" in said


@pytest.mark.parametrize("command", COMMANDS)
def test_a_corrupt_card_font(site: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    config = site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("cards: false", "cards: true"),
                      encoding="utf-8")
    bad = site / "broken.otf"
    bad.write_bytes(b"OTTO" + b"\x00" * 100)
    monkeypatch.setattr(cardbuild, "_package_font", lambda module: str(bad))
    code, said = build(site, command)
    assert code == 1
    assert f"the share-card font {bad} cannot be read" in said
    assert "writable" not in said


@pytest.mark.parametrize("command", COMMANDS)
def test_a_page_template_out_of_the_theme(site: Path, command: str) -> None:
    (site / "content/pages/about.md").write_text(
        "---\ntemplate: ../../etc/passwd\n---\n\n# About\n", encoding="utf-8")
    code, said = build(site, command)
    assert code == 1
    # The check refuses it before the theme is asked for it.
    assert "template: '../../etc/passwd' is not a page template" in said
    assert "writable" not in said
