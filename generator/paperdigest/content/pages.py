"""Hand-written pages (MkDocs' ``docs_dir``, ``content/pages/``): the same trust as digests.

MkDocs copies every file of ``docs_dir`` into the site and renders its Markdown. So here:

* only Markdown pages and raster images may live there (``.png``, ``.jpg``/``.jpeg``,
  ``.webp``, ``.gif``, each checked by its first bytes): an ``.html``, ``.svg`` or ``.xhtml``
  file would run script on the site's origin, and anything else has no business there;
* a page's body gets the rules of a digest body (``safety``, ``limits``);
* its front matter may set only the keys in ``PAGE_KEYS``, each to a value of its kind. The
  theme prints ``title``, ``subtitle``, ``description`` and ``author`` into the HTML as they
  are (in text, in ``content="…"``, in every page's nav), so they are plain text without
  ``<``, ``>``, ``"`` or backticks; ``template`` is one of ``TEMPLATES`` (Material's
  ``redirect.html`` prints ``location`` into a script); ``icon`` names an icon of the theme
  (it is a template path); nothing may set paperdigest's own ``pd_*`` keys;
* nothing may sit where the site puts its own pages, feeds, search index or assets
  (``RESERVED``), so no file can shadow a theme or paperdigest asset.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ContentError, Problem
from ..fileio import FileRefused, open_regular
from . import limits, safety, schema
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
        with open_regular(path) as fh:  # never a FIFO, a device or a link
            head = fh.read(12)
    except FileRefused as exc:
        return [Problem(rel, None, None, f"{exc.reason}: pages and images must be regular "
                        "files; copy the file instead")]
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
    # MkDocs reads pages with universal newlines: a lone CR ends a line for it too.
    text = text.replace("\r", "\n")
    fm_text, body, body_line = split_front_matter(text, rel, problems)
    if fm_text is None:
        meta, meta_lines, used = multimarkdown_meta(body)
        problems.extend(front_matter_problems(rel, meta, meta_lines, multimarkdown=True))
        body, body_line = "\n".join(body.split("\n")[used:]), body_line + used
    else:
        try:
            data, lines = load_yaml(fm_text, first_line=2, path=rel)
        except ContentError as exc:
            return [*problems, exc.problem]
        if isinstance(data, dict):
            problems.extend(front_matter_problems(rel, data, lines))
        elif data is not None:
            problems.append(Problem(rel, 2, None, "the front matter must be 'key: value' "
                                    "lines: fix it, or remove it"))
    problems.extend(limits.body_problems(rel, body, body_line))
    problems.extend(safety.body_problems(rel, body, body_line))
    return problems


# --- front matter ---------------------------------------------------------------------------

TEMPLATES = frozenset({"main.html"})
"""Templates a hand-written page may name. Material's others make no sense here or are
unsafe: ``redirect.html`` prints ``location`` into a script and a refresh, ``blog*.html``
need the blog plugin, ``404.html`` is the not-found page, ``base.html`` skips paperdigest's
overrides (the escaped title). paperdigest's own overrides are ``main.html``."""
STATUSES = frozenset({"new", "deprecated"})
"""Material's page statuses (printed into a class attribute)."""
HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})
"""What Material's ``hide:`` can hide."""
MAX_TEXT = {"title": 200, "subtitle": 200, "description": 300, "author": 200, "tags": 100,
            "categories": 100, "authors": 100, "slug": 100, "links": 300}
"""Characters a printed field may hold."""
_MARKUP = re.compile(r'[<>"`]')
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ICON = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+")
_FIX_TEXT = ("the theme prints it into the page's HTML as it is: write plain text, without "
             '<, >, " and backticks (write ＜ ＞ ” if needed)')


def printed_text(value: Any, key: str) -> str:
    """Text the theme prints unescaped: one line, no markup, no control or invisible
    characters, at most ``MAX_TEXT[key]`` characters. Raises ``schema.Invalid``."""
    s = schema.text(value)
    edge = _CONTROL.search(str(value))  # schema.text strips the ends: the theme prints them
    if edge:
        raise schema.Invalid(f"contains the control character U+{ord(edge.group()):04X}: "
                             "delete it, and keep the value on one line")
    bad = _MARKUP.search(s)
    if bad:
        raise schema.Invalid(f"'{_cut(s)}' contains '{bad.group()}': {_FIX_TEXT}")
    if len(s) > MAX_TEXT[key]:
        raise schema.Invalid(f"is {len(s)} characters long: shorten it to {MAX_TEXT[key]}")
    return s


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_of(allowed: frozenset[str], what: str) -> Callable[[Any, str], None]:
    def check(value: Any, key: str) -> None:
        if not isinstance(value, str) or value not in allowed:
            raise schema.Invalid(f"{schema.describe(value)} is not {what}: use "
                                 f"{' or '.join(sorted(allowed))}, or remove the line")
    return check


def _hide(value: Any, key: str) -> None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or item not in HIDE:
            raise schema.Invalid(f"{schema.describe(item)} cannot be hidden: list some of "
                                 f"{', '.join(sorted(HIDE))}")


def _search(value: Any, key: str) -> None:
    if (not isinstance(value, dict) or set(value) != {"exclude"}
            or not isinstance(value["exclude"], bool)):
        raise schema.Invalid("write 'search: {exclude: true}' (or false), or remove it")


def _tags(value: Any, key: str) -> None:
    if not isinstance(value, list):
        raise schema.Invalid(f"expected a list of tags, got {schema.describe(value)}")
    for item in value:
        printed_text(item, key)


@lru_cache(maxsize=1)
def _icons_dir() -> Path | None:
    """Material's icon folder, when the theme is installed (found without importing it)."""
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        return None
    icons = Path(next(iter(spec.submodule_search_locations)), "templates", ".icons")
    return icons if icons.is_dir() else None


def _icon(value: Any, key: str) -> None:
    # The theme includes ".icons/<icon>.svg" as a template: a path, so a strict shape.
    if not isinstance(value, str) or not _ICON.fullmatch(value):
        raise schema.Invalid(f"{schema.describe(value)} is not an icon name: write it like "
                             "material/information, or remove the line")
    icons = _icons_dir()
    if icons is not None and not (icons / f"{value}.svg").is_file():
        raise schema.Invalid(f"'{value}' is not an icon of the theme: pick one of Material's "
                             "icons (e.g. material/information), or remove the line")


def _flag(value: Any, key: str) -> None:
    schema.boolean(value)


def _minutes(value: Any, key: str) -> None:
    if schema.integer(value) > 1_000:
        raise schema.Invalid(f"{value} minutes is not a reading time: write at most 1000")


def _post_date(value: Any, key: str) -> None:
    """A blog post's ``date``: a date, or ``created:``/``updated:`` dates (Material's blog)."""
    if isinstance(value, dict):
        for when, day in value.items():
            if str(when) not in ("created", "updated"):
                raise schema.Invalid(f"'{when}' is not a kind of date: use created or updated")
            for one in day if isinstance(day, list) else [day]:
                schema.date(one)
    else:
        schema.date(value)


def _post_links(value: Any, key: str) -> None:
    """A blog post's ``links``: paths, or ``title: path`` mappings, all plain text."""
    if not isinstance(value, list):
        raise schema.Invalid(f"expected a list of links, got {schema.describe(value)}")
    for item in value:
        pairs = item.items() if isinstance(item, dict) else [("", item)]
        for title, target in pairs:
            if title:
                printed_text(title, key)
            if isinstance(target, list):
                _post_links(target, key)
            else:
                printed_text(target, key)


PAGE_KEYS: Mapping[str, Callable[[Any, str], object]] = {
    "title": printed_text, "subtitle": printed_text, "description": printed_text,
    "author": printed_text, "tags": _tags, "template": _one_of(TEMPLATES, "a page template"),
    "status": _one_of(STATUSES, "a page status"), "icon": _icon, "hide": _hide,
    "search": _search,
    # Posts of Material's blog plugin, for a site that adds digests beside its own blog.
    "date": _post_date, "categories": _tags, "authors": _tags, "slug": printed_text,
    "readtime": _minutes, "draft": _flag, "pin": _flag, "comments": _flag,
    "links": _post_links,
}
"""Every front-matter key a hand-written page may set, with its rule."""
_REFUSED = {
    "location": "hand-written pages cannot redirect (the theme prints the address into a "
                "script): remove it and link to the page instead",
}


_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"^(?:[ ]{4}|\t)\s*(?P<value>.*)")


def multimarkdown_meta(text: str) -> tuple[dict[str, str], dict[tuple[str | int, ...], int], int]:
    """The settings MkDocs reads from a page without ``---`` front matter: its first lines,
    up to a blank one, if they look like ``key: value`` (MultiMarkdown meta-data, read as
    ``mkdocs.utils.meta.get_data`` reads them). Returns them, their lines and how many lines
    they take."""
    data: dict[str, str] = {}
    lines: dict[tuple[str | int, ...], int] = {}
    key: str | None = None
    used = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip() == "":
            break
        head, more = _META.match(line), _META_MORE.match(line)
        if head:
            key = head.group("key").lower().strip()
            value = head.group("value").strip()
            data[key] = f"{data[key]} {value}" if key in data else value
            lines.setdefault((key,), number)
        elif more and key:
            data[key] += " " + more.group("value").strip()
        else:
            break
        used = number
    return data, lines, used


def front_matter_problems(rel: str, data: Mapping[Any, Any],
                          lines: Mapping[tuple[str | int, ...], int], *,
                          multimarkdown: bool = False) -> list[Problem]:
    """Every problem of a hand-written page's front matter ``data`` (``multimarkdown``: the
    ``key: value`` lines MkDocs reads from the top of a page without ``---``)."""
    problems: list[Problem] = []
    for raw_key, value in data.items():
        key = str(raw_key)
        line = lines.get((key,), 2)
        if key in PAGE_KEYS:
            try:
                PAGE_KEYS[key](value, key)
            except schema.Invalid as exc:
                if isinstance(value, list):
                    line = next((lines[(key, i)] for i in range(len(value))
                                 if (key, i) in lines and _fails(PAGE_KEYS[key], [value[i]], key)),
                                line)
                problems.append(Problem(rel, line, key, str(exc)))
        elif key in _REFUSED:
            problems.append(Problem(rel, line, key, _REFUSED[key]))
        elif key.startswith("pd_"):
            problems.append(Problem(rel, line, key, "is set by paperdigest on the pages it "
                                    "generates, never by hand: remove it"))
        elif multimarkdown:
            problems.append(Problem(rel, line, key, "MkDocs reads 'key: value' lines at the top "
                                    "of a page as its settings, and this is none: start the "
                                    "page with a heading or a blank line"))
        else:
            problems.append(Problem(rel, line, key, "is not a setting of hand-written pages: "
                                    f"use only {', '.join(sorted(PAGE_KEYS))}, or remove it"))
    return problems


def _fails(check: Callable[[Any, str], object], value: Any, key: str) -> bool:
    try:
        check(value, key)
    except schema.Invalid:
        return True
    return False
