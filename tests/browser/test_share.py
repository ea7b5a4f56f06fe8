"""Sharing in a real Chromium: the thread kit's copy button and the link to post it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from paperdigest.content.model import Site
from paperdigest.site import thread as threads
from playwright.sync_api import expect

from .conftest import NewPage
from .test_pages import paper_with_code, url_of

pytestmark = pytest.mark.browser


def test_copy_button_copies_the_exact_thread(new_page: NewPage, shipped_site: Site,
                                             site_url: str) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    kit = threads.thread(paper, f"{site_url.rstrip('/')}/papers/{paper.slug}/")
    button = page.get_by_role("button", name="スレッドをコピー")
    expect(button).to_have_count(1)
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("data-copied", "")
    assert page.evaluate("navigator.clipboard.readText()") == kit.text
    assert kit.text.count("\n\n---\n\n") == len(kit.posts) - 1


def test_thread_posts_are_listed_and_the_first_can_be_posted(
    new_page: NewPage, shipped_site: Site, site_url: str
) -> None:
    page = new_page()
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    kit = threads.thread(paper, f"{site_url.rstrip('/')}/papers/{paper.slug}/")
    page.locator(".pd-thread summary").click()
    posts = page.locator(".pd-thread li .pd-thread__text")
    expect(posts).to_have_count(len(kit.posts))
    assert [posts.nth(i).inner_text() for i in range(len(kit.posts))] == [
        p.text for p in kit.posts]
    intent = page.locator("a.pd-thread__intent").get_attribute("href") or ""
    assert intent.startswith("https://x.com/intent/tweet?")
    assert parse_qs(urlsplit(intent).query) == {"text": [paper.blurb]}


def test_share_card_is_served(new_page: NewPage, shipped_site: Site, site_url: str) -> None:
    page = new_page()
    paper = paper_with_code(shipped_site)
    page.goto(url_of("papers", paper.slug))
    image = page.locator('meta[property="og:image"]').get_attribute("content") or ""
    assert image == f"{site_url.rstrip('/')}/assets/cards/papers/{paper.slug}.png"
    response = page.request.get(image.replace(site_url.rstrip("/"), page.url.split("/papers/")[0]))
    assert response.ok and response.headers["content-type"] == "image/png"
    assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
