"""What the file system can do to a run: odd entries, unreadable files, full disks, twins.

Every case ends as ``path: what happened: what to do`` and an exit status, never a traceback
or a hang, and nothing is lost or half-written. Tests run as root here, so permission and
disk errors are produced by failing the system call itself.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import digest, without_added
from paperdigest.cli import main
from paperdigest.content.loader import check_content

Make = Callable[[Mapping[str, str | bytes]], Path]
RECORD = "name: Sunghyun Ahn\n"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_odd_entries_are_reported_not_read(project: Make, alarm: None) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07")})
    os.mkfifo(root / "content/papers/pipe.md")
    (root / "content/papers/folder.md").mkdir()
    (root / "content/papers/folder.md/2503.00002.md").write_text(digest("2503.00002",
                                                                       added="2025-03-07"),
                                                                encoding="utf-8")
    (root / "content/papers/notes.txt").write_text("x", encoding="utf-8")
    (root / "content/papers/.DS_Store").write_bytes(b"\x00")
    code, out, _ = run(root, "check")
    assert code == 1
    assert out.splitlines() == [
        "content/papers/notes.txt: warning: is not a digest (only .md files are read here): "
        "rename it to .md, or move it out of the papers folder",
        "content/papers/pipe.md: is a named pipe (FIFO), not a file: content must be regular "
        "files; remove it",
    ]
    site, _ = check_content(root / "content", root=root)
    assert site is None


def test_the_digest_inside_a_folder_named_like_a_digest_is_read(project: Make) -> None:
    root = project({"content/papers/2025.md/2503.00002.md": digest("2503.00002")})
    site, problems = check_content(root / "content", root=root)
    problems = without_added(problems)
    assert problems == [] and site is not None and site.papers[0].slug == "2503.00002"


def test_unreadable_file_and_folder(project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07"),
                    "content/papers/b.md": digest("2503.2")})
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)).name == "b.md":  # tests run as root, who may read anything
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    real_walk = os.walk

    def walk(top: object, onerror: Callable[[OSError], None] | None = None, **kw: object
             ) -> Iterator[tuple[str, list[str], list[str]]]:
        if str(top).endswith("authors") and onerror is not None:
            onerror(PermissionError(errno.EACCES, "Permission denied", str(top)))
            return iter(())
        return real_walk(top, onerror=onerror, **kw)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(os, "walk", walk)
    code, out, _ = run(root, "check")
    assert code == 1
    assert out.splitlines() == [
        "content/authors: cannot be listed (Permission denied): make the folder readable "
        "(chmod a+rx)",
        "content/papers/b.md: cannot be read (Permission denied): make it a readable file "
        "(chmod a+r)",
    ]


def test_record_twins_are_both_named(project: Make) -> None:
    root = project({"content/papers/a.md": digest(),
                    "content/authors/sunghyun-ahn.yaml": RECORD,
                    "content/authors/sunghyun-ahn.yml": RECORD})
    _, problems = check_content(root / "content", root=root)
    problems = without_added(problems)
    assert [str(p) for p in problems] == [
        "content/authors/sunghyun-ahn.yml: is a second record for 'sunghyun-ahn' beside "
        "content/authors/sunghyun-ahn.yaml: merge them into one file"]


def test_non_utf8_record(project: Make) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07"),
                    "content/authors/ann.yaml": "name: Caf\xe9\n".encode("latin-1")})
    code, out, _ = run(root, "check")
    assert (code, out) == (1, "content/authors/ann.yaml:1: is not valid UTF-8: save the file "
                              "as UTF-8\n")


def test_control_characters_in_file_names_are_refused_and_shown(project: Make) -> None:
    root = project({"content/papers/a\n::stop-commands::x.md": digest(added="2025-03-07")})
    code, out, err = run(root, "check", "--format", "github")
    assert code == 1
    name = "content/papers/a\\x0a::stop-commands::x.md"
    assert out == ("::error file=content/papers/a%0A%3A%3Astop-commands%3A%3Ax.md,"
                   "title=paperdigest::file names must be printable ASCII: rename it after the "
                   "arXiv id, e.g. 2503.04504.md\n")
    assert err.splitlines()[0] == (f"{name}: file names must be printable ASCII: rename it "
                                   "after the arXiv id, e.g. 2503.04504.md")
    assert not any(line.startswith("::") for line in err.splitlines())


# --- export -------------------------------------------------------------------------------

def test_export_refuses_to_write_into_the_content(project: Make) -> None:
    root = project({"content/papers/a.md": digest()})
    before = (root / "content/papers/a.md").read_bytes()
    for target in ("content", "content/papers", "content/pages/x", "site_templates"):
        code, _, err = run(root, "export", str(root / target))
        assert code == 1, target
        assert err.startswith(f"Error: {root / target}: is inside the "), err
    assert (root / "content/papers/a.md").read_bytes() == before
    assert sorted(p.name for p in (root / "content/papers").iterdir()) == ["a.md"]


def test_export_needs_force_for_a_folder_with_files(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest()})
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(root, "export", str(out))
    assert (code, err) == (1, f"Error: {out}: already holds files: pass --force to write over "
                              "them, or name an empty folder\n")
    code, stdout, _ = run(root, "export", "--force", str(out))
    assert code == 0 and stdout.startswith("wrote ")
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "papers" / "2503.04504.md").is_file()


def test_a_full_disk_leaves_no_half_export(project: Make, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = project({"content/papers/a.md": digest()})
    real = os.fsync
    written: list[int] = []

    def full(fd: int) -> None:  # the disk fills up after a few files
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    exports = tmp_path / "exports"
    out = exports / "out"
    code, _, err = run(root, "export", str(out))
    assert code == 1
    assert err.startswith("Error: ") and err.endswith(
        ": No space left on device: free some space or choose a folder you can write to; "
        "nothing was exported\n")
    assert not out.exists()
    assert list(exports.iterdir()) == []  # no temporary folder left behind


# --- build ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_through_paperdigest_is_quiet_and_works(project: Make, tmp_path: Path) -> None:
    root = project({"content/papers/a.md": digest()})
    code, out, err = run(root, "build", "--strict", "-q", "-d", str(tmp_path / "out"))
    assert code == 0, out + err
    assert (tmp_path / "out/papers/2503.04504/index.html").is_file()
    assert "end of life" not in out + err


@pytest.mark.slow
def test_a_full_disk_during_the_build_is_a_message(project: Make, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs.utils

    root = project({"content/papers/a.md": digest()})

    def full(content: bytes, output_path: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", full)
    code, out, err = run(root, "build", "-q", "-d", str(tmp_path / "out"))
    assert code == 1
    said = (out + err).strip()  # the first file written fails; which one MkDocs picks varies
    assert said.startswith(f"paperdigest: {tmp_path / 'out'}/")
    assert said.endswith(": No space left on device: free some disk space, or build into "
                         "another folder with -d DIR")
