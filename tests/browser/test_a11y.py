"""axe-core on the main page types, light and dark: no serious or critical WCAG 2 A/AA issue."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from paperdigest.content.model import Site

from .conftest import NewPage, screenshot
from .test_pages import main_pages, search, unique_body_word

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
SCHEMES = {"light": "default", "dark": "slate"}


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per rule, then the first elements it flagged and why."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}")
        for node in v["nodes"][:3]:
            why = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {why}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("kind", ["home", "paper", "author", "tag", "404", "search"])
def test_no_serious_accessibility_violations(
    new_page: NewPage, shipped_site: Site, kind: str, scheme: Literal["light", "dark"]
) -> None:
    page = new_page(color_scheme=scheme)
    if kind == "search":  # the search overlay, open with results
        word, paper = unique_body_word(shipped_site)
        assert f"/papers/{paper.slug}/" in search(page, word, f"/papers/{paper.slug}/")
    else:
        page.goto(main_pages(shipped_site)[kind])
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    assert results.response["testEngine"]["name"] == "axe-core"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        screenshot(page, f"a11y-{kind}-{scheme}")
    assert not blocking, f"{kind} ({scheme}):\n{describe(blocking)}"
