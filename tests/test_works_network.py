"""What ``authors refresh`` stores for every work, and what it refuses from a source: ids,
links, co-authors and abstracts from recorded answers; figures beyond the check's bounds;
paging that would never end. Offline: recorded responses through ``httpx.MockTransport``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.records import check_record
from paperdigest.content.works import MAX_COUNT, parse_works
from paperdigest.errors import MetricsError
from paperdigest.sources.metrics import OPENALEX, S2
from paperdigest.sources.works import MAX_WORDS, WorksClient, inverted_text
from test_metrics import TODAY, WORKS, Server, client, offline, openalex, recorded, refresh_cli

AUTHOR = "name: Jason Priem\nopenalex: A5023888391\n"
COUNTS = httpx.Response(200, json={"counts_by_year": []})


def test_openalex_works_keep_ids_link_coauthors_and_abstract() -> None:
    server = Server("openalex_works_A5023888391_p1", "openalex_works_A5023888391_p2",
                    "openalex_author_counts_A5023888391")
    listed = WorksClient(client(OPENALEX, server)).fetch("A5023888391", TODAY)
    first, second, third, last = listed.works
    assert (first.openalex, first.arxiv, first.url) == (
        "W4391670112", parse_arxiv_id("2205.01833"), "https://arxiv.org/abs/2205.01833")
    assert (first.authors, first.more_authors) == (
        ("Jason Priem", "Heather Piwowar", "Richard Orr"), 0)
    # The inverted index, rebuilt in the order of its positions.
    assert first.abstract == ("OpenAlex is a fully open catalog of the global research "
                              "system. It is named after the ancient Library of Alexandria.")
    # Six authors: three kept (markup dropped from a name), three more counted.
    assert (second.authors, second.more_authors, second.abstract) == (
        ("Jason Priem", "Ann Example", "Bo Test"), 3, None)
    assert second.link == "https://doi.org/10.1038/s41597-020-0444-7"
    assert third.abstract is None  # an index with a position that is not a number
    # A bad DOI loses only the DOI: the abstract, the ids and the authors stay.
    assert (last.doi, last.openalex, last.abstract) == (
        None, "W2016524321", "Scholars cite on Twitter, and we ask how and why.")
    assert last.link == ("https://asistdl.onlinelibrary.wiley.com/doi/10.1002/"
                         "meet.14504701201")
    assert listed.total == 4
    assert listed.source_url == ("https://api.openalex.org/works?filter=author.id:A5023888391"
                                 "&sort=publication_date:desc")


def test_semantic_scholar_works_keep_paper_ids_and_coauthors() -> None:
    server = Server("s2_papers_1741101_p1", "s2_papers_1741101_p2")
    listed = WorksClient(client(S2, server)).fetch("1741101", TODAY)
    by_title = {w.title: w for w in listed.works}
    graph = by_title["Construction of the Literature Graph in Semantic Scholar"]
    assert graph.s2 == "649def34f8be52c8b66281af98ae884c09aef38b"
    assert (graph.authors, graph.more_authors) == (
        ("Waleed Ammar", "Dirk Groeneveld", "Chandra Bhagavatula"), 2)
    assert graph.link == "https://arxiv.org/abs/1805.02262"  # arXiv before DOI
    assert graph.abstract is not None and graph.abstract.startswith("We describe")
    assert listed.total is None  # the papers listing gives no count: refresh adds paperCount


def test_refresh_stores_the_sources_count_of_works(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    (folder / "jason-priem.yaml").write_text(AUTHOR, encoding="utf-8")
    assert refresh_cli(tmp_path, offline(openalex)).exit_code == 0
    text = (folder / "jason-priem.works.json").read_text(encoding="utf-8")
    assert text == (WORKS / "A5023888391.works.json").read_text(encoding="utf-8")
    value, problems = parse_works(text, "w")
    assert problems == [] and value is not None and value.total == 4
    record = (folder / "jason-priem.yaml").read_text(encoding="utf-8")
    assert '  source_url: "https://api.openalex.org/authors/A5023888391"' in record.splitlines()


# --- figures beyond the bounds -------------------------------------------------------------

@pytest.mark.parametrize(("author", "message"), [
    (None,
     "OpenAlex's answer for A5023888391 has summary_stats.h_index = a number of 401 digits, "
     "above the limit of 10,000: no real figure is that large; try again later or use the "
     "other source"),
    ({"summary_stats": {"h_index": 10_001}, "cited_by_count": 1, "works_count": 1},
     "OpenAlex's answer for A5023888391 has summary_stats.h_index = 10,001, above the limit of "
     "10,000: no real figure is that large; try again later or use the other source"),
    ({"summary_stats": {"h_index": 3}, "cited_by_count": MAX_COUNT + 1, "works_count": 1},
     "OpenAlex's answer for A5023888391 has cited_by_count = 1,000,000,001, above the limit "
     "of 1,000,000,000: no real figure is that large; try again later or use the other "
     "source"),
])
def test_refresh_refuses_figures_beyond_the_bounds(tmp_path: Path,
                                                   author: dict[str, object] | None,
                                                   message: str) -> None:
    folder = tmp_path / "content" / "authors"
    folder.mkdir(parents=True)
    record = folder / "jason-priem.yaml"
    old = AUTHOR + "metrics:\n  h_index: 21\n"
    record.write_text(old, encoding="utf-8")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/authors/A5023888391" and "counts" not in str(request.url):
            return (httpx.Response(200, content=_huge_json()) if author is None
                    else httpx.Response(200, json=author))
        return openalex(request)

    result = refresh_cli(tmp_path, offline(handler))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"failed: jason-priem (Jason Priem): {message}; kept the old values")
    assert record.read_text(encoding="utf-8") == old
    assert not (folder / "jason-priem.works.json").exists()


def _huge_json() -> bytes:
    """The author object with a 401-digit h-index, as a broken or hostile source may send."""
    return (b'{"summary_stats": {"h_index": 1' + b"0" * 400 + b'}, "cited_by_count": 1, '
            b'"works_count": 1}')


def test_refresh_refuses_works_figures_beyond_the_bounds() -> None:
    item = {"id": "https://openalex.org/W1", "display_name": "A title",
            "cited_by_count": MAX_COUNT + 1}
    page = httpx.Response(200, json={"meta": {"count": 1, "next_cursor": None},
                                     "results": [item]})
    with pytest.raises(MetricsError) as info:
        WorksClient(client(OPENALEX, Server(page, COUNTS))).fetch("A1", TODAY)
    assert str(info.value) == (
        "OpenAlex's works answer for A1 has cited_by_count above the limit of 1,000,000,000: "
        "no real figure is that large; try again later or use the other source")


def test_refresh_refuses_a_yearly_count_beyond_the_bounds() -> None:
    page = httpx.Response(200, json={"meta": {"next_cursor": None},
                                     "results": [{"display_name": "T"}]})
    years = httpx.Response(200, json={"counts_by_year": [{"year": 2025,
                                                          "cited_by_count": 10**12}]})
    with pytest.raises(MetricsError, match=r"counts_by_year\.cited_by_count above the limit"):
        WorksClient(client(OPENALEX, Server(page, years))).fetch("A1", TODAY)


# --- paging that would never end ------------------------------------------------------------

class Endless:
    """An OpenAlex that hands out a new cursor with every page, for ever."""

    def __init__(self, titled: bool, same_page: bool = False) -> None:
        self.titled, self.same_page, self.asked = titled, same_page, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/works":
            return COUNTS
        self.asked += 1
        if self.asked > 50:  # the old client kept asking until the command's deadline
            raise AssertionError("the works listing never stopped")
        start = 0 if self.same_page else self.asked * 10
        results = [{"id": f"https://openalex.org/W{n}",
                    "display_name": f"Paper {n}" if self.titled else ""}
                   for n in range(start, start + 10)]
        return httpx.Response(200, json={"meta": {"next_cursor": f"c{self.asked}"},
                                         "results": results})


def test_an_endless_cursor_of_untitled_entries_stops_at_the_first_empty_page() -> None:
    server = Endless(titled=False)
    listed = WorksClient(client(OPENALEX, server)).fetch("A1", TODAY)
    assert listed.works == () and server.asked == 1


def test_a_repeated_page_ends_the_listing() -> None:
    server = Endless(titled=True, same_page=True)
    listed = WorksClient(client(OPENALEX, server)).fetch("A1", TODAY)
    assert server.asked == 2 and len(listed.works) == 10


def test_a_repeated_cursor_ends_the_listing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/works":
            return COUNTS
        n = len(handler.asked)  # type: ignore[attr-defined]
        handler.asked.append(request.url.params["cursor"])  # type: ignore[attr-defined]
        return httpx.Response(200, json={"meta": {"next_cursor": "same"}, "results": [
            {"id": f"https://openalex.org/W{n}", "display_name": f"Paper {n}"}]})

    handler.asked = []  # type: ignore[attr-defined]
    listed = WorksClient(client(OPENALEX, handler)).fetch("A1", TODAY)
    assert handler.asked == ["*", "same"]  # type: ignore[attr-defined]
    assert [w.title for w in listed.works] == ["Paper 0", "Paper 1"]


def test_semantic_scholar_stops_on_a_repeated_page() -> None:
    data = [{"paperId": "a" * 40, "title": "Only paper"}]
    pages = [httpx.Response(200, json={"next": n * 100 + 100, "data": data}) for n in range(5)]
    server = Server(*pages)
    listed = WorksClient(client(S2, server)).fetch("1741101", TODAY)
    assert len(server.requests) == 2 and [w.title for w in listed.works] == ["Only paper"]


def test_semantic_scholar_stops_on_an_empty_page() -> None:
    server = Server(recorded("s2_papers_1741101_p1"),
                    httpx.Response(200, json={"next": 300, "data": [{"title": ""}]}),
                    recorded("s2_papers_1741101_p2"))
    WorksClient(client(S2, server)).fetch("1741101", TODAY)
    assert len(server.requests) == 2


# --- abstracts from OpenAlex's inverted index ------------------------------------------------

_WORD = st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=1,
                max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=60))
def test_any_inverted_index_gives_back_its_text(words: list[str]) -> None:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    assert inverted_text(index) == " ".join(words)


@pytest.mark.parametrize("index", [
    None, [], {"a": 1}, {"a": ["0"]}, {"a": [True]}, {"a": [-1]}, {"a": [MAX_WORDS]},
    {f"w{n}": [n] for n in range(MAX_WORDS + 1)},
])
def test_a_bad_inverted_index_gives_no_abstract(index: object) -> None:
    assert inverted_text(index) == ""


def test_abstracts_are_bounded() -> None:
    long = {"word": list(range(3000))}
    page = httpx.Response(200, json={"meta": {"next_cursor": None}, "results": [
        {"display_name": "T", "publication_date": "2025-01-01",
         "abstract_inverted_index": long}]})
    listed = WorksClient(client(OPENALEX, Server(page, COUNTS))).fetch("A1", TODAY)
    abstract = listed.works[0].abstract
    assert abstract is not None and len(abstract) == 5000 and abstract.endswith("…")
    assert listed.works[0].date == dt.date(2025, 1, 1)


_AROUND = st.sampled_from([0, 1, 10_000, 10_001, MAX_COUNT, MAX_COUNT + 1]) | st.integers(
    0, 10**12)


@settings(max_examples=100, deadline=None)
@given(h_index=_AROUND, citations=_AROUND, papers=_AROUND)
def test_refresh_and_check_accept_the_same_figures(h_index: int, citations: int,
                                                   papers: int) -> None:
    answer = {"summary_stats": {"h_index": h_index}, "cited_by_count": citations,
              "works_count": papers}
    try:
        client(OPENALEX, Server(httpx.Response(200, json=answer))).fetch("A1")
        fetched = True
    except MetricsError:
        fetched = False
    record = (f"name: A\nmetrics:\n  h_index: {h_index}\n  citations: {citations}\n"
              f"  papers: {papers}\n  source: openalex\n  as_of: 2026-11-01\n")
    checked, _ = check_record(record, "content/authors/a.yaml")
    assert fetched == (checked is not None)
