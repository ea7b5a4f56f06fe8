"""The tag index: a compact list in columns, like the author index."""

from __future__ import annotations

import re

from conftest import DATA, REPO
from paperdigest.content.loader import load_site
from paperdigest.site import paths
from paperdigest.site.render import render_site
from paperdigest.site.settings import default_project


def test_the_tag_index_is_one_list_with_counts() -> None:
    root = DATA / "reader"
    site = load_site(root / "content", root=root)
    page = render_site(site, default_project(root))[paths.TAGS]
    assert "| タグ |" not in page  # no table: one line per tag is too tall for many tags
    block = page[page.index('<div class="pd-tag-index" markdown>'):page.index("</div>")]
    items = re.findall(r"^- \[#(.+?)\]\(\.\./tags/(.+?)\.md\) <span class=\"pd-count\" "
                       r"title=\"ダイジェストの数\">(\d+)</span>$", block, re.MULTILINE)
    assert [slug for _, slug, _ in items] == list(site.tags)
    assert [int(n) for _, _, n in items] == [len(site.papers_by_tag[t]) for t in site.tags]


def test_the_tag_index_flows_in_columns_like_the_author_index() -> None:
    css = (REPO / "site_templates" / "assets" / "paperdigest.css").read_text(encoding="utf-8")

    def rule(selector: str) -> str:
        found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert found is not None, selector
        return found.group(1)

    assert rule(".pd-tag-index") == rule(".pd-author-index")
    assert "list-style: none" in rule(".md-typeset .pd-tag-index ul")
    assert "break-inside: avoid" in rule(".md-typeset .pd-tag-index li")
