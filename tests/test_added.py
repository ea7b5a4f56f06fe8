"""Date added: ``added:``, else the day git first saw the file, else the paper's date with a
warning; the order of home, the feeds and the papers list; 追加日 on cards."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import SECTIONS, digest, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content import gitdates, schema
from paperdigest.content.loader import check_content, load_site
from paperdigest.content.model import Site
from paperdigest.site import paths, stats
from paperdigest.site.render import render_files, render_site
from paperdigest.site.settings import default_project

Make = Callable[[Mapping[str, str | bytes]], Path]
ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = dt.date(2026, 12, 2)
OPTIONS = default_project(site_url="https://example.org/d/", home_count=3, per_page=100)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "today", lambda: TODAY)


def dated(arxiv: str, day: dt.date, added: dt.date | None, title: str = "T") -> str:
    front = (f'arxiv: "{arxiv}"\nauthors: [Ann Lee]\ndate: {day.isoformat()}\n'
             + (f"added: {added.isoformat()}\n" if added else ""))
    return digest(arxiv, front=front, title=title)


# --- the rule of added: ------------------------------------------------------------------
@pytest.mark.parametrize(("value", "message"), [
    ("2026-12-03", None),  # tomorrow: the writer's time zone may be ahead
    ("2026-12-04", "'2026-12-04' is in the future: write the day the digest was added, at the "
                   "latest 2026-12-02"),
    ("2026-02-30", "'2026-02-30' is not a real date: write it as YYYY-MM-DD"),
    ("yesterday", "'yesterday' is not a date: write it as YYYY-MM-DD, e.g. 2025-03-06"),
])
def test_added_must_be_a_real_day_not_in_the_future(value: str, message: str | None) -> None:
    from paperdigest.content.loader import check_digest

    text = dated("2503.04504", dt.date(2025, 3, 6), None).replace(
        "date: 2025-03-06\n", f"date: 2025-03-06\nadded: {value}\n")
    draft, problems = check_digest(text, "content/papers/a.md")
    if message is None:
        assert problems == [] and draft is not None
        assert draft.fields["added"] == dt.date.fromisoformat(value)
    else:
        assert [str(p) for p in problems] == [f"content/papers/a.md:5: added: {message}"]


@given(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
def test_added_accepts_exactly_the_days_up_to_tomorrow(day: dt.date) -> None:
    if day <= TODAY + dt.timedelta(days=1):
        assert schema.added(day.isoformat()) == day
        assert schema.added(day) == day  # YAML reads an unquoted date as a date
    else:
        with pytest.raises(schema.Invalid, match="is in the future"):
            schema.added(day.isoformat())


# --- the fallback and its warning --------------------------------------------------------
def test_without_added_or_git_the_papers_date_stands_in_with_the_line_to_add(
        project: Make) -> None:
    root = project({"content/papers/a.md": dated("1706.03762", dt.date(2017, 6, 12), None),
                    "content/papers/b.md": "# Plain\n\n[View Paper](https://arxiv.org/abs/"
                                           "2503.00002)\n\n" + SECTIONS})
    site, problems = check_content(root / "content", root=root)
    assert site is not None
    assert [str(p) for p in problems] == [
        "content/papers/a.md:4: warning: added: is missing and git history does not say when "
        "the file was added, so the site dates and orders the digest by the paper's date "
        "(2017-06-12): add the line 'added: 2026-12-02' below this one (or the day the "
        "digest was added, if not today)",
        "content/papers/b.md:1: warning: added: is missing and git history does not say when "
        "the file was added, so the site dates and orders the digest by the paper's date "
        "(the month of its arXiv id): add the line 'added: 2026-12-02' in front matter at the "
        "top ('---', 'added: 2026-12-02', '---') (or the day the digest was added, if not "
        "today)",
    ]
    paper = next(p for p in site.papers if p.slug == "1706.03762")
    assert paper.added is None and paper.added_on == dt.date(2017, 6, 12)
    assert not paper.shows_added


def test_the_offered_line_silences_the_warning(project: Make) -> None:
    root = project({"content/papers/a.md": dated("1706.03762", dt.date(2017, 6, 12), None)})
    _, problems = check_content(root / "content", root=root)
    line = re.search(r"add the line '([^']+)'", problems[0].message)
    assert line is not None and problems[0].line == 4
    path = root / "content/papers/a.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(problems[0].line or 0, line[1])
    path.write_text("\n".join(lines), encoding="utf-8")
    site, problems = check_content(root / "content", root=root)
    assert problems == [] and site is not None and site.papers[0].added == TODAY


# --- git history -------------------------------------------------------------------------
def git(root: Path, *args: str, when: str = "2026-01-01T12:00:00+09:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.org",
           "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    env.pop("GIT_CEILING_DIRECTORIES", None)
    return subprocess.run(["git", "-C", str(root), *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def commit(root: Path, when: str, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def history(project: Make, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project in git: a.md added on 2025-05-01 (JST), moved into a folder on 2026-02-01;
    b.md added on 2026-11-30 with its own added: 2026-11-29; c.md not committed."""
    monkeypatch.delenv("GIT_CEILING_DIRECTORIES", raising=False)
    root = project({"content/papers/a.md": dated("1706.03762", dt.date(2017, 6, 12), None)})
    git(root, "init", "-q")
    commit(root, "2025-05-01T08:00:00+09:00", "a")  # 2025-04-30 in UTC: the committer's day
    (root / "content/papers/old").mkdir()
    (root / "content/papers/a.md").rename(root / "content/papers/old/a.md")
    write_tree(root, {"content/papers/b.md": dated("2503.00002", dt.date(2025, 3, 2),
                                                   dt.date(2026, 11, 29))})
    commit(root, "2026-02-01T10:00:00+00:00", "move a, add b")
    write_tree(root, {"content/papers/c.md": dated("2503.00003", dt.date(2025, 3, 3), None)})
    return root


def test_git_dates_the_files_it_knows_and_a_move_keeps_the_day(history: Path) -> None:
    site, problems = check_content(history / "content", root=history)
    assert site is not None
    added = {p.slug: p.added for p in site.papers}
    assert added == {"1706.03762": dt.date(2025, 5, 1),  # moved, dated by its first commit
                     "2503.00002": dt.date(2026, 11, 29),  # added: wins over git
                     "2503.00003": None}  # not committed yet
    assert [(p.path, p.field) for p in problems] == [("content/papers/c.md", "added")]
    assert [p.slug for p in site.papers] == ["2503.00002", "1706.03762", "2503.00003"]


def test_one_git_log_for_the_whole_content_folder(history: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(history, {f"content/papers/n{i}.md": dated(f"2401.{i:05d}", dt.date(2024, 1, 1),
                                                          None) for i in range(1, 21)})
    commit(history, "2026-03-01T00:00:00+00:00", "twenty")
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(args: list[str], **kwargs: object) -> object:
        calls.append(list(args))
        return real(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(gitdates.subprocess, "run", counting)
    site, _ = check_content(history / "content", root=history)
    assert site is not None and len(site.papers) == 23
    assert sum("log" in c for c in calls) == 1 and len(calls) == 2  # rev-parse and one log
    assert {p.added for p in site.papers if p.slug.startswith("2401.")} == {dt.date(2026, 3, 1)}


def test_a_shallow_clone_gives_no_day_rather_than_a_wrong_one(
        history: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    commit(history, "2026-03-01T00:00:00+00:00", "c")
    clone = tmp_path_factory.mktemp("shallow") / "clone"
    git(clone.parent, "clone", "-q", "--depth", "1", f"file://{history}", str(clone))
    assert gitdates.first_added(clone / "content", clone) == {
        "content/papers/old/a.md": None, "content/papers/b.md": None,
        "content/papers/c.md": None, "content/pages/about.md": None}
    _, problems = check_content(clone / "content", root=clone)
    assert {p.path for p in problems} == {"content/papers/old/a.md", "content/papers/c.md"}
    assert all("cut short" in p.message and "fetch-depth: 0" in p.message for p in problems)
    git(clone, "fetch", "-q", "--unshallow")
    full = load_site(clone / "content", root=clone)
    assert {p.slug: p.added for p in full.papers} == {
        "1706.03762": dt.date(2025, 5, 1), "2503.00002": dt.date(2026, 11, 29),
        "2503.00003": dt.date(2026, 3, 1)}


def test_a_full_clone_builds_the_same_bytes(history: Path,
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    commit(history, "2026-03-01T00:00:00+00:00", "c")
    clone = tmp_path_factory.mktemp("full") / "clone"
    git(clone.parent, "clone", "-q", f"file://{history}", str(clone))

    def output(root: Path) -> tuple[dict[str, str], dict[str, str | bytes]]:
        site = load_site(root / "content", root=root)
        return render_site(site, OPTIONS), render_files(site, OPTIONS)

    here = output(history)
    assert here == output(history) == output(clone)
    assert "2026-03-01T00:00:00Z" in str(here[1][paths.FEED])


def test_the_build_dates_digests_as_check_does(history: Path) -> None:
    """The plugin (a real strict build) and ``check`` read the same dates from git."""
    from test_site_build import build

    config = history / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      cards: false\n      search: none\n"),
        encoding="utf-8")
    commit(history, "2026-03-01T00:00:00+00:00", "c")
    result = build(config, history / "site")
    assert result.returncode == 0, result.stderr
    site = load_site(history / "content", root=history)
    entries = ET.parse(history / "site" / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}id", "").split("/papers/")[1].rstrip("/"),
             e.findtext(f"{ATOM}published")) for e in entries] == [
        (p.slug, f"{p.added_on.isoformat()}T00:00:00Z") for p in site.papers]
    assert [p.slug for p in site.papers] == ["2503.00002", "2503.00003", "1706.03762"]


def test_without_a_repository_or_git_nothing_is_dated(history: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    assert gitdates.first_added(tmp_path / "elsewhere", tmp_path) == {}
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on PATH
    assert gitdates.first_added(history / "content", history) == {}


@given(st.lists(st.tuples(st.sampled_from(["A", "R100", "R087"]),
                          st.text(st.characters(blacklist_characters="\0"), min_size=1,
                                  max_size=8)), max_size=6),
       st.booleans())
def test_the_log_parser_reads_any_path(changes: list[tuple[str, str]], shallow: bool) -> None:
    """Paths may hold spaces, newlines and any character but NUL; each commit adds one file
    (or renames the previous one), a day later than the one before."""
    tokens: list[str] = []
    expected: dict[str, dt.date | None] = {}
    previous = None
    for n, (status, path) in enumerate(changes):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=n)
        tokens += ["", "", f"{day.isoformat()} {'' if n == 0 else 'abc'}"]
        first_shallow = shallow and n == 0
        if status == "A" or previous is None:
            tokens += ["\nA", path]
            expected.setdefault(path, None if first_shallow else day)
        else:
            tokens += [f"\n{status}", previous, path]
            expected.setdefault(path, expected.get(previous, day))
        previous = path
    assert gitdates.parse_log("\0".join(tokens) + "\0", shallow=shallow) == expected


# --- order and dates on the pages ----------------------------------------------------------
def card_order(page: str) -> list[str]:
    return re.findall(r"\]\((?:\.\./)*papers/([0-9.]+)\.md\)\{ \.pd-card__title \}", page)


def check_order(site: Site, expected: list[str]) -> None:
    """Home, papers list, both feeds and papers.json give ``expected`` (newest added first);
    feed dates are the dates added."""
    pages = render_site(site, OPTIONS)
    files = render_files(site, OPTIONS)
    assert [p.slug for p in site.papers] == expected
    assert card_order(pages[paths.HOME]) == expected[:OPTIONS.home_count]
    assert card_order(pages[paths.PAPERS]) == expected
    atom = ET.fromstring(files[paths.FEED])
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id", "").rstrip("/").rsplit("/", 1)[1] for e in entries] \
        == expected
    by_slug = {p.slug: p for p in site.papers}
    for entry, slug in zip(entries, expected, strict=True):
        stamp = f"{by_slug[slug].added_on.isoformat()}T00:00:00Z"
        assert entry.findtext(f"{ATOM}published") == stamp == entry.findtext(f"{ATOM}updated")
    assert atom.findtext(f"{ATOM}updated") == f"{site.papers[0].added_on.isoformat()}T00:00:00Z"
    items = json.loads(files[paths.JSON_FEED])["items"]
    assert [i["id"].rstrip("/").rsplit("/", 1)[1] for i in items] == expected
    assert [i["date_published"][:10] for i in items] == \
        [by_slug[s].added_on.isoformat() for s in expected]
    records = json.loads(files[paths.PAPERS_JSON])["papers"]
    assert [r["id"] for r in records] == expected
    assert [r["added"] for r in records] == [
        by_slug[s].added.isoformat() if by_slug[s].added else None for s in expected]
    # The month archive stays by the paper's date.
    for _month, papers in stats.by_month(site.papers):
        assert [p.date for p in papers] == sorted((p.date for p in papers), reverse=True)


# A few shared days too, so ties on the date added (then on the paper's date) are common.
days = st.one_of(st.sampled_from([dt.date(2017, 6, 12), dt.date(2025, 3, 6), TODAY]),
                 st.dates(dt.date(2010, 1, 1), TODAY))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(days, st.one_of(st.none(), days)), min_size=1, max_size=6))
def test_home_feeds_and_papers_are_newest_added_first(
        entries: list[tuple[dt.date, dt.date | None]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, {f"content/papers/{i}.md": dated(f"2501.{i:05d}", day, added)
                          for i, (day, added) in enumerate(entries, start=1)})
        site = load_site(root / "content", root=root)
    keyed = [((added or day), day, f"2501.{i:05d}")
             for i, (day, added) in enumerate(entries, start=1)]
    check_order(site, [k[2] for k in sorted(keyed, reverse=True)])


def test_a_digest_imported_today_for_a_2017_paper_leads_home_and_both_feeds(
        project: Make, tmp_path: Path) -> None:
    from test_arxiv import invoke, offline, ok

    root = project({
        "content/papers/2503.00001.md": dated("2503.00001", dt.date(2025, 3, 1),
                                              dt.date(2026, 12, 1)),
        "content/papers/2503.00002.md": dated("2503.00002", dt.date(2026, 11, 30),
                                              dt.date(2026, 11, 30)),
    })
    dump = tmp_path / "dump.md"
    dump.write_text("# Attention Is All You Need\n\n[View Paper](https://arxiv.org/abs/"
                    "1706.03762)\n\n" + SECTIONS, encoding="utf-8")
    _, _, obj = offline(ok("1706.03762.xml"))
    result = invoke(root, obj, "import", "--fetch", str(dump))
    assert result.exit_code == 0, result.output
    text = (root / "content/papers/1706.03762.md").read_text(encoding="utf-8")
    assert "\ndate: 2017-06-12\nadded: 2026-12-02\n" in text
    site, problems = check_content(root / "content", root=root)
    assert site is not None and problems == []
    check_order(site, ["1706.03762", "2503.00001", "2503.00002"])
    home = render_site(site, OPTIONS)[paths.HOME]
    assert ('<time datetime="2017-06-12">2017-06-12</time> · <span class="pd-added">追加日 '
            '<time datetime="2026-12-02">2026-12-02</time></span>') in home
    # Added the day the paper appeared: one date only.
    assert home.count("追加日") == 2


@pytest.mark.parametrize(("added", "shown"), [(None, False), ("2025-03-06", False),
                                              ("2025-03-09", True)])
def test_cards_and_the_paper_page_show_the_day_added_only_when_it_differs(
        project: Make, added: str | None, shown: bool) -> None:
    day = dt.date.fromisoformat(added) if added else None
    root = project({"content/papers/a.md": dated("2503.04504", dt.date(2025, 3, 6), day)})
    site = load_site(root / "content", root=root)
    pages = render_site(site, OPTIONS)
    for uri in (paths.HOME, paths.PAPERS, paths.paper(site.papers[0])):
        assert ("追加日" in pages[uri]) is shown, uri
    page = pages[paths.paper(site.papers[0])]
    assert f'published_time: "{added or "2025-03-06"}"' in page
