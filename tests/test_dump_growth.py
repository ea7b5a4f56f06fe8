"""Import reads a dump in time linear in its size (a heading once copied the rest of the dump)."""

from __future__ import annotations

from conftest import digest
from growth import assert_linear
from paperdigest.edit.dumps import read_dump


def _digests(n: int) -> str:
    return "\n\n---\n\n".join(digest(f"2503.{10000 + k:05d}", front="") for k in range(n))


def test_a_dump_of_many_digests_reads_in_linear_time() -> None:
    assert len(read_dump(_digests(3)).digests) == 3
    assert_linear(lambda n: read_dump(_digests(n)), 150, label="digests")


def test_a_dump_of_heading_lines_reads_in_linear_time() -> None:
    assert_linear(lambda n: read_dump("# h\n" * n), 4000, label="'# h' lines")


def test_a_dump_of_titles_and_blank_lines_reads_in_linear_time() -> None:
    assert_linear(lambda n: read_dump("# h\n\n\n" * n), 4000, label="'# h' and blank lines")
