"""Every figure on an author page has a source a reader can follow, or it is not shown: the
record and works readers (bounds, source fields, definitions) on generated variants, and what
the author page prints for each."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.figures import MAX_COUNT, MAX_H_INDEX
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.loader import check_content, load_site
from paperdigest.content.records import check_record
from paperdigest.content.works import (
    Work,
    WorksFile,
    dump_works,
    parse_works,
    plain_text,
)
from paperdigest.site import profile
from paperdigest.site.render import METRIC_LABELS, render_site
from paperdigest.site.settings import default_project

Make = Callable[[Mapping[str, str | bytes]], Path]
REC = "content/authors/ann-lee.yaml"
WORKS = "content/authors/ann-lee.works.json"
DAY = dt.date(2026, 11, 1)


# --- the record reader: bounds and source fields, on generated variants ---------------------

_FIGURE = st.sampled_from(["h_index", "papers", "citations"])
_LIMIT = {"h_index": MAX_H_INDEX, "papers": MAX_COUNT, "citations": MAX_COUNT}


@settings(max_examples=150, deadline=None)
@given(figure=_FIGURE, over=st.integers(1, 10**30), with_source=st.booleans(),
       with_date=st.booleans())
def test_a_figure_beyond_its_bound_is_an_error_on_its_line(figure: str, over: int,
                                                           with_source: bool,
                                                           with_date: bool) -> None:
    value = _LIMIT[figure] + over
    lines = ["name: Ann Lee", "metrics:", "  novelty: 3%", f"  {figure}: {value}"]
    lines += ["  source: openalex"] * with_source + ["  as_of: 2026-11-01"] * with_date
    record, problems = check_record("\n".join(lines) + "\n", REC)
    assert record is None
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    assert (errors[0].line, errors[0].field) == (4, f"metrics.{figure}")
    assert f"above the limit of {_LIMIT[figure]:,}" in errors[0].message


@settings(max_examples=150, deadline=None)
@given(figures=st.dictionaries(_FIGURE, st.integers(0, 10_000), min_size=1),
       source=st.none() | st.sampled_from(["openalex", "semantic-scholar", "研究者プロフィール"]),
       as_of=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
       url=st.none() | st.just("https://example.org/p"))
def test_figures_are_shown_only_with_a_source_and_a_date(
        figures: dict[str, int], source: str | None, as_of: dt.date | None,
        url: str | None) -> None:
    block = {**figures, "source": source, "as_of": as_of, "source_url": url}
    text = "name: Ann Lee\nmetrics:\n" + "".join(
        f"  {k}: {v.isoformat() if isinstance(v, dt.date) else v}\n"
        for k, v in block.items() if v is not None)
    record, problems = check_record(text, REC)
    assert record is not None and record.metrics is not None
    from paperdigest.content.records import author_of

    author = author_of(record)
    tiles = profile.tiles(author, METRIC_LABELS)
    credit = profile.metrics_source(author)
    warned = [p for p in problems if p.field == "metrics"]
    if source is None or as_of is None:
        assert tiles == () and credit is None
        assert [p.severity for p in warned] == ["warning"] and warned[0].line == 2
    else:
        assert [t.value for t in tiles] == [f"{figures[k]:,}" for k in
                                            ("h_index", "papers", "citations") if k in figures]
        assert all(t.definition for t in tiles) and warned == []
        assert credit == profile.Attribution(profile.source_name(source) or source, url, as_of,
                                             source not in ("openalex", "semantic-scholar"))


@pytest.mark.parametrize(("block", "shown", "warning"), [
    ("  novelty: 49%\n  source: profile page\n  as_of: 2026-11-01\n", [], (
        3, "metrics.novelty: has no definition, so it is not shown: add 'definitions:' with "
           "'novelty: <what it measures, in one line>' under metrics")),
    ("  novelty: 49%\n  source: profile page\n  as_of: 2026-11-01\n  definitions:\n"
     "    novelty: distance of the paper from earlier work\n",
     [("新規性（Novelty）", "49%", "distance of the paper from earlier work")], None),
    ("  novelty: 49%\n  source: openalex\n  as_of: 2026-11-01\n  definitions:\n"
     "    novelty: distance of the paper from earlier work\n", [], (
        3, "metrics.novelty: openalex gives no such figure, so it cannot have come from there: "
           "move it to a record whose source is the page it was copied from, or delete it")),
])
def test_a_figure_of_the_records_own_needs_a_definition(
        block: str, shown: list[tuple[str, str, str]], warning: tuple[int, str] | None) -> None:
    from paperdigest.content.records import author_of

    record, problems = check_record("name: Ann Lee\nmetrics:\n" + block, REC)
    assert record is not None
    tiles = profile.tiles(author_of(record), METRIC_LABELS)
    assert [(t.label, t.value, t.definition) for t in tiles] == shown
    found = [(p.line, f"{p.field}: {p.message}") for p in problems]
    assert found == ([warning] if warning else [])


@pytest.mark.parametrize(("definitions", "message"), [
    ("    ai_score: a score\n", "5: metrics.definitions.ai_score: defines no figure of this "
                              "record: add the figure to metrics or delete the definition"),
    ("    novelty: " + "x" * 201 + "\n", "5: metrics.definitions.novelty: is 201 characters "
                                         "long; the limit is 200: say it in one line"),
])
def test_bad_definitions_are_refused_on_their_line(definitions: str, message: str) -> None:
    text = ("name: Ann Lee\nmetrics:\n  novelty: 49%\n  definitions:\n" + definitions
            + "  source: p\n  as_of: 2026-11-01\n")
    record, problems = check_record(text, REC)
    assert record is None
    assert [f"{p.line}: {p.field}: {p.message}" for p in problems
            if p.severity == "error"] == [message]


# --- the works reader: bounds and source fields, on generated variants -----------------------

_NAME = st.text(st.characters(codec="utf-8", categories=("L", "Zs")), min_size=1,
                max_size=20).map(plain_text).filter(bool)
_WORK = st.builds(
    Work,
    title=_NAME,
    date=st.none() | st.dates(dt.date(1950, 1, 1), dt.date(2026, 11, 1)),
    arxiv=st.none() | st.sampled_from(["1907.10902", "hep-th/9711200"]).map(parse_arxiv_id),
    doi=st.none() | st.from_regex(r"10\.\d{4,6}/[a-z0-9.]{1,12}", fullmatch=True),
    citations=st.none() | st.integers(0, MAX_COUNT),
    openalex=st.none() | st.from_regex(r"W[1-9]\d{0,11}", fullmatch=True),
    s2=st.none() | st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    url=st.none() | st.just("https://example.org/w"),
    authors=st.lists(_NAME, max_size=3).map(tuple),
    more_authors=st.none() | st.integers(0, MAX_COUNT),
    et_al=st.booleans(),
    abstract=st.none() | _NAME,
)


@settings(max_examples=150, deadline=None)
@given(works=st.lists(_WORK, max_size=8), total=st.none() | st.integers(0, MAX_COUNT),
       source=st.sampled_from(["openalex", "semantic-scholar", "研究者プロフィールページ"]),
       url=st.none() | st.just("https://api.openalex.org/works?filter=author.id:A1"))
def test_any_works_file_round_trips(works: list[Work], total: int | None, source: str,
                                    url: str | None) -> None:
    value = WorksFile.of(source, DAY, works, source_url=url, total=total)
    text = dump_works(value)
    assert parse_works(text, WORKS) == (value, [])
    assert value.hand_copied == (source == "研究者プロフィールページ")


_BOUNDED = {("total",): MAX_COUNT, ("works", 0, "citations"): MAX_COUNT,
            ("works", 0, "more_authors"): MAX_COUNT,
            ("counts_by_year", 0, "citations"): MAX_COUNT}


def _file(change: Mapping[tuple[str | int, ...], object] = (), drop: tuple[str, ...] = ()
          ) -> str:
    data: dict[str, object] = {
        "source": "openalex", "as_of": "2026-11-01", "total": 3,
        "works": [{"title": "T", "citations": 1, "more_authors": 2}],
        "counts_by_year": [{"year": 2025, "citations": 4}]}
    for key in drop:
        data.pop(key)
    for path, value in dict(change).items():
        node: object = data
        for part in path[:-1]:
            node = node[part]  # type: ignore[index]
        node[path[-1]] = value  # type: ignore[index]
    return json.dumps(data, indent=2)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(sorted(_BOUNDED, key=str)), over=st.integers(1, 10**14))
def test_a_works_figure_beyond_its_bound_is_an_error_on_its_line(
        path: tuple[str | int, ...], over: int) -> None:
    text = _file({path: _BOUNDED[path] + over})
    value, problems = parse_works(text, WORKS)
    assert value is None and len(problems) == 1
    line = next(n for n, x in enumerate(text.splitlines(), 1)
                if f'"{path[-1]}": {_BOUNDED[path] + over}' in x)
    assert problems[0].line == line
    assert f"above the limit of {MAX_COUNT:,}" in problems[0].message


@settings(max_examples=60, deadline=None)
@given(drop=st.lists(st.sampled_from(["source", "as_of", "works", "counts_by_year", "total"]),
                     unique=True, min_size=1))
def test_missing_source_fields_are_named(drop: list[str]) -> None:
    value, problems = parse_works(_file(drop=tuple(drop)), WORKS)
    required = sorted(set(drop) & {"source", "as_of", "works"})
    assert [p.field for p in problems] == required
    assert all(p.line == 1 and "is required" in p.message for p in problems)
    assert (value is None) == bool(required)


@pytest.mark.parametrize(("change", "message"), [
    ({("works", 0, "openalex"): "A123"}, "works[0].openalex: 'A123' is not an OpenAlex work id: "
                                         "write it like W2954130009"),
    ({("works", 0, "s2"): "xyz"}, "works[0].s2: 'xyz' is not a Semantic Scholar paperId: write "
                                  "it like the 40 hex digits of a paperId"),
    ({("works", 0, "authors"): ["A", "B", "C", "D"]},
     "works[0].authors: holds 4 names; keep the first 3 and write how many follow in "
     "more_authors"),
    ({("works", 0, "authors"): ["<b>A</b>"]},
     "works[0].authors: '<b>A</b>' contains HTML markup ('<b>A</b>'): write plain text; a '<' "
     "must be followed by a space"),
    ({("works", 0, "et_al"): "yes"}, "works[0].et_al: expected true or false, got 'yes'"),
    ({("works", 0, "url"): "javascript:alert(1)"},
     "works[0].url: 'javascript:alert(1)' is not an http(s) URL: write the full address, "
     "https://…"),
    ({("source_url",): "ftp://x"}, "source_url: 'ftp://x' is not an http(s) URL: write the "
                                   "full address, https://…"),
])
def test_bad_work_fields_are_refused(change: Mapping[tuple[str | int, ...], object],
                                     message: str) -> None:
    value, problems = parse_works(_file(change), WORKS)
    assert value is None
    assert [f"{p.field}: {p.message}" for p in problems] == [message]


def test_check_names_the_file_and_line_of_an_unbounded_figure(project: Make) -> None:
    root = project({
        REC: "name: Ann Lee\nmetrics:\n  h_index: 1" + "0" * 400 + "\n  source: openalex\n",
        "content/authors/bo.yaml": "name: Bo\n",
        "content/authors/bo.works.json": _file({("works", 0, "citations"): 10**12}),
    })
    site, problems = check_content(root / "content", root=root)
    assert site is None
    assert [str(p) for p in problems if p.severity == "error"] == [
        "content/authors/ann-lee.yaml:3: metrics.h_index: is a number of 401 digits, above the "
        "limit of 10,000: no real figure is that large; write the figure the source shows",
        "content/authors/bo.works.json:8: works[0].citations: is 1,000,000,000,000, above the "
        "limit of 1,000,000,000: no real figure is that large; write the figure the source "
        "shows"]


# --- what the author page shows ------------------------------------------------------------

def _pages(project: Make, files: Mapping[str, str]) -> dict[str, str]:
    root = project(files)
    return render_site(load_site(root / "content", root=root), default_project(root))


HAND = ("name: Ann Lee\naffiliation: Uni A\nmetrics:\n  h_index: 16\n  papers: 24\n"
        "  citations: 11268\n  as_of: 2026-11-01\n  source: 研究者プロフィールページ\n")


def test_hand_copied_figures_say_so_and_the_list_says_how_many_it_shows(project: Make) -> None:
    listed = WorksFile.of("研究者プロフィールページ", DAY, [
        Work("Optuna", dt.date(2019, 7, 25), authors=("Ann Lee", "Bo", "Cy"), et_al=True),
        Work("Other", dt.date(2020, 1, 1), authors=("Ann Lee",), more_authors=0)], total=24)
    page = _pages(project, {
        REC: HAND, WORKS: dump_works(listed),
        "content/papers/1907.10902.md": digest("1907.10902", title="OPTUNA",
                                               front="authors: [Ann Lee]\n"),
    })["authors/ann-lee.md"]
    assert '<p class="pd-affiliation">現所属: Uni A</p>' in page
    assert page.count("出典: 研究者プロフィールページ（手で転記、2026-11-01 時点）") == 2
    assert "## 著作（24 件中 2 件を表示）" in page
    # A work without ids finds its digest by its title (case and width aside).
    assert "[Optuna](../papers/1907.10902.md){ .pd-work__title }" in page
    assert '<p class="pd-work__authors">Ann Lee, Bo, Cy ほか</p>' in page
    assert '<p class="pd-work__title">Other</p>' in page  # no link known: plain text
    assert "pd-chart" not in page  # no yearly counts: no chart


def test_titles_link_the_digest_else_arxiv_else_doi(project: Make) -> None:
    listed = WorksFile.of("openalex", DAY, [
        Work("A", dt.date(2025, 1, 3), arxiv=parse_arxiv_id("2501.00001"), doi="10.1000/a"),
        Work("B", dt.date(2025, 1, 2), doi="10.1000/b", url="https://example.org/b",
             authors=("X", "Y", "Z"), more_authors=7),
        Work("C", dt.date(2025, 1, 1), url="https://example.org/c")],
        source_url="https://api.openalex.org/works?filter=author.id:A1")
    page = _pages(project, {REC: "name: Ann Lee\n", WORKS: dump_works(listed)})[
        "authors/ann-lee.md"]
    assert '<a href="https://arxiv.org/abs/2501.00001">A</a>' in page
    assert '<a href="https://doi.org/10.1000/b">B</a>' in page
    assert '<a href="https://example.org/c">C</a>' in page
    assert '<p class="pd-work__authors">X, Y, Z ほか 7 名</p>' in page
    assert "## 著作（3 件）" in page  # the source gave no count
    assert ('出典: <a href="https://api.openalex.org/works?filter=author.id:A1">OpenAlex</a>'
            "（2026-11-01 時点）") in page
    assert "pd-tiles" not in page  # the record has no figures


def test_the_shipped_content_holds_no_figure_without_a_source() -> None:
    from conftest import REPO

    site = load_site(REPO / "content", root=REPO)
    for author in site.authors.values():
        if author.metrics is not None:
            assert profile.metrics_source(author) is not None, author.slug
        if author.works_file is not None:
            assert profile.works_source(author) is not None, author.slug
            if author.works_file.hand_copied:  # no per-work or yearly counts copied by hand
                assert author.citations_by_year == ()
                assert all(w.citations is None for w in author.works), author.slug


def test_the_about_page_defines_every_tile_as_the_page_does() -> None:
    from conftest import REPO

    about = (REPO / "content" / "pages" / "about.md").read_text(encoding="utf-8")
    for _, label, definition in profile.STANDARD_TILES:
        assert f"- **{label}**: {definition}\n" in about


@pytest.mark.parametrize(("digits", "message"), [
    (401, "3: metrics.h_index: is a number of 401 digits, above the limit of 10,000: no real "
          "figure is that large; write the figure the source shows"),
    (5000, "3: metrics.h_index: expected a whole number, got '1" + "0" * 79),
])
def test_a_number_of_any_length_is_a_problem_not_a_traceback(digits: int, message: str) -> None:
    number = "1" + "0" * (digits - 1)
    text = f"name: A\nmetrics:\n  h_index: {number}\n  novelty: {number}\n  source: x\n"
    record, problems = check_record(text, REC)
    assert record is None
    shown = [f"{p.line}: {p.field}: {p.message}" for p in problems if p.severity == "error"]
    assert shown[0].startswith(message)
    assert shown[1].startswith("4: metrics.novelty: ")
