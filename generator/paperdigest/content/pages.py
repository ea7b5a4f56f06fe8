"""Hand-written pages (MkDocs' ``docs_dir``, ``content/pages/``): the same trust as digests.

MkDocs copies every file of ``docs_dir`` into the site and renders its Markdown. So here:

* only Markdown pages and raster images may live there (``.png``, ``.jpg``/``.jpeg``,
  ``.webp``, ``.gif``, each checked by its first bytes): an ``.html``, ``.svg`` or ``.xhtml``
  file would run script on the site's origin, and anything else has no business there;
* a page's body gets the rules of a digest body (``safety``, ``limits``) and its front
  matter the rules of front-matter text (a ``title`` is a name: no ``<``, ``>``, backtick);
* nothing may sit where the site puts its own pages, feeds, search index or assets
  (``RESERVED``), so no file can shadow a theme or paperdigest asset.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import ContentError, Problem
from . import limits, safety
from .textfile import read_text, relpath, split_front_matter
from .yamlsafe import load as load_yaml

IMAGES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
          ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",)}
"""Image types a page may use, with the bytes each starts with."""

RESERVED = frozenset({
    "index.md", "404.md", "404.html", "feed.xml", "feed.json", "papers.json", "sitemap.xml",
    "sitemap.xml.gz", "robots.txt", "papers", "authors", "tags", "blurbs", "archive",
    "categories", "stats", "wanted", "ranking", "assets", "search", "pagefind", "cards",
})
"""First path parts the site generates (pages, feeds, search, theme and card assets).

``tests/test_site_build.py`` checks that every file a build writes falls under one of these
or comes from ``docs_dir``, so this list cannot fall behind the URL layout."""


def pages_problems(files: list[Path], pages_dir: Path, root: Path,
                   reserved: frozenset[str] = RESERVED) -> list[Problem]:
    """Every problem of the files of ``pages_dir``; none may start with a part in
    ``reserved``."""
    problems: list[Problem] = []
    for path in files:
        rel = relpath(path, root)
        inside = PurePosixPath(path.relative_to(pages_dir).as_posix())
        if inside.parts[0] in reserved:
            problems.append(Problem(rel, None, None, f"'{inside}' is where the site puts its own "
                                    f"'{inside.parts[0]}': rename or move the file"))
            continue
        suffix = inside.suffix.lower()
        if suffix == ".md":
            problems.extend(_page_problems(path, rel))
        elif suffix in IMAGES:
            problems.extend(_image_problems(path, rel, suffix))
        else:
            problems.append(Problem(rel, None, None, "only Markdown pages (.md) and images "
                                    "(.png, .jpg, .webp, .gif) may live among the pages: "
                                    "remove it" + (" (convert an SVG to PNG)"
                                                   if suffix == ".svg" else "")))
    return problems


def _image_problems(path: Path, rel: str, suffix: str) -> list[Problem]:
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        return [Problem(rel, None, None, f"cannot be read ({exc.strerror}): make it readable")]
    if not head.startswith(IMAGES[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        return [Problem(rel, None, None, f"is not a {suffix[1:].upper()} image: save it as one, "
                        "or give it the right extension")]
    return []


def _page_problems(path: Path, rel: str) -> list[Problem]:
    problems: list[Problem] = []
    text = read_text(path, rel, problems, limits.MAX_DIGEST_BYTES)
    if text is None:
        return problems
    fm_text, body, body_line = split_front_matter(text, rel, problems)
    if fm_text is not None:
        try:
            data, lines = load_yaml(fm_text, first_line=2, path=rel)
        except ContentError as exc:
            return [*problems, exc.problem]
        if isinstance(data, dict):
            fields = {str(k): v for k, v in data.items()}
            problems.extend(safety.field_problems(rel, fields, lines))
    problems.extend(limits.body_problems(rel, body, body_line))
    problems.extend(safety.body_problems(rel, body, body_line))
    return problems
