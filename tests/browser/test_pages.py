"""What readers see, in a real Chromium: cards, paper pages, people, tags, search, phones."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from conftest import REPO
from paperdigest.content.model import SECTION_TITLES, Author, Paper, Site, Tag
from playwright.sync_api import Locator, Page, expect

from .conftest import INSTALL_HINT, PHONE, NewPage, find_chromium, no_browser, screenshot

pytestmark = pytest.mark.browser

ARTICLE = "article.md-content__inner"
KATAKANA_WORD = re.compile(r"[ァ-ヺ][ァ-ヺー]{3,}")


def url_of(kind: str, slug: str) -> str:
    """Site-relative URL of a page, percent-encoded as a browser sends it."""
    return f"{kind}/{quote(slug)}/"


def paper_with_code(site: Site) -> Paper:
    """A paper with a code link and a code block: the page with the most to check."""
    for paper in site.papers:
        if paper.code and any("```" in s.body for s in paper.sections):
            return paper
    raise AssertionError("no shipped digest has both a code link and a code block")


def busiest_author(site: Site) -> Author:
    with_record = [a for a in site.authors.values() if a.has_record]
    return max(with_record, key=lambda a: (len(site.papers_by_author.get(a.slug, ())), a.slug))


def busiest_tag(site: Site) -> Tag:
    return max(site.tags.values(), key=lambda t: (len(site.papers_by_tag[t.slug]), t.slug))


def main_pages(site: Site) -> dict[str, str]:
    """The page of each kind that the phone and accessibility checks visit."""
    return {
        "home": "", "paper": url_of("papers", paper_with_code(site).slug),
        "author": url_of("authors", busiest_author(site).slug),
        "tag": url_of("tags", busiest_tag(site).slug), "404": "no/such/page/",
    }


def unique_body_word(site: Site) -> tuple[str, Paper]:
    """A katakana word of one digest's body that no other digest contains, even in part.

    Katakana runs are single words to both a morphological segmenter and an n-gram index, so
    the search engine behind the box does not change what a hit means.
    """
    sources = {p.slug: (REPO / p.source_path).read_text(encoding="utf-8") for p in site.papers}
    best: tuple[int, int, str, Paper] | None = None
    for paper in site.papers:
        body = "\n".join(s.body for s in paper.sections)
        for word, count in Counter(KATAKANA_WORD.findall(body)).items():
            if sum(word in text for text in sources.values()) != 1:
                continue
            key = (count, len(word), word, paper)
            if best is None or key[:3] > best[:3]:
                best = key
    assert best is not None, "no digest has a katakana word of its own"
    return best[2], best[3]


def heading(text: str) -> re.Pattern[str]:
    """A heading's text, with or without the permalink sign the theme appends."""
    return re.compile(rf"^\s*{re.escape(text)}\s*¶?\s*$")


def page_widths(page: Page) -> tuple[int, int]:
    """Width of the document and of the viewport, in CSS pixels."""
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return int(scroll), int(viewport)


def test_home_shows_the_latest_papers_as_cards(page: Page, shipped_site: Site) -> None:
    page.goto("")
    cards = page.locator("article.pd-card")
    expected = shipped_site.papers[: min(12, len(shipped_site.papers))]
    expect(cards).to_have_count(len(expected))
    titles = [t.strip() for t in cards.locator(".pd-card__title").all_inner_texts()]
    assert titles == [p.title for p in expected]
    for card in cards.all():
        expect(card.locator(".pd-blurb__text").first).to_be_visible()
        expect(card.locator("a.pd-share").first).to_be_visible()
        expect(card.locator("button.pd-copy").first).to_be_visible()
    screenshot(page, "home-desktop")
    cards.first.locator(".pd-card__title").click()
    expect(page).to_have_url(re.compile(re.escape(url_of("papers", expected[0].slug)) + "$"))
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading(expected[0].title))


def test_paper_page_has_eight_sections_and_links(page: Page, shipped_site: Site) -> None:
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading(paper.title))
    for n in range(1, 9):
        section = page.locator(f"#section-{n}")
        expect(section).to_be_visible()
        expect(section).to_contain_text(f"{n}. {SECTION_TITLES[n]}")
    expect(page.locator(f"{ARTICLE} pre code").first).to_be_visible()
    links = {cls: page.locator(f"a.{cls}") for cls in ("pd-link-abs", "pd-link-pdf",
                                                         "pd-link-code")}
    expect(links["pd-link-abs"]).to_have_attribute(
        "href", f"https://arxiv.org/abs/{paper.arxiv.full}")
    expect(links["pd-link-pdf"]).to_have_attribute(
        "href", f"https://arxiv.org/pdf/{paper.arxiv.full}")
    expect(links["pd-link-code"]).to_have_attribute("href", paper.code or "")
    for link in links.values():
        expect(link).to_be_visible()
    screenshot(page, "paper-desktop")
    # Clicking must lead to arXiv; a stub answers so that nothing leaves the machine.
    page.route("https://arxiv.org/**", lambda route: route.fulfill(body="arXiv stub"))
    links["pd-link-abs"].click()
    expect(page).to_have_url(f"https://arxiv.org/abs/{paper.arxiv.full}")


def test_share_link_posts_the_blurb_and_the_page_url(
    page: Page, shipped_site: Site, site_url: str
) -> None:
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    blurb = page.locator('.pd-blurb[lang="ja"]').first
    expect(blurb.locator(".pd-blurb__text")).to_have_text(paper.blurb)
    share = blurb.locator("a.pd-share")
    expect(share).to_have_attribute("target", "_blank")
    expect(share).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    parts = urlsplit(share.get_attribute("href") or "")
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "x.com", "/intent/tweet")
    query = parse_qs(parts.query, strict_parsing=True)
    page_url = site_url.rstrip("/") + "/" + url_of("papers", paper.slug)
    assert query == {"text": [paper.blurb], "url": [unquote(page_url)]}
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", page_url)


def test_copy_button_copies_blurb_and_link(
    new_page: NewPage, shipped_site: Site, site_url: str
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    button = page.locator('.pd-blurb[lang="ja"] button.pd-copy').first
    expected = f"{paper.blurb} {site_url.rstrip('/')}/papers/{paper.slug}/"
    expect(button).to_have_attribute("data-copy", expected)
    button.click()
    expect(button).to_have_attribute("data-copied", "")
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_author_page(page: Page, shipped_site: Site) -> None:
    author = busiest_author(shipped_site)
    papers = shipped_site.papers_by_author[author.slug]
    page.goto(url_of("authors", author.slug))
    expect(page.locator(f"{ARTICLE} h1")).to_contain_text(author.name)
    expect(page.locator(ARTICLE)).to_contain_text(f"論文（{len(papers)}）")
    cards = page.locator("article.pd-card")
    titles = [t.strip() for t in cards.locator(".pd-card__title").all_inner_texts()]
    assert titles and titles == [p.title for p in papers[: len(titles)]]
    screenshot(page, "author-desktop")


def test_author_index_links_and_sorts(page: Page, shipped_site: Site) -> None:
    author = busiest_author(shipped_site)
    page.goto("authors/")
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading("著者"))
    # Filed by family name: "Feng Jiang" is listed as "Jiang, Feng" under J.
    shown = author.name if author.sort_name else author.filing_name
    link = page.get_by_role("link", name=shown, exact=True)
    expect(link).to_be_visible()
    names = [n.strip() for n in page.locator(".pd-author-index li > a").all_inner_texts()]
    latin = [n for n in names if n[:1].isascii()]
    assert latin == sorted(latin, key=str.casefold) and len(latin) > 1
    screenshot(page, "authors-desktop")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(url_of("authors", author.slug)) + "$"))


def test_tag_page_and_index(page: Page, shipped_site: Site) -> None:
    tag = busiest_tag(shipped_site)
    papers = shipped_site.papers_by_tag[tag.slug]
    page.goto("tags/")
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading("タグ"))
    page.locator(f"{ARTICLE} a", has_text=re.compile(rf"^#{re.escape(tag.name)}$")).click()
    expect(page).to_have_url(re.compile(re.escape(url_of("tags", tag.slug)) + "$"))
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading(f"#{tag.name}"))
    expect(page.locator(ARTICLE)).to_contain_text(f"{len(papers)} 本の論文")
    cards = page.locator("article.pd-card")
    titles = [t.strip() for t in cards.locator(".pd-card__title").all_inner_texts()]
    assert titles and titles == [p.title for p in papers[: len(titles)]]
    screenshot(page, "tag-desktop")


def search_box(page: Page) -> Locator:
    """The header's search input, whichever engine renders it (a button may open it)."""
    fields = "input[type=search]:visible, input[type=text]:visible, [role=searchbox]:visible"
    box = page.locator("header").locator(fields)
    if box.count() == 0:
        opener = page.locator("header").get_by_role("button", name=re.compile("検索|search", re.I))
        opener.or_(page.locator('header label[for="__search"]')).first.click()
        box = page.locator(fields)
    expect(box.first).to_be_visible()
    return box.first


def visible_paper_links(page: Page) -> set[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "els => els.filter(e => e.offsetParent !== null)"
                   ".map(e => new URL(e.href).pathname)")
    return {unquote(h) for h in hrefs if re.fullmatch(r"/papers/.+/", h)}


def search(page: Page, word: str, expected: str) -> set[str]:
    """Type ``word`` into the header search of the About page; return the papers it lists.

    Waits until ``expected`` (a path such as ``/papers/x/``) is among them or time runs out.
    """
    page.goto("about/")
    before = visible_paper_links(page)
    search_box(page).fill(word)
    found: set[str] = set()
    for _ in range(50):  # the index loads in the background; results follow it
        found = visible_paper_links(page) - before
        if expected in found:
            break
        page.wait_for_timeout(100)
    return found


def test_japanese_search_finds_a_digest_by_a_word_of_its_body(
    page: Page, shipped_site: Site
) -> None:
    word, paper = unique_body_word(shipped_site)
    target = f"/papers/{paper.slug}/"
    found = search(page, word, target)
    assert target in found, (word, sorted(found))
    assert len(found) < len(shipped_site.papers), "the search did not narrow anything down"
    screenshot(page, "search-desktop", full_page=False)  # an overlay: what is on screen


def test_404_page(page: Page) -> None:
    response = page.goto("no/such/page/")
    assert response is not None and response.status == 404
    expect(page.locator(f"{ARTICLE} h1")).to_have_text(heading("404 - Not found"))
    expect(page.locator("header")).to_be_visible()
    screenshot(page, "404-desktop")


@pytest.mark.parametrize("kind", ["home", "paper", "author", "tag", "404"])
def test_phone_has_no_horizontal_scroll(new_page: NewPage, shipped_site: Site,
                                        kind: str) -> None:
    page = new_page(viewport=PHONE)
    page.goto(main_pages(shipped_site)[kind])
    if kind == "paper":
        expect(page.locator(f"{ARTICLE} pre code").first).to_be_attached()
    width, viewport = page_widths(page)
    shot: Path = screenshot(page, f"{kind}-phone")
    assert width <= viewport, f"{kind}: page is {width}px wide on a {viewport}px phone ({shot})"


def test_palette_toggle_switches_dark_mode(page: Page) -> None:
    page.goto("")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.locator('form[data-md-component="palette"] label:visible').first.click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    screenshot(page, "home-desktop-dark")
    page.reload()  # the choice is remembered
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    page.locator('form[data-md-component="palette"] label:visible').first.click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")


def test_without_a_browser_ci_fails_and_elsewhere_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        no_browser("no Chromium executable at /nowhere/chromium")
    assert str(failed.value) == ("browser tests cannot run in CI: no Chromium executable at "
                                 f"/nowhere/chromium; {INSTALL_HINT}")
    monkeypatch.delenv("CI")
    with pytest.warns(pytest.PytestWarning), pytest.raises(pytest.skip.Exception) as skipped:
        no_browser("no Chromium executable at /nowhere/chromium")
    assert str(skipped.value) == ("BROWSER TESTS SKIPPED: no Chromium executable at "
                                  f"/nowhere/chromium; {INSTALL_HINT}")


def test_chromium_variable_names_the_browser(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    binary = tmp_path / "chromium"
    monkeypatch.setenv("CHROMIUM", str(binary))
    assert find_chromium() is None
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert find_chromium() == str(binary)
