"""The benchmark's synthetic corpus is deterministic and valid content."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from paperdigest.content.digest import parse_digest

BENCH = Path(__file__).resolve().parent.parent / "bench"
N = 20


@pytest.fixture(scope="module")
def make_corpus() -> Callable[..., None]:
    sys.path.insert(0, str(BENCH))
    try:
        from make_corpus import make_corpus as function  # type: ignore[import-not-found, unused-ignore]
    finally:
        sys.path.remove(str(BENCH))
    made: Callable[..., None] = function
    return made


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, make_corpus: Callable[..., None]) -> Path:
    root = tmp_path_factory.mktemp("bench") / "a"
    make_corpus(root, N, 7)
    return root


def test_same_n_and_seed_give_identical_bytes(corpus: Path, make_corpus: Callable[..., None],
                                              tmp_path: Path) -> None:
    again = tmp_path / "b"
    make_corpus(again, N, 7)
    first, second = _tree(corpus), _tree(again)
    assert len(first) > N
    assert first == second


def test_another_seed_gives_other_papers(corpus: Path, make_corpus: Callable[..., None],
                                         tmp_path: Path) -> None:
    other = tmp_path / "c"
    make_corpus(other, N, 8)
    assert _tree(other / "content" / "papers") != _tree(corpus / "content" / "papers")


def test_shape_of_the_corpus(corpus: Path) -> None:
    papers = sorted((corpus / "content" / "papers").glob("*.md"))
    assert len(papers) == N
    assert len(list((corpus / "content" / "authors").glob("*.yaml"))) == 12  # max(12, N // 3)
    ids = set()
    for path in papers:
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        ids.add(front["arxiv"])
        assert 3 <= len(front["authors"]) <= 8
        assert 3 <= len(front["tags"]) <= 6
        assert "2023-01-01" <= str(front["date"]) <= "2025-12-31"
        assert str(front["date"])[2:4] + str(front["date"])[5:7] == path.stem[:4]
    assert len(ids) == N
    for config in ("mkdocs.yml", "mkdocs-nosearch.yml", "floor/mkdocs.yml"):
        assert (corpus / config).is_file()
    floor_pages = list((corpus / "floor" / "docs" / "papers").glob("*.md"))
    assert len(floor_pages) == N


def test_every_digest_parses_and_every_blurb_fits_a_post(corpus: Path) -> None:
    clean_blurb, weighted_length = _blurb_tools()
    for path in sorted((corpus / "content" / "papers").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("---\n", 2)[2]
        parsed = parse_digest(body)
        assert parsed.problems == (), path.name
        assert [s.number for s in parsed.sections] == list(range(1, 9)), path.name
        assert parsed.paper_url == f"https://arxiv.org/abs/{path.stem}v1"
        blurb = clean_blurb(parsed.sections[7].body)
        assert blurb.count("#") in (2, 3), blurb
        assert 180 <= weighted_length(blurb) <= 256, (path.name, blurb)


def _blurb_tools() -> tuple[Callable[[str], str], Callable[[str], int]]:
    if importlib.util.find_spec("paperdigest.content.blurb") is None:
        pytest.skip("generator/blurb.py is missing: the X weight of blurbs cannot be checked")
    from paperdigest.content.blurb import clean_blurb, weighted_length

    return clean_blurb, weighted_length


def test_the_loader_accepts_the_corpus_without_problems(corpus: Path) -> None:
    from paperdigest.content.loader import check_content

    site, problems = check_content(corpus / "content", root=corpus)
    assert [str(p) for p in problems] == []
    assert site is not None
    assert len(site.papers) == N
