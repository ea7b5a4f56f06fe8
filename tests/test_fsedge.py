"""The file-system edge: writers stay inside the content folder, readers open only regular
files (never a FIFO or a device, never more than a cap), whatever sits in the folders."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.cli import main
from paperdigest.content.loader import LoadCache, check_content
from paperdigest.edit.files import write_atomic, write_new
from paperdigest.edit.refresh import read_record
from paperdigest.errors import WriteError
from paperdigest.fileio import FileRefused, TooLarge, is_inside, read_regular, write_file

Make = Callable[[Mapping[str, str | bytes]], Path]


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _dump(tmp: Path, arxiv: str) -> Path:
    dump = tmp / "dump.md"
    dump.write_text(digest(arxiv, front=""), encoding="utf-8")
    return dump


# --- writers --------------------------------------------------------------------------------

def test_import_through_a_linked_folder_refuses(project: Make,
                                                tmp_path_factory: pytest.TempPathFactory
                                                ) -> None:
    root = project({})
    outside = tmp_path_factory.mktemp("outside")
    (root / "content/papers/hep-th").symlink_to(outside, target_is_directory=True)
    dump = _dump(tmp_path_factory.mktemp("dumps"), "hep-th/9711200")
    code, out, err = run(root, "import", str(dump))
    assert code == 1
    assert list(outside.iterdir()) == []
    assert out.splitlines()[-1] == "0 new, 0 updated, 0 already there, 1 refused"
    assert "content/papers/hep-th/9711200.md: lies outside" in err
    assert "nothing was written" in err


@pytest.mark.parametrize("writer", [write_new, write_atomic])
def test_writers_refuse_a_way_out(tmp_path: Path, writer: Callable[..., None]) -> None:
    content, outside = tmp_path / "content", tmp_path / "elsewhere"
    (content / "papers").mkdir(parents=True)
    outside.mkdir()
    (content / "papers" / "sub").symlink_to(outside)
    with pytest.raises(WriteError, match="lies outside"):
        writer(content / "papers/sub/deep/a.md", "x\n", inside=content, shown="papers/sub/a.md")
    (content / "papers" / "b.md").symlink_to(outside / "b.md")
    with pytest.raises(WriteError, match="is a symbolic link"):
        writer(content / "papers/b.md", "x\n", inside=content)
    assert list(outside.iterdir()) == []
    # A link that stays inside is the folder's own business.
    (content / "papers" / "alias").symlink_to(content / "papers")
    writer(content / "papers/alias/c.md", "x\n", inside=content)
    assert (content / "papers/c.md").read_text(encoding="utf-8") == "x\n"


def test_the_writer_never_replaces_unless_asked(tmp_path: Path) -> None:
    write_file(tmp_path / "a", b"one", inside=tmp_path)
    with pytest.raises(FileExistsError):
        write_file(tmp_path / "a", b"two", inside=tmp_path)
    write_file(tmp_path / "a", "three", inside=tmp_path, replace=True)
    assert (tmp_path / "a").read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


# --- readers --------------------------------------------------------------------------------

def test_the_reader_refuses_what_is_not_a_file(tmp_path: Path, alarm: None) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(FileRefused, match="named pipe"):
        read_regular(tmp_path / "pipe", 100)
    with pytest.raises(FileRefused, match="a device"):
        read_regular(Path("/dev/zero"), 100, follow=True)
    (tmp_path / "link").symlink_to("/dev/zero")
    with pytest.raises(FileRefused, match="symbolic link"):
        read_regular(tmp_path / "link", 100)
    with pytest.raises(FileRefused, match="a device"):
        read_regular(tmp_path / "link", 100, follow=True)
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(TooLarge):
        read_regular(tmp_path / "big", 100)
    assert read_regular(tmp_path / "big", 101) == b"x" * 101


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_dump_that_is_no_file_is_refused_not_read(project: Make, tmp_path_factory:
                                                    pytest.TempPathFactory, alarm: None,
                                                    kind: str) -> None:
    root = project({})
    if kind == "fifo":
        dump = tmp_path_factory.mktemp("dumps") / "pipe.md"
        os.mkfifo(dump)
    else:
        dump = Path("/dev/zero")
    code, _, err = run(root, "import", str(dump))
    assert code == 1
    what = "a named pipe (FIFO)" if kind == "fifo" else "a device"
    assert err.splitlines()[0] == (f"{dump}: is {what}, not a file: import a regular file of at "
                                   "most 64 MB (split a larger dump)")


def test_links_to_pipes_in_content_never_hang_a_rebuild(project: Make, alarm: None) -> None:
    """Under serve the load cache looks at every file; a link to a FIFO (or a device) is
    reported as the build reports it, on the first and on every later load."""
    root = project({"content/papers/a.md": digest(added="2025-03-07")})
    os.mkfifo(root / "pipe")
    (root / "content/papers/b.md").symlink_to(root / "pipe")
    (root / "content/pages/pic.png").symlink_to(root / "pipe")
    cache = LoadCache()
    for _ in range(2):
        site, problems = check_content(root / "content", root=root, cache=cache,
                                       pages_dir=root / "content/pages")
        assert site is None
        assert [str(p) for p in problems] == [
            "content/pages/pic.png: is a symbolic link: pages and images must be regular "
            "files; copy the file instead",
            "content/papers/b.md: is a symbolic link: content files must be regular files; "
            "copy the file instead",
        ]


def test_a_record_that_is_a_pipe_is_refused(tmp_path: Path, alarm: None) -> None:
    os.mkfifo(tmp_path / "ann.yaml")
    with pytest.raises(WriteError, match="named pipe"):
        read_record(tmp_path / "ann.yaml")


def test_export_refuses_a_link_out_of_its_folder(project: Make,
                                                 tmp_path_factory: pytest.TempPathFactory
                                                 ) -> None:
    root = project({"content/papers/a.md": digest()})
    out, outside = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("outside")
    (out / "papers").symlink_to(outside, target_is_directory=True)
    (out / "old.txt").write_text("kept\n", encoding="utf-8")
    code, _, err = run(root, "export", "--force", str(out))
    assert code == 1
    assert "lies outside" in err and "nothing was exported" in err
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["old.txt", "papers"]  # nothing moved


def test_a_linked_folder_is_reported_not_skipped(project: Make,
                                                  tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    root = project({"content/papers/a.md": digest(added="2025-03-07")})
    outside = tmp_path_factory.mktemp("outside")
    (outside / "b.md").write_text(digest("2106.09685"), encoding="utf-8")
    (root / "content/papers/more").symlink_to(outside, target_is_directory=True)
    site, problems = check_content(root / "content", root=root)
    assert site is None
    assert [str(p) for p in problems] == [
        "content/papers/more: is a symbolic link to a folder: content must lie in real folders; "
        "replace the link with the folder itself"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(parts=st.lists(st.sampled_from(["a", "b", "..", ".", "out", "in"]), min_size=1,
                      max_size=6))
def test_no_path_writes_outside(tmp_path: Path, parts: list[str]) -> None:
    """Whatever the way (``..``, links out and links in), a write lands inside the folder
    or is refused, and nothing appears outside."""
    case = Path(tempfile.mkdtemp(dir=tmp_path))
    content, outside = case / "content", case / "outside"
    (content / "a").mkdir(parents=True)
    outside.mkdir()
    (content / "out").symlink_to(outside, target_is_directory=True)
    (content / "in").symlink_to(content / "a", target_is_directory=True)
    target = content.joinpath(*parts, "x.md")
    try:
        write_file(target, "x", inside=content)
    except (FileRefused, FileExistsError, NotADirectoryError):
        pass
    else:
        assert is_inside(target, content)
    assert list(outside.rglob("*")) == []
    assert not (case / "x.md").exists()
