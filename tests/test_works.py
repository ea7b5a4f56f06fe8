"""Works files (``content/authors/<id>.works.json``): the exact text written, strict reading
with the exact message of every refusal, and how the loader attaches them to authors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.loader import check_content, load_site
from paperdigest.content.works import (
    MAX_WORKS,
    Work,
    WorksFile,
    dump_works,
    parse_works,
    plain_text,
)

Make = Callable[[Mapping[str, str | bytes]], Path]
PATH = "content/authors/a.works.json"
OPTUNA = Work("Optuna", dt.date(2019, 7, 25), "cs.LG", parse_arxiv_id("1907.10902"),
              "10.1145/3292500.3330701", "https://github.com/optuna/optuna", 8900)
SAMPLE = WorksFile.of("openalex", dt.date(2026, 11, 1),
                      [Work("Undated"), OPTUNA, Work("Shachi", dt.date(2025, 9, 26))],
                      [(2020, 720), (2019, 160)])
SAMPLE_TEXT = """\
{
  "as_of": "2026-11-01",
  "counts_by_year": [
    {
      "citations": 160,
      "year": 2019
    },
    {
      "citations": 720,
      "year": 2020
    }
  ],
  "source": "openalex",
  "works": [
    {
      "date": "2025-09-26",
      "title": "Shachi"
    },
    {
      "arxiv": "1907.10902",
      "citations": 8900,
      "code": "https://github.com/optuna/optuna",
      "date": "2019-07-25",
      "doi": "10.1145/3292500.3330701",
      "title": "Optuna",
      "venue": "cs.LG"
    },
    {
      "title": "Undated"
    }
  ]
}
"""


def test_dump_is_the_documented_text() -> None:
    assert dump_works(SAMPLE) == SAMPLE_TEXT


def test_round_trip() -> None:
    assert parse_works(SAMPLE_TEXT, PATH) == (SAMPLE, [])


def test_of_orders_dedups_and_cuts() -> None:
    same = Work("Optuna (journal)", dt.date(2019, 8, 1), arxiv=parse_arxiv_id("1907.10902v2"))
    many = [Work(f"w{i:03d}", dt.date(2000, 1, 1) + dt.timedelta(days=i)) for i in range(250)]
    value = WorksFile.of("openalex", dt.date(2026, 1, 1), [OPTUNA, same, *many],
                         [(2021, 1), (2020, 2), (2021, 3)])
    assert len(value.works) == MAX_WORKS and value.works[0] == same
    assert OPTUNA not in value.works  # the later copy of one arXiv id is dropped
    assert value.counts_by_year == ((2020, 2), (2021, 3))


@pytest.mark.parametrize(("value", "message"), [
    (WorksFile("x" * 201, dt.date(2026, 1, 1)),
     "works file:4: source: is 201 characters long; the limit is 200: name the service or the "
     "page in a few words"),
    (WorksFile("openalex", dt.date(2026, 1, 1), (Work("a\nb"),)),
     "works file:7: works[0].title: contains the control character U+000A at character 2: "
     "write it on one line"),
    (WorksFile("openalex", dt.date(2026, 1, 1), (OPTUNA, OPTUNA)),
     "works file:16: works[1].arxiv: 1907.10902 is also works[0]: keep one of them"),
])
def test_dump_refuses_what_would_not_read_back(value: WorksFile, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        dump_works(value)
    assert str(caught.value) == message


def test_dump_writes_values_as_the_check_leaves_them() -> None:
    value = WorksFile("openalex", dt.date(2026, 1, 1),
                      (Work(" Title "), Work("B", code="https://github.com/a/b(c)")))
    read, _ = parse_works(dump_works(value), PATH)
    assert read is not None
    assert [(w.title, w.code) for w in read.works] == [
        ("B", "https://github.com/a/b%28c%29"), ("Title", None)]


def test_plain_text_cleans_what_apis_send() -> None:
    assert plain_text(" <i>Drosophila</i>  genes&amp;\u200bsites\n") == "Drosophila genes&sites"


_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                              exclude_characters="<>`"), min_size=1, max_size=40)
_WORK = st.builds(
    Work,
    title=_TEXT.map(plain_text).filter(bool),
    date=st.none() | st.dates(dt.date(1950, 1, 1), dt.date(2026, 12, 31)),
    venue=st.none() | _TEXT.map(plain_text).filter(bool),
    arxiv=st.none() | st.sampled_from(["1907.10902", "2503.04412v2", "hep-th/9711200"]).map(
        parse_arxiv_id),
    doi=st.none() | st.from_regex(r"10\.\d{4,6}/[a-z0-9.]{1,12}", fullmatch=True),
    code=st.none() | st.from_regex(r"https://github\.com/[a-z0-9-]{1,10}/[a-z0-9._]{1,10}",
                                   fullmatch=True),
    citations=st.none() | st.integers(0, 10**7),
)


@settings(max_examples=150, deadline=None)
@given(works=st.lists(_WORK, max_size=12),
       counts=st.lists(st.tuples(st.integers(1900, 2026), st.integers(0, 10**6)), max_size=8),
       source=st.sampled_from(["openalex", "semantic-scholar"]))
def test_any_value_round_trips(works: list[Work], counts: list[tuple[int, int]],
                               source: str) -> None:
    value = WorksFile.of(source, dt.date(2026, 11, 1), works, counts)
    text = dump_works(value)
    assert parse_works(text, PATH) == (value, [])
    assert dump_works(parse_works(text, PATH)[0] or value) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_value_or_problems(text: str) -> None:
    value, problems = parse_works(text, PATH)
    assert (value is None) == bool(problems)
    assert all(p.path == PATH and p.line is not None and p.line >= 1 for p in problems)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["source", "as_of", "works", "counts_by_year", "title", "date", "year",
                         "citations", "code", "x", "source_url", "total", "authors",
                         "more_authors", "et_al", "abstract", "openalex", "s2", "url"]),
        inner, max_size=5),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_any_json_value_gives_a_value_or_problems(data: object) -> None:
    value, problems = parse_works(json.dumps(data, indent=1), PATH)
    assert (value is None) == bool(problems)


def _file(**change: object) -> str:
    data = json.loads(SAMPLE_TEXT)
    data.update(change)
    return json.dumps(data, indent=2)


def _work(**change: object) -> str:
    work: dict[str, object] = {"title": "T", "date": "2025-01-02"}
    work.update(change)
    return _file(works=[work])


@pytest.mark.parametrize(("text", "expected"), [
    ('{"source": "openalex",\n "source": "x"}',
     ["2: is not a valid works file: the key 'source' appears twice in one object; run "
      "`paperdigest authors refresh` to write it again"]),
    ("[1]", ['1: is not a valid works file: expected an object {"source": …}, got a list; '
             "run `paperdigest authors refresh` to write it again"]),
    ('{"works": [[[[1]]]]}', ["1: is not a valid works file: values nest deeper than 4 levels; "
                            "run `paperdigest authors refresh` to write it again"]),
    ('{"as_of": NaN}', ["1: is not a valid works file: NaN and Infinity are not JSON "
                        "numbers; run `paperdigest authors refresh` to write it again"]),
    ('{"a": "\x01"}', ["1: is not a valid works file: a control character inside a string; "
                       "run `paperdigest authors refresh` to write it again"]),
    ('{"a": "\\ud800"}', ["1: is not a valid works file: a string holds a lone surrogate "
                          "(\\ud800–\\udfff); run `paperdigest authors refresh` to write it "
                          "again"]),
    ('{"a": ' + "9" * 5000 + "}", ["1: is not a valid works file: a number of more than 15 "
                                   "digits; run `paperdigest authors refresh` to write it "
                                   "again"]),
    ('{"a": 1e999}', ["1: is not a valid works file: a number too large or too long; run "
                      "`paperdigest authors refresh` to write it again"]),
    ("{}\n{}", ["2: is not a valid works file: text after the closing '}'; run "
                "`paperdigest authors refresh` to write it again"]),
    ("\ufeff{}", ["1: starts with a byte-order mark (BOM): save the file as UTF-8 without "
                  "BOM"]),
    ("{}", ["1: as_of: is required: add 'as_of: …'",
            "1: source: is required: add 'source: …'", "1: works: is required: add 'works: …'"]),
    (_file(source="<b>x</b>", as_of="2026-13-01", extra=1),
     ["2: as_of: '2026-13-01' is not a real date: write it as YYYY-MM-DD",
      "13: source: '<b>x</b>' contains '<': names and titles are plain text; leave out <, > and "
      "backticks (write ＜ ＞ if needed)",
      "32: extra: unknown key: known keys are as_of, counts_by_year, source, source_url, total, "
      "works"]),
    (_work(title="a\u0007b"), ["16: works[0].title: contains the control character U+0007 at "
                               "character 2: delete it"]),
    (_work(title="x\u200by"), ["16: works[0].title: contains the invisible character U+200B "
                               "(ZERO WIDTH SPACE): delete it"]),
    (_work(title="<i>Fly</i>"), ["16: works[0].title: '<i>Fly</i>' contains HTML markup "
                                 "('<i>Fly</i>'): write plain text; a '<' must be followed by "
                                 "a space"]),
    (_work(title="x" * 501), ["16: works[0].title: is 501 characters long; the limit is 500: "
                              "shorten it"]),
    (_work(code="javascript:alert(1)"),
     ["18: works[0].code: 'javascript:alert(1)' is not an http(s) URL: write the full "
      "address, https://…"]),
    (_work(code="https://user@github.com/x"),
     ["18: works[0].code: 'https://user@github.com/x' carries a user name before '@': link "
      "the page itself"]),
    (_work(citations=-1, arxiv="2503.99999x", title=None),
     ["16: works[0].title: expected a title, got nothing",
      "18: works[0].citations: expected a number of 0 or more, got -1",
      "19: works[0].arxiv: '2503.99999x' is not an arXiv id: write it like 2503.04504, "
      "2503.04504v2 or hep-th/9901001"]),
    (_file(works=[5, {"title": "a", "arxiv": "1907.10902"}, {"title": "b", "arxiv":
                                                               "1907.10902v2"}]),
     ["15: works[0]: expected an object {…}, got the number 5",
      "22: works[2].arxiv: 1907.10902 is also works[1]: keep one of them"]),
    (_file(works=[{"title": "a"}] * 201),
     ["14: works: holds 201 entries; the limit is 200: keep the newest"]),
    (_file(counts_by_year=[{"year": 2020, "citations": 1}, {"year": 2020, "citations": 2},
                           {"year": 2027, "citations": 1}, {"year": "2021"}]),
     ["9: counts_by_year[1].year: 2020 comes after 2020: list the years once each, ascending",
      "13: counts_by_year[2].year: 2027 is not a year from 1900 to 2026 (the year of as_of)",
      "16: counts_by_year[3].citations: is required: add 'citations: …'",
      "17: counts_by_year[3].year: expected a whole number, got '2021'"]),
])
def test_hostile_files_are_refused(text: str, expected: list[str]) -> None:
    value, problems = parse_works(text, PATH)
    assert value is None
    assert [str(p) for p in problems] == [f"{PATH}:{m}" for m in expected]


def test_loader_attaches_works_to_their_author(project: Make) -> None:
    root = project({
        "content/papers/1907.10902.md": digest("1907.10902", front="authors: [T. Akiba]\n"),
        "content/authors/takuya-akiba.yaml": "name: Takuya Akiba\naliases: [T. Akiba]\n",
        "content/authors/takuya-akiba.works.json": SAMPLE_TEXT,
    })
    author = load_site(root / "content", root=root).authors["takuya-akiba"]
    assert author.works == SAMPLE.works and author.works_file == SAMPLE
    assert author.citations_by_year == ((2019, 160), (2020, 720))


def test_works_file_without_record_and_bad_works_are_errors(project: Make) -> None:
    root = project({
        "content/authors/nobody.works.json": SAMPLE_TEXT,
        "content/authors/b.yaml": "name: B\n",
        "content/authors/b.works.json": "{",
    })
    site, problems = check_content(root / "content", root=root)
    assert site is None
    assert [str(p) for p in problems] == [
        "content/authors/b.works.json:1: is not a valid works file: expected a key in double "
        "quotes; run `paperdigest authors refresh` to write it again",
        "content/authors/nobody.works.json: has no author record beside it: add nobody.yaml, "
        "or delete the works file",
    ]


# --- what the site shows: author pages, the queue, the ranking, card fields -----------------

def _site(project: Make, files: Mapping[str, str]) -> dict[str, str]:
    from paperdigest.site.render import render_site
    from paperdigest.site.settings import default_project

    root = project(files)
    options = default_project(root, contributing_url="https://example.org/c")
    return render_site(load_site(root / "content", root=root), options)


def _works(*works: Work) -> str:
    return dump_works(WorksFile.of("openalex", dt.date(2026, 11, 1), works, [(2025, 3)]))


def test_author_without_digest_says_so_and_lists_works(project: Make) -> None:
    pages = _site(project, {
        "content/authors/susumu-takeuchi.yaml": (
            "name: Susumu Takeuchi\nmetrics:\n  papers: 4\n  source: openalex\n"
            "  source_url: https://api.openalex.org/authors/A1\n  as_of: 2026-11-01\n"),
        "content/authors/susumu-takeuchi.works.json": _works(
            Work("Partially Frozen", dt.date(2024, 2, 20), "cs.LG", parse_arxiv_id("2402.14029"),
                 code="https://github.com/Hikari43/slt"), Work("No arXiv", None, "J. Tests")),
    })
    page = pages["authors/susumu-takeuchi.md"]
    assert ('<div class="pd-tile"><dt class="pd-tile__label"><abbr title="出典が数えたこの著者の'
            '論文の数（このサイトのダイジェストの数ではない）">論文数</abbr></dt>'
            '<dd class="pd-tile__value">4</dd></div>') in page
    assert ('<p class="pd-metrics-source">出典: <a href="https://api.openalex.org/authors/A1">'
            "OpenAlex</a>（2026-11-01 時点）</p>") in page
    assert "## ダイジェストのある論文（0）" in page
    assert ('<p class="pd-empty">Susumu Takeuchi の論文のダイジェストは、'
            'このサイトにはまだありません。下の著作一覧から書きたい論文を選べます。書き方は <a href="https://example.org/c">'
            "CONTRIBUTING.md</a> にあります。</p>") in page
    assert ('<p class="pd-work__meta"><span class="pd-work__venue">cs.LG</span> <time '
            'datetime="2024-02-20">2024-02-20</time> <a class="pd-code" '
            'href="https://github.com/Hikari43/slt">Code</a></p>') in page
    assert ('<p class="pd-work__wanted">この論文のダイジェストを書く: '
            "<code>paperdigest new 2402.14029</code></p>") in page
    assert page.count("paperdigest new") == 1  # a work without an arXiv id gets no command
    assert '<svg class="pd-chart" id="pd-citations-susumu-takeuchi"' in page


def test_wanted_lists_each_missing_work_once_newest_first(project: Make) -> None:
    old = Work("Old", dt.date(2020, 1, 1), arxiv=parse_arxiv_id("2001.00001"))
    new = Work("New", dt.date(2025, 1, 1), arxiv=parse_arxiv_id("2501.00001"))
    done = Work("Done", dt.date(2025, 3, 6), arxiv=parse_arxiv_id("2503.04504"))
    pages = _site(project, {
        "content/papers/2503.04504.md": digest(),
        "content/authors/a.yaml": "name: A\n", "content/authors/a.works.json": _works(old, done),
        "content/authors/b.yaml": "name: B\n", "content/authors/b.works.json": _works(new, old),
    })
    page = pages["wanted/index.md"]
    assert [line for line in page.splitlines() if "paperdigest new" in line] == [
        '<p class="pd-work__wanted"><code>paperdigest new 2501.00001</code></p>',
        '<p class="pd-work__wanted"><code>paperdigest new 2001.00001</code></p>']
    assert ('<p class="pd-work__authors" markdown>[A](../authors/a.md), [B](../authors/b.md)'
            "</p>") in page
    assert "まだダイジェストのない 2 本です" in page


def test_cards_show_code_score_and_affiliations(project: Make) -> None:
    scored = ('arxiv: "2503.00002"\nauthors: [T. Akiba]\ndate: 2025-03-02\nscore: 76.0\n'
              "code: https://github.com/x/y\n")
    pages = _site(project, {
        "content/papers/2503.00001.md": digest("2503.00001", front='affiliations: [Uni A, '
                                               'Uni B, Uni C, Uni D]\nscore: 9\n'),
        "content/papers/2503.00002.md": digest("2503.00002", front=scored),
        "content/papers/2503.00003.md": digest("2503.00003", front="date: 2025-03-03\n"),
        "content/authors/takuya-akiba.yaml": "name: Takuya Akiba\naliases: [T. Akiba]\n"
                                             "affiliation: Sakana AI\n",
    })
    ranking = pages["ranking/index.md"]
    assert ranking.index("2503.00002.md") < ranking.index("2503.00001.md")
    assert "2503.00003.md" not in ranking and "# 注目度順" in ranking
    listing = pages["papers/index.md"]
    assert ('· <a class="pd-code" href="https://github.com/x/y">Code</a> · <span class="pd-score">'
            "注目度 <strong>76.0</strong></span> ·") in listing
    # The record's current affiliation is not the paper's: the card of 2503.00002 names none.
    assert "Sakana AI" not in listing
    assert '<p class="pd-card__affiliations">Uni A · Uni B · Uni C ほか1機関</p>' in listing
    assert "注目度 <strong>9.0</strong>" in listing


@pytest.mark.parametrize(("front", "message"), [
    ("score: 7.25\n", "score: '7.25' is not a score: write a number of 0 or more with at most "
                      "one decimal, such as 76.5"),
    ("score: [1]\n", "score: expected a number such as 76.5, got a list"),
    ("affiliations: Uni\n", "affiliations: expected a list of institutions, got 'Uni': write "
                            "one item per line starting with '- '"),
    ("affiliations: [<b>Uni</b>]\n", "affiliations[0]: '<b>Uni</b>' contains HTML markup "
                                     "('<b>Uni</b>'): write plain text; a '<' must be followed "
                                     "by a space"),
])
def test_bad_score_and_affiliations(front: str, message: str) -> None:
    from paperdigest.content.loader import check_digest

    draft, problems = check_digest(digest(front=front), "content/papers/x.md")
    assert draft is None
    assert [str(p) for p in problems] == [f"content/papers/x.md:2: {message}"]


@pytest.mark.parametrize(("texts", "url"), [
    (("Code is available at https://github.com/SakanaAI/treequest .",),
     "https://github.com/SakanaAI/treequest"),
    (("Our software is available under the MIT license (https://github.com/pfnet/optuna/).",),
     "https://github.com/pfnet/optuna"),
    (("Weights: https://huggingface.co/SakanaAI/m.", "Code: github.com/a/b.git"),
     "https://github.com/a/b"),
    (("see huggingface.co/papers/2503.04412", None), None),
    (("https://gitlab.com/group/sub/proj, and more",), "https://gitlab.com/group/sub/proj"),
    (("https://github.com/orgs/x and https://github.com/topics/llm",), None),
    ((None, "14 pages"), None),
])
def test_code_url_is_found_in_abstract_or_comment(texts: tuple[str | None, ...],
                                                   url: str | None) -> None:
    from paperdigest.edit.scaffold import code_url

    assert code_url(*texts) == url


def test_scaffold_fills_code_from_the_abstract() -> None:
    from paperdigest.edit.scaffold import PaperFacts, front_matter

    arxiv = parse_arxiv_id("2503.04412")
    assert arxiv is not None
    head = front_matter(PaperFacts(arxiv, abstract="Code: https://github.com/SakanaAI/treequest"))
    assert 'code: "https://github.com/SakanaAI/treequest"' in head.splitlines()
