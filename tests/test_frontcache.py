"""Front matter parsed once gives what MkDocs' own parse gives, for any page text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta
from paperdigest.site.cachestore import Store
from paperdigest.site.frontcache import FrontMatter

FRONTS = ["title: x\n", "pd_og:\n  title: \"a\"\n  tags: [a, b]\n", "- a list\n", "just text\n",
          "a: [unclosed\n", "n: 1\nd: 2025-01-01\n", "x: !!python/name:os.system\n", "''\n",
          "k: |\n  multi\n  line\n", "title: \"日本語\"\npd_search: true\n"]
BODIES = ["# Title\n\ntext", "", "\n\n\nbody", "---\nnot front\n---\n", "Title: mmd style\n\nx"]


def _doc(front: str | None, body: str, closer: str) -> str:
    return body if front is None else f"---\n{front}{closer}\n{body}"


@settings(max_examples=150, deadline=None)
@given(front=st.one_of(st.none(), st.sampled_from(FRONTS), st.text(max_size=40)),
       body=st.one_of(st.sampled_from(BODIES), st.text(max_size=40)),
       closer=st.sampled_from(["---", "...", "--- "]))
def test_the_cached_parse_is_mkdocs_parse(front: str | None, body: str, closer: str) -> None:
    doc = _doc(front, body, closer)
    cache = FrontMatter(None)
    assert cache.get_data(doc) == meta.get_data(doc)
    assert cache.get_data(doc) == meta.get_data(doc)  # from the cache this time


def test_a_later_build_reads_it_back_and_every_page_gets_its_own_copy(tmp_path: Path) -> None:
    store = Store(tmp_path / "sources", b"0" * 64, ".index")
    doc = _doc("pd_og:\n  tags: [a, b]\n", "# T\n", "---")
    first = FrontMatter(store)
    assert first.get_data(doc) == meta.get_data(doc) and first.hits == 0
    first.save()
    later = FrontMatter(store)
    _, one = later.get_data(doc)
    _, two = later.get_data(doc)
    assert later.hits == 2 and one == two == meta.get_data(doc)[1]
    one["pd_og"]["tags"].append("changed")  # a plugin changing one page's meta
    assert two["pd_og"]["tags"] == ["a", "b"]
    # A damaged store is a miss: parsed again.
    for path in (tmp_path / "sources").rglob("*.index"):
        path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    damaged = FrontMatter(store)
    assert damaged.get_data(doc) == meta.get_data(doc) and damaged.hits == 0
