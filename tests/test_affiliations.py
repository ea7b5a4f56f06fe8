"""Affiliations are the paper's: read from arXiv (``arxiv:affiliation``), written by ``new``
and ``import --fetch``, and the only ones a card shows (never a record's current one)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import SECTIONS, digest, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content import schema
from paperdigest.content.loader import check_content, load_site
from paperdigest.edit.scaffold import institutions
from paperdigest.site import paths
from paperdigest.site.render import render_site
from paperdigest.site.settings import default_project
from paperdigest.sources.arxiv import parse_feed
from test_arxiv import feed, invoke, offline, ok

Make = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "today", lambda: dt.date(2026, 12, 2))


def test_recorded_feeds_give_the_affiliations_arxiv_lists() -> None:
    (maldacena,) = parse_feed(feed("hep-th_9711200.xml"))
    assert maldacena.affiliations == ("Harvard University",)
    (anyanomaly,) = parse_feed(feed("2503.04504.xml"))
    assert anyanomaly.affiliations == ()  # most papers: arXiv gives none
    assert [r.affiliations for r in parse_feed(feed("batch.xml"))] == [
        (), ("Harvard University",)]


NS = 'xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
place = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)


def atom(authors: list[tuple[str, list[str]]]) -> bytes:
    people = "".join(
        f"<author><name>{escape(name)}</name>"
        + "".join(f"<arxiv:affiliation>{escape(p)}</arxiv:affiliation>" for p in places)
        + "</author>" for name, places in authors)
    return (f'<feed {NS}><entry><id>http://arxiv.org/abs/2503.04504v1</id>'
            "<published>2025-03-06T00:00:00Z</published><title>T</title><summary>S</summary>"
            f'{people}<arxiv:primary_category term="cs.CV"/></entry></feed>').encode()


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["Ann", "Bo", "Cy"]), st.lists(place, max_size=3)),
                max_size=4))
def test_affiliations_are_every_authors_in_order_without_repeats(
        authors: list[tuple[str, list[str]]]) -> None:
    (record,) = parse_feed(atom(authors))
    shown = [" ".join(p.split()) for _name, places in authors for p in places]
    assert record.affiliations == tuple(dict.fromkeys(p for p in shown if p))


def test_new_writes_the_papers_affiliations(project: Make) -> None:
    root = project({})
    _, _, obj = offline(ok("hep-th_9711200.xml"))
    result = invoke(root, obj, "new", "hep-th/9711200")
    assert result.exit_code == 0, result.output
    text = (root / "content/papers/hep-th/9711200.md").read_text(encoding="utf-8")
    assert ('authors:\n  - "Juan M. Maldacena"\naffiliations:\n  - "Harvard University"\n'
            "date: 1997-11-27\nadded: 2026-12-02\n") in text
    _, problems = check_content(root / "content", root=root)
    assert {p.severity for p in problems} == {"warning"}  # the empty sections of a draft


def test_import_fetch_writes_the_papers_affiliations(project: Make, tmp_path: Path) -> None:
    root = project({})
    dump = tmp_path / "dump.md"
    dump.write_text("".join(f"# {t}\n\n[View Paper](https://arxiv.org/abs/{i})\n\n{SECTIONS}\n"
                            for t, i in (("AnyAnomaly", "2503.04504"),
                                         ("Large N", "hep-th/9711200"))), encoding="utf-8")
    _, _, obj = offline(ok("batch.xml"))
    result = invoke(root, obj, "import", "--fetch", str(dump))
    assert result.exit_code == 0, result.output
    site = load_site(root / "content", root=root)
    assert {p.slug: p.affiliations for p in site.papers} == {
        "2503.04504": (), "hep-th/9711200": ("Harvard University",)}
    assert {p.added for p in site.papers} == {dt.date(2026, 12, 2)}


def test_an_affiliation_the_check_refuses_is_left_out_not_fatal() -> None:
    assert institutions(["Uni <b>A</b>", " Uni B ", "Uni B", "", "Uni\u200bC"]) == ("Uni B",)


name = st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7a), min_size=3, max_size=10)


@settings(max_examples=20, deadline=None)
@given(st.lists(name, min_size=1, max_size=3, unique=True), name,
       st.lists(name, max_size=3, unique=True))
def test_a_card_shows_only_the_papers_own_affiliations(
        authors: list[str], current: str, own: list[str]) -> None:
    """Every author has a record with a current affiliation; the card names the digest's
    ``affiliations:`` (when given) and never the records'."""
    current = f"Now {current}"
    authors = [f"Au {a}" for a in authors]
    own = [f"Inst {o}" for o in own]
    front = f'arxiv: "2503.04504"\nauthors: [{", ".join(authors)}]\ndate: 2019-07-25\n'
    if own:
        front += f"affiliations: [{', '.join(own)}]\n"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, {"content/papers/a.md": digest(front=front)})
        write_tree(root, {f"content/authors/a{i}.yaml": f"name: {n}\naffiliation: {current}\n"
                          for i, n in enumerate(authors)})
        site = load_site(root / "content", root=root)
    pages = render_site(site, default_project())
    paper = site.papers[0]
    assert paper.affiliations == tuple(own)
    for uri in (paths.HOME, paths.PAPERS, paths.paper(paper), paths.tag(paper.tags[0])):
        assert current not in pages[uri], uri
        assert all(o in pages[uri] for o in own), uri
        marker = "**所属**" if uri == paths.paper(paper) else 'class="pd-card__affiliations"'
        assert (marker in pages[uri]) == bool(own), uri
