"""Writing into content/: never clobbering, atomic replacing, every OS error a message."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from paperdigest.edit.files import refusal, write_atomic, write_new
from paperdigest.errors import Problem, Severity, WriteError


def test_write_new_creates_and_never_clobbers(tmp_path: Path) -> None:
    path = tmp_path / "authors" / "ann.yaml"
    write_new(path, "name: Ann\r\n", inside=tmp_path, shown="content/authors/ann.yaml")
    assert path.read_bytes() == b"name: Ann\r\n"  # written as given
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(WriteError) as info:
        write_new(path, "name: Bob\n", inside=tmp_path, shown="content/authors/ann.yaml",
                  exists="pick another id")
    assert str(info.value) == "content/authors/ann.yaml: already exists: pick another id"
    assert path.read_text(encoding="utf-8") == "name: Ann\n"
    assert os.listdir(path.parent) == ["ann.yaml"]


def test_write_new_loses_a_race_without_clobbering(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    real_link = os.link

    def someone_was_faster(src: str, dst: str) -> None:
        Path(dst).write_text("theirs\n", encoding="utf-8")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", someone_was_faster)
    with pytest.raises(WriteError) as info:
        write_new(path, "mine\n", inside=tmp_path)
    assert str(info.value) == f"{path}: already exists: edit it, or remove it first"
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert os.listdir(tmp_path) == ["a.md"]


def test_write_atomic_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o600)
    write_atomic(path, "new\n", inside=tmp_path)
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_atomic(tmp_path / "fresh.yaml", "x\n", inside=tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["a.yaml", "fresh.yaml"]


@pytest.mark.parametrize(("code", "advice"), [
    (errno.ENOSPC, "No space left on device: free some disk space and run the command again"),
    (errno.EROFS, "Read-only file system: make the folder writable, or run the command where "
                  "you may write"),
    (errno.EIO, "Input/output error: check the folder and run the command again"),
])
@pytest.mark.parametrize("writer", ["new", "atomic"])
def test_os_errors_become_messages_and_leave_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, advice: str,
        writer: str) -> None:
    def fail(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)
    path = tmp_path / "a.md"
    with pytest.raises(WriteError) as info:
        (write_new if writer == "new" else write_atomic)(path, "text\n", inside=tmp_path,
                                                          shown="papers/a.md")
    assert str(info.value) == f"papers/a.md: {advice}"
    assert os.listdir(tmp_path) == []


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "authors").write_text("not a folder\n", encoding="utf-8")
    with pytest.raises(WriteError) as info:
        write_new(tmp_path / "authors" / "ann.yaml", "name: Ann\n", inside=tmp_path,
                  shown="authors/ann.yaml")
    assert str(info.value) == ("authors/ann.yaml: Not a directory: check that the content folder "
                               "is a folder and not a file")


def test_text_that_cannot_be_utf8(tmp_path: Path) -> None:
    with pytest.raises(WriteError) as info:
        write_new(tmp_path / "a.md", "bad \udc80\n", inside=tmp_path, shown="a.md")
    assert str(info.value) == ("a.md: the text holds characters that cannot be written as UTF-8 "
                               "(lone surrogates): remove them and try again")
    assert os.listdir(tmp_path) == []


def test_refusal_lists_errors_not_warnings() -> None:
    problems = [Problem("a.md", 3, "title", "contains '<': leave it out"),
                Problem("a.md", 9, "section 4", "is empty", severity=Severity.WARNING),
                Problem("a.md", None, None, "is too large: split it")]
    assert refusal("a.md", problems) == ("a.md: the build would reject it: line 3: title: "
                                         "contains '<': leave it out; is too large: split it")
    assert refusal("a.md", problems[1:2]) is None
