"""BibTeX entries read back with bibtexparser, and the "cite this digest" line."""

from __future__ import annotations

import dataclasses

import bibtexparser
import pytest
from conftest import DATA
from paperdigest.content.ids import ArxivId
from paperdigest.content.loader import load_site
from paperdigest.content.model import Paper, Site
from paperdigest.site import cite


@pytest.fixture(scope="module")
def site() -> Site:
    root = DATA / "reader"
    return load_site(root / "content", root=root)


def paper(site: Site, slug: str) -> Paper:
    return next(p for p in site.papers if p.slug == slug)


def test_bibtex_parses_with_every_field(site: Site) -> None:
    text = cite.bibtex(paper(site, "2503.00001"))
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.entry_type == "misc"
    assert entry.key == "smith2025alpha"
    fields = {f.key: f.value for f in entry.fields}
    assert fields == {
        "title": "{Alpha: Scaling Reward Models \\& Tokens}",
        "author": "Alice Smith and Bob Jones",
        "year": "2025",
        "month": "mar",
        "eprint": "2503.00001",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "doi": "10.48550/arXiv.2503.00001",
        "url": "https://arxiv.org/abs/2503.00001",
    }


def test_braces_in_titles_cannot_unbalance_the_entry(site: Site) -> None:
    library = bibtexparser.parse_string(cite.bibtex(paper(site, "2412.00004")))
    assert library.failed_blocks == []
    assert library.entries[0].fields_dict["title"].value == "{Delta Vision Backbones}"


def test_key_falls_back_to_the_id_without_latin_letters(site: Site) -> None:
    japanese = paper(site, "2503.00005")
    assert cite.citation_key(japanese) == "arxiv250300005"
    old = dataclasses.replace(japanese, arxiv=ArxivId("hep-th/9711200"), author_names=())
    assert cite.citation_key(old) == "arxivhepth9711200"
    assert cite.doi(old) == "10.48550/arXiv.hep-th/9711200"


def test_entry_without_category_omits_primary_class(site: Site) -> None:
    bare = dataclasses.replace(paper(site, "2502.00002"), category=None)
    fields = bibtexparser.parse_string(cite.bibtex(bare)).entries[0].fields_dict
    assert "primaryClass" not in fields
    assert fields["eprint"].value == "2502.00002"


def test_cite_this_digest_line(site: Site) -> None:
    line = cite.digest_line(paper(site, "2503.00005"), site,
                            "https://example.org/papers/2503.00005/", "論文ダイジェスト")
    assert line == ("論文ダイジェスト「大規模言語モデルの視覚拡張」の論文ダイジェスト. "
                    "https://example.org/papers/2503.00005/ （原論文: Bob Jones・Carol White "
                    "(2025). arXiv:2503.00005, doi:10.48550/arXiv.2503.00005）")
