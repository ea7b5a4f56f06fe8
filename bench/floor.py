"""The floor: the bench corpus as plain MkDocs + Material pages, no plugin, small nav.

One page per paper (the digest body unchanged, plus its authors, date and tags), one per
author and per tag with a short list, an authors index, a tag index and a home page with the
latest 50 papers. The nav names only Home / Authors / Tags, as the real site's nav does not
list papers either. What the real build costs beyond this is the plugin's doing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from benchconfig import write_floor_configs

HOME_LATEST = 50


def _split(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert isinstance(meta, dict)
    return meta, body.lstrip("\n")


def _slug(name: str) -> str:
    return "-".join(part.strip(".").lower() for part in name.split())


def _link(title: str, target: str) -> str:
    return f"[{title.replace('[', '(').replace(']', ')')}]({target})"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_floor(project: Path) -> None:
    """Write PROJECT/floor/ (docs/ and two mkdocs.yml) from PROJECT/content/."""
    docs = project / "floor" / "docs"
    papers: list[tuple[str, dict[str, Any]]] = []
    by_author: dict[str, list[str]] = defaultdict(list)
    by_tag: dict[str, list[str]] = defaultdict(list)
    for path in sorted((project / "content" / "papers").glob("*.md")):
        meta, body = _split(path.read_text(encoding="utf-8"))
        ident = str(meta["arxiv"]).removesuffix("v1")
        papers.append((ident, meta))
        for name in meta["authors"]:
            by_author[name].append(ident)
        for tag in meta["tags"]:
            by_tag[tag].append(ident)
        title_line, rest = body.split("\n", 1)
        info = [
            "著者: " + ", ".join(_link(n, f"../authors/{_slug(n)}.md") for n in meta["authors"]),
            f"日付: {meta['date']} · {meta['category']}",
            "タグ: " + ", ".join(_link(t, f"../tags/{_tag_slug(t)}.md")
                               for t in meta["tags"]),
        ]
        _write(docs / "papers" / f"{ident}.md",
               f"{title_line}\n\n" + "  \n".join(info) + "\n" + rest)
    titles = {ident: meta["title"] for ident, meta in papers}
    names = sorted(by_author)
    for name in names:
        items = "".join(f"- {_link(titles[i], f'../papers/{i}.md')}\n" for i in by_author[name])
        _write(docs / "authors" / f"{_slug(name)}.md", f"# {name}\n\n{items}")
    _write(docs / "authors" / "index.md", "# 著者\n\n" + "".join(
        f"- {_link(n, f'{_slug(n)}.md')} ({len(by_author[n])})\n" for n in names))
    tags = sorted(by_tag)
    for tag in tags:
        items = "".join(f"- {_link(titles[i], f'../papers/{i}.md')}\n" for i in by_tag[tag])
        _write(docs / "tags" / f"{_tag_slug(tag)}.md", f"# {tag}\n\n{items}")
    _write(docs / "tags" / "index.md", "# タグ\n\n" + "".join(
        f"- {_link(t, f'{_tag_slug(t)}.md')} ({len(by_tag[t])})\n" for t in tags))
    latest = sorted(papers, key=lambda p: str(p[1]["date"]), reverse=True)[:HOME_LATEST]
    _write(docs / "index.md", "# ホーム\n\n[著者](authors/index.md) · [タグ](tags/index.md)\n\n"
           + "".join(f"- {_link(m['title'], f'papers/{i}.md')}\n" for i, m in latest))
    about = project / "content" / "pages" / "about.md"
    _write(docs / "about.md", about.read_text(encoding="utf-8"))
    write_floor_configs(project / "floor")


def _tag_slug(tag: str) -> str:
    # ASCII file names: tags are mostly Japanese; the code points keep slugs distinct.
    return "t-" + "-".join(f"{ord(c):x}" for c in tag)
