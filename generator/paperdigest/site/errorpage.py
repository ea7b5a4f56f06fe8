"""The page ``mkdocs serve`` shows while the content has errors.

A build stops on the first content error, which under ``mkdocs serve`` leaves the browser
waiting on a server that has nothing to show. Under serve the plugin renders this page in
place of the home page and of every generated page of the nav instead: the same
``file:line: what to do`` list as ``paperdigest check``, on the page being looked at, and the
live reload brings the site back on the first save that fixes the content.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from ..errors import Problem

TITLE = "内容にエラーがあります"
KEEP = frozenset({"404.md"})
"""Generated pages that stay what they are."""


def error_page(problems: Sequence[Problem]) -> str:
    """The Markdown of the error page: every problem, errors first, one per line.

    The lines are raw HTML (``pre.pd-problems``), escaped: a message cannot close the block,
    and the stylesheet wraps them, so the fix at the end of a long line is never cut off.
    """
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    text = "\n".join(html.escape(str(p), quote=False) for p in (*errors, *warnings))
    noun = f"{len(errors)} 件" if errors else "問題"
    return "\n".join([
        "---",
        f"title: {TITLE}",
        "hide: [navigation, toc]",
        "---",
        "",
        f"# {TITLE}",
        "",
        f"`content/` に {noun}のエラーがあるため、サイトを表示できません。"
        "各行の `ファイル:行` を直して保存すると、このページは自動で読み込み直され、"
        "サイトが戻ります。",
        "",
        f'<pre class="pd-problems"><code>{text}</code></pre>',
        "",
    ])


def error_pages(problems: Sequence[Problem], uris: Iterable[str]) -> dict[str, str]:
    """The error page under ``index.md`` and each of ``uris`` (the generated pages the nav
    names), so that whichever page the browser was on shows the problems."""
    page = error_page(problems)
    return {uri: page for uri in ["index.md", *sorted(set(uris) - {"index.md"})]}
