"""The thread kit of a paper: up to four posts for X, each counted as X counts it.

1. the Japanese blurb; 2. the English blurb, when the digest has one; 3. a reply with the
title and the link to the digest page (links go in a reply: the first post reads on its
own); 4. the arXiv link. A post over 280 as X counts it is shortened with "…" (only the
title can be that long; the blurbs are validated to fit with a link already).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..content import blurb as blurbs
from ..content import ids
from ..content.model import Paper

MAX_POSTS = 4
SEPARATOR = "\n\n---\n\n"
"""Between posts when the whole thread is copied as one text."""


@dataclass(frozen=True)
class Post:
    """One post of a thread."""

    text: str
    weighted_length: int
    """Length as X counts it (twitter-text v3): at most 280."""


@dataclass(frozen=True)
class Thread:
    """The posts of one paper's thread, in posting order."""

    posts: tuple[Post, ...]

    @property
    def text(self) -> str:
        """The whole thread as the copy button copies it: posts between ``---`` lines."""
        return SEPARATOR.join(p.text for p in self.posts)

    @property
    def intent(self) -> str:
        """The X web-intent link that opens the first post."""
        return intent_link(self.posts[0].text)


def intent_link(text: str) -> str:
    """The X web-intent link of a post without a separate link (``url=``)."""
    return "https://x.com/intent/tweet?" + urlencode({"text": text}, quote_via=quote)


def _post(text: str) -> Post:
    return Post(text, blurbs.weighted_length(text))


def fit(text: str, limit: int = blurbs.LIMIT) -> str:
    """``text`` as it is when X counts it within ``limit``, else cut with "…" to fit.

    Only the first line is cut, between user-perceived characters; the rest (the line with
    the link) is kept whole.
    """
    if blurbs.weighted_length(text) <= limit:
        return text
    head, sep, tail = text.partition("\n")

    def fits(k: int) -> bool:
        return blurbs.weighted_length(head[:k] + "…" + sep + tail) <= limit

    # Binary search (a count costs a scan of the text), then a step back for the rare
    # prefix whose count is not monotone (a URL that stops being one when cut).
    low, high = 0, len(head)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    while low > 0 and not fits(low):
        low -= 1
    # Never cut a base from its combining marks or a joined emoji from its parts.
    while low > 0 and _inside_cluster(head, low):
        low -= 1
    return head[:low].rstrip() + "…" + sep + tail


def _inside_cluster(text: str, at: int) -> bool:
    """True when a cut before ``text[at]`` would split a user-perceived character."""
    if text[at - 1] == "\u200d":
        return True
    return at < len(text) and (unicodedata.combining(text[at]) > 0
                               or text[at] in "\u200d\ufe0f")


def thread(paper: Paper, page_url: str) -> Thread:
    """The thread kit of ``paper``, whose digest page is at ``page_url``."""
    posts = [_post(fit(paper.blurb))]
    if paper.blurb_en:
        posts.append(_post(fit(paper.blurb_en)))
    posts.append(_post(fit(f"{paper.title}\n解説: {page_url}")))
    posts.append(_post(f"arXiv: {ids.abs_url(paper.arxiv)}"))
    return Thread(tuple(posts[:MAX_POSTS]))


def problems(t: Thread) -> list[str]:
    """Posts X would refuse (over 280, or an invalid character); ``[]`` when none."""
    out = []
    for n, post in enumerate(t.posts, 1):
        counted = blurbs.count(post.text)
        if not counted.valid:
            out.append(f"post {n} is {counted.weighted_length} long as X counts it "
                       f"(limit {blurbs.LIMIT}) or holds a character X refuses")
    return out
