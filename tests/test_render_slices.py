"""A paper's page is rendered from its slice of the site and kept by a key of that slice:
the page equals the one rendered from the whole site, and a later build reuses exactly the
pages whose slice did not change."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import DATA, REPO, digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperdigest.content.loader import load_site
from paperdigest.content.model import Site
from paperdigest.site import paths
from paperdigest.site.render import Renderer, render_site
from paperdigest.site.settings import default_project

NAMES = ["Sunghyun Ahn", "Youngwan Jo", "Takuya Akiba", "Makoto Shing", "Ada *Lovelace*"]
TAGS = ["LLM", "画像生成", "RL", "a_b", "進化的マージ"]


class _Dict:
    def __init__(self) -> None:
        self.entries: dict[str, str] = {}
        self.hits = 0

    def get(self, key: str) -> str | None:
        found = self.entries.get(key)
        self.hits += found is not None
        return found

    def put(self, key: str, text: str) -> None:
        self.entries[key] = text


def _whole(site: Site, root: Path) -> dict[str, str]:
    project = default_project(root, cards=True)
    return Renderer(site, project, project.templates_dir, slices=False).run()


@pytest.mark.parametrize("folder", [REPO, DATA / "reader"])
def test_slices_render_the_same_pages_as_the_whole_site(folder: Path) -> None:
    site = load_site(folder / "content", root=folder)
    project = default_project(folder, cards=True)
    kept = _Dict()
    assert render_site(site, project, kept=kept) == _whole(site, folder)
    assert render_site(site, project, kept=kept) == _whole(site, folder)
    assert kept.hits == len(site.papers) + 1  # and the related lists


def _write(root: Path, papers: list[tuple[list[int], list[int], str]],
           records: dict[int, str]) -> Site:
    (root / "content/papers").mkdir(parents=True, exist_ok=True)
    (root / "content/authors").mkdir(parents=True, exist_ok=True)
    for old in (root / "content").rglob("*.*"):
        old.unlink()
    for i, (names, tags, title) in enumerate(papers):
        authors = "".join(f"  - {NAMES[n]!r}\n".replace("'", '"') for n in dict.fromkeys(names))
        tag_list = ", ".join(f'"{TAGS[t]}"' for t in dict.fromkeys(tags))
        front = (f'arxiv: "2503.{i + 1:05d}"\nauthors:\n{authors}date: 2025-03-0{1 + i % 9}\n'
                 f"added: 2025-04-0{1 + i % 9}\ntags: [{tag_list}]\n")
        (root / f"content/papers/{i}.md").write_text(
            digest(f"2503.{i + 1:05d}", front=front, title=title), encoding="utf-8")
    for n, affiliation in records.items():
        (root / f"content/authors/a{n}.yaml").write_text(
            f'name: "{NAMES[n]}"\naffiliation: "{affiliation}"\n', encoding="utf-8")
    return load_site(root / "content", root=root)


paper_st = st.tuples(st.lists(st.integers(0, 4), min_size=1, max_size=3),
                     st.lists(st.integers(0, 4), max_size=3),
                     st.sampled_from(["AnyAnomaly", "A *bold* [title] & co", "進化的モデルマージ",
                                      "x_y*z* \\(a\\)"]))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(paper_st, min_size=1, max_size=5),
       after=st.one_of(st.none(), st.lists(paper_st, min_size=1, max_size=5)),
       records=st.dictionaries(st.integers(0, 4), st.sampled_from(["Sakana AI", "東京大学"]),
                               max_size=3))
def test_kept_pages_are_reused_only_where_the_slice_is_the_same(
        tmp_path: Path, before: list[tuple[list[int], list[int], str]],
        after: list[tuple[list[int], list[int], str]] | None, records: dict[int, str]
) -> None:
    after = before if after is None else after
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    project = default_project(root, cards=True)
    kept = _Dict()
    first = _write(root, before, records)
    old = _whole(first, root)
    assert render_site(first, project, kept=kept) == old
    second = _write(root, after, records)
    new = _whole(second, root)
    kept.hits = 0
    assert render_site(second, project, kept=kept) == new
    # Reused at most: the pages of papers that the first site rendered identically.
    same = sum(old.get(paths.paper(p)) == new[paths.paper(p)] for p in second.papers)
    assert kept.hits <= same + 1  # the related lists, when no paper's tags changed
    if after == before:  # nothing changed: every paper page is reused
        assert kept.hits == len(second.papers) + 1


def test_kept_related_lists_that_do_not_fit_the_site_are_computed_again() -> None:
    site = load_site(DATA / "reader" / "content", root=DATA / "reader")
    project = default_project(DATA / "reader", cards=True)
    kept = _Dict()
    render_site(site, project, kept=kept)
    for key, text in list(kept.entries.items()):
        if text.startswith("{"):  # the related lists: other papers, or not JSON
            kept.entries[key] = '{"2106.09685": ["9999.99999"]}'
    assert render_site(site, project, kept=kept) == _whole(site, DATA / "reader")
    for key, text in list(kept.entries.items()):
        if text.startswith("{"):
            kept.entries[key] = "{not json"
    assert render_site(site, project, kept=kept) == _whole(site, DATA / "reader")
