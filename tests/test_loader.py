"""Loading content: what is derived, and the exact message of every validation error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import SECTIONS, digest, without_added, write_tree
from paperdigest.content.loader import check_content, check_digest, load_digest, load_site
from paperdigest.content.records import check_record
from paperdigest.errors import ContentErrors, Problem

Make = Callable[[Mapping[str, str | bytes]], Path]


def messages(root: Path) -> list[str]:
    site, problems = check_content(root / "content", root=root)
    problems = without_added(problems)
    assert site is None
    return [str(p) for p in problems]


def test_valid_digest_is_loaded(project: Make) -> None:
    root = project({"content/papers/2503.04504.md": digest()})
    site = load_site(root / "content", root=root)
    (paper,) = site.papers
    assert paper.slug == "2503.04504" and paper.arxiv.full == "2503.04504v1"
    assert paper.title == "AnyAnomaly"
    assert paper.date == dt.date(2025, 3, 6) and not paper.date_is_estimated
    assert paper.authors == ("sunghyun-ahn", "youngwan-jo")
    assert [site.tags[t].name for t in paper.tags] == ["LLM", "異常検知", "ZeroShot"]
    assert paper.blurb == "再学習なしで異常検知 #異常検知 #ZeroShot"


def test_digest_without_front_matter_derives_what_it_can(project: Make) -> None:
    root = project({"content/papers/x.md": digest("2502.18968", front="", title="Know You")})
    (paper,) = load_site(root / "content", root=root).papers
    assert (paper.slug, paper.arxiv.version, paper.title) == ("2502.18968", "v1", "Know You")
    assert paper.date == dt.date(2025, 2, 1) and paper.date_is_estimated
    assert paper.authors == ()


def test_old_style_id(project: Make) -> None:
    front = 'arxiv: hep-th/9711200\ntitle: "The Large N Limit"\n'
    text = digest("hep-th/9711200", front=front)
    root = project({"content/papers/hep-th/9711200.md": text})
    (paper,) = load_site(root / "content", root=root).papers
    assert paper.slug == "hep-th/9711200" and paper.date == dt.date(1997, 11, 1)


def test_unquoted_new_style_id_is_not_a_float(project: Make) -> None:
    text = digest("2503.10100", front="arxiv: 2503.10100\n")
    root = project({"content/papers/a.md": text})
    (paper,) = load_site(root / "content", root=root).papers
    assert paper.slug == "2503.10100"


def test_names_and_tags_are_merged(project: Make) -> None:
    one = digest("2503.00001", front="authors: [Takuya Akiba]\ntags: ['#LLM']\n")
    two = digest("2503.00002", front="authors: [takuya  akiba, 秋葉 拓哉]\ntags: [ＬＬＭ, llm]\n")
    root = project({
        "content/papers/a.md": one, "content/papers/b.md": two,
        "content/authors/takuya-akiba.yaml": "name: Takuya Akiba\nnative_name: 秋葉 拓哉\n",
    })
    site = load_site(root / "content", root=root)
    assert {p.authors for p in site.papers} == {("takuya-akiba",)}
    assert site.tags["llm"].name == "LLM"
    assert len(site.papers_by_tag["llm"]) == 2
    assert site.authors["takuya-akiba"].has_record


def test_drafts_are_left_out(project: Make) -> None:
    root = project({"content/papers/a.md": digest(front="draft: true\n")})
    assert load_site(root / "content", root=root).papers == ()
    assert len(load_site(root / "content", root=root, include_drafts=True).papers) == 1


P = "content/papers/a.md"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {P: digest(front="arxiv: 2503.04504\nauthors:\n  - Ann\n  - 42\n")},
            [f"{P}:5: authors[1]: expected a name, got the number 42: quote it if it is "
             "meant as text"],
            id="author-number",
        ),
        pytest.param(
            {P: digest(front="tag: [LLM]\n")},
            [f"{P}:2: tag: unknown key: did you mean 'tags'?"],
            id="typo-key",
        ),
        pytest.param(
            {P: digest(front="arxiv: 2503.4504\n")},
            [f"{P}:2: arxiv: '2503.4504' is not an arXiv id: write it like 2503.04504, "
             "2503.04504v2 or hep-th/9901001"],
            id="bad-id",
        ),
        pytest.param(
            {P: digest(front="arxiv: 2503.05132\n")},
            [f"{P}:2: arxiv: '2503.05132' does not match the View Paper link (2503.04504v1) "
             "on line 7: make them agree"],
            id="id-mismatch",
        ),
        pytest.param(
            {P: digest(front="date: 2025-02-30\n")},
            [f"{P}:2: date: '2025-02-30' is not a real date: write it as YYYY-MM-DD"],
            id="impossible-date",
        ),
        pytest.param(
            {P: digest(front="date: March 2025\ndraft: no\n")},
            [f"{P}:2: date: 'March 2025' is not a date: write it as YYYY-MM-DD, e.g. 2025-03-06",
             f"{P}:3: draft: expected true or false, got 'no'"],
            id="date-and-norway",
        ),
        pytest.param(
            {P: digest(front="code: github.com/x/y\ncategory: CS CV\n")},
            [f"{P}:2: code: 'github.com/x/y' is not an http(s) URL: write the full address, "
             "https://…",
             f"{P}:3: category: 'CS CV' is not an arXiv category: write it like cs.CL or hep-th"],
            id="url-category",
        ),
        pytest.param(
            {P: digest(front="tags: LLM\n")},
            [f"{P}:2: tags: expected a list of tags, got 'LLM': write one item per line "
             "starting with '- '"],
            id="tags-not-list",
        ),
        pytest.param(
            {P: digest(front="title: a\ntitle: b\n")},
            [f"{P}:3: front matter: duplicate key 'title' (first on line 2): keep only one"],
            id="duplicate-key",
        ),
        pytest.param(
            {P: "---\ntitle: [unclosed\n---\n# T\n"},
            [f"{P}:2: front matter: YAML syntax error: the '[' opened here is never closed: "
             "end it with ']', or, if the value is text, put it in quotes: title: \"[unclosed\""],
            id="front-matter-syntax",
        ),
        pytest.param(
            {P: "---\narxiv: '2503.04504'\ntitle: Foo: Bar\n---\n" + SECTIONS},
            [f"{P}:3: front matter: YAML syntax error: the value holds ': ', which YAML reads "
             "as a second key: put the value in quotes: title: \"Foo: Bar\""],
            id="colon-in-title",
        ),
        pytest.param(
            {P: "---\narxiv: 2503.04504\n# T\n"},
            [f"{P}:1: the front matter opened on line 1 is never closed: add a line '---' "
             "after the last key"],
            id="unterminated",
        ),
        pytest.param(
            {P: "---\n- a\n- b\n---\n" + digest(front="")},
            [f"{P}:2: the front matter must be a mapping of 'key: value' lines, got a list"],
            id="not-mapping",
        ),
        pytest.param(
            {P: digest(sections=SECTIONS.replace(
                "## 4. Limitationや問題点は何か\n\n計算コストが高い。\n\n", ""))},
            [f"{P}:27: section 4: is missing: add '## 4. Limitationや問題点は何か' and its text"],
            id="missing-section",
        ),
        pytest.param(
            {P: "---\narxiv: '2503.04504'\n---\n\n" + SECTIONS},
            [f"{P}:1: title: is missing: add a '# Title' line or 'title: …' to the front matter"],
            id="missing-title",
        ),
        pytest.param(
            {P: "# T\n\n" + SECTIONS},
            [f"{P}:1: arxiv: is missing: add 'arxiv: <id>' to the front matter or a "
             "'[View Paper](https://arxiv.org/abs/<id>)' line"],
            id="missing-id",
        ),
        pytest.param(
            {P: digest(), "content/papers/b.md": digest()},
            ["content/papers/b.md: arxiv: the paper 2503.04504 is also in content/papers/a.md: "
             "keep one file per paper"],
            id="same-paper-twice",
        ),
        pytest.param(
            {P: b"\xef\xbb\xbf" + digest().encode()},
            [f"{P}:1: starts with a byte-order mark (BOM): save the file as UTF-8 without BOM"],
            id="bom",
        ),
        pytest.param(
            {P: digest(front="title: \"A\u200bB\"\n")},
            [f"{P}:2: title: contains the invisible character U+200B (ZERO WIDTH "
             "SPACE): delete it"],
            id="zero-width",
        ),
        pytest.param(
            {"content/papers/論文.md": digest()},
            ["content/papers/論文.md: file names must be printable ASCII: rename it after the "
             "arXiv id, e.g. 2503.04504.md"],
            id="non-ascii-name",
        ),
        pytest.param(
            {"content/authors/Akiba.yaml": "name: A\n"},
            ["content/authors/Akiba.yaml: the file name must be a lower-case ASCII id such as "
             "takuya-akiba.yaml (letters, digits, '-'; not index, initial, page)"],
            id="author-id",
        ),
        pytest.param(
            {"content/authors/a.yaml": "native_name: 秋葉\nmetrics:\n  h_index: '16'\n"},
            ["content/authors/a.yaml:1: name: is required: add 'name: …'",
             "content/authors/a.yaml:3: metrics.h_index: expected a whole number, got '16'"],
            id="author-record",
        ),
        pytest.param(
            {"content/authors/a.yaml": "name: Ann Lee\n",
             "content/authors/b.yaml": "name: Bo\naliases: [ann  lee]\n"},
            ["content/authors/b.yaml: the name 'ann lee' also belongs to content/authors/a.yaml: "
             "a name may match only one record; remove it from one"],
            id="ambiguous-name",
        ),
    ],
)
def test_exact_error_messages(project: Make, files: dict[str, str | bytes],
                              expected: list[str]) -> None:
    root = project(files)
    assert messages(root) == expected


def test_all_errors_reported_at_once(project: Make) -> None:
    root = project({
        "content/papers/a.md": digest(front="tag: x\n"),
        "content/papers/b.md": digest("2503.00002", front="authors: [1]\n"),
    })
    with pytest.raises(ContentErrors) as info:
        load_site(root / "content", root=root)
    assert len(info.value.errors) == 2
    assert str(info.value).splitlines()[0] == "2 problems in content:"


def test_symlinks_are_rejected(project: Make, tmp_path: Path) -> None:
    root = project({"outside.md": digest()})
    (root / "content/papers/link.md").symlink_to(root / "outside.md")
    assert messages(root) == ["content/papers/link.md: is a symbolic link: content files must "
                              "be regular files; copy the file instead"]


def test_case_clash(project: Make) -> None:
    root = project({})
    write_tree(root, {"content/papers/A.md": digest(),
                      "content/papers/a.md": digest("2503.00009")})
    if len(list((root / "content/papers").iterdir())) < 2:
        pytest.skip("case-insensitive file system")
    assert messages(root) == ["content/papers/a.md: differs from content/papers/A.md only by "
                              "case or Unicode form: the two clash on macOS and Windows; "
                              "rename one"]


def test_check_digest_is_what_the_loader_runs(tmp_path: Path) -> None:
    """Tools run check_digest on the exact text they will write: same verdict as a build."""
    bad = digest().replace("date: 2025-03-06", "date: 2025-02-30").replace(
        "再学習なしで異常検知", "再学習なしで異常検知 <script>")
    for text in (digest(), bad):
        path = tmp_path / "content" / "papers" / "2503.04504.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        loaded: list[Problem] = []
        from_file = load_digest(path, tmp_path, loaded)
        draft, problems = check_digest(text, "content/papers/2503.04504.md")
        assert problems == sorted(loaded, key=Problem.sort_key)
        assert (draft is None) == (from_file is None) == (text is bad)
    assert [str(p) for p in check_digest(bad, "x.md")[1]] == [
        "x.md:6: date: '2025-02-30' is not a real date: write it as YYYY-MM-DD",
        "x.md:49: raw HTML '<script>' is not allowed: write Markdown instead (only <br>, <sub> "
        "and <sup> without attributes are kept), or put it in `backticks` if it is meant as code",
    ]


def test_check_record_reports_what_the_build_reports() -> None:
    record, problems = check_record('name: Ann Lee\nsemantic_scholar: "12\\"3"\n',
                                    "content/authors/ann-lee.yaml")
    assert record is None
    assert [str(p) for p in problems] == [
        "content/authors/ann-lee.yaml:2: semantic_scholar: '12\"3' does not look right: "
        'expected something like "1741101" (digits)']
    record, problems = check_record("name: Ann Lee\n", "content/authors/ann-lee.yaml")
    assert record is not None and record.id == "ann-lee" and problems == []


def test_an_empty_section_says_how_to_pass_and_is_a_warning_in_a_draft() -> None:
    text = digest(sections=SECTIONS.replace("計算コストが高い。", ""))
    assert [str(p) for p in check_digest(text, "a.md")[1]] == [
        "a.md:27: section 4: is empty: write what the paper says about it (a sentence is "
        "enough)"]
    draft = text.replace("tags: [LLM]\n", "tags: [LLM]\ndraft: true\n")
    result, problems = check_digest(draft, "a.md")
    assert result is not None
    assert [str(p) for p in problems] == [
        "a.md:28: warning: section 4: is empty: write it before removing 'draft: true'"]


def test_a_new_scaffold_passes_the_check() -> None:
    from paperdigest.content.ids import parse_arxiv_id
    from paperdigest.edit.scaffold import PaperFacts, scaffold

    arxiv = parse_arxiv_id("2503.04504v1")
    assert arxiv is not None
    text = scaffold(PaperFacts(arxiv=arxiv, title="AnyAnomaly", authors=("Sunghyun Ahn",)))
    draft, problems = check_digest(text, "content/papers/2503.04504.md")
    assert draft is not None and draft.fields["draft"] is True
    assert {p.severity for p in problems} == {"warning"} and len(problems) == 8
