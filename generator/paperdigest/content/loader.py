"""Reading ``content/`` into a validated ``Site``.

Two phases, as in Pelican: first every file is read and checked on its own (problems are
collected, never raised one by one), then names, tags and ids are resolved across files.
If anything is wrong, ``ContentErrors`` carries every problem at once.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ContentError, ContentErrors, Problem, Severity, has_errors
from . import blurb as blurbs
from . import gitdates, limits, links, pages, safety
from . import schema as s
from .cache import FileCache, Shelf
from .digest import ParsedDigest, missing_sections, parse_digest, split_tweet
from .discover import find_content
from .fields import PAPER_FIELDS, rules
from .ids import (
    RESERVED_AUTHOR_SLUGS,
    RESERVED_TAG_SLUGS,
    ArxivId,
    ascii_slug,
    hashed_slug,
    tag_key,
    text_key,
    unicode_slug,
)
from .model import SECTION_TITLES, Author, Paper, Site, Tag
from .parallel import load_files
from .provenance import reviewed
from .records import Record, author_of, load_author, name_index
from .textfile import read_text, relpath, split_front_matter, text_problems
from .works import WorksFile, load_works
from .yamlsafe import load as load_yaml

PAPER_RULES: Mapping[str, s.Checker] = rules(PAPER_FIELDS)
"""The checker of every front-matter key (declared in ``PAPER_FIELDS``)."""

T = TypeVar("T")



@dataclass
class Draft:
    """A digest checked on its own, before names and tags are resolved across files."""

    path: str
    arxiv: ArxivId
    title: str
    names: list[str]
    date: dt.date | None
    fields: dict[str, Any]
    body: ParsedDigest
    blurb: str
    tag_texts: list[str] = field(default_factory=list)
    added_line: int = 1
    """Where ``added:`` goes when it is missing: after ``date:`` (or ``arxiv:``)."""
    has_front_matter: bool = True
    body_text: str = ""
    """The body as written (after the front matter), for the lines of its links."""
    body_line: int = 1


def load_digest(path: Path, root: Path, problems: list[Problem]) -> Draft | None:
    """Read one digest and check it on its own; append its problems; return it when usable."""
    rel = relpath(path, root)
    text = read_text(path, rel, problems, limits.MAX_DIGEST_BYTES)
    if text is None:
        return None
    draft, found = check_digest(text, rel)
    problems.extend(found)
    return draft


def check_digest(text: str, rel: str) -> tuple[Draft | None, list[Problem]]:
    """Every check a digest gets on its own, on its text: what the build runs on each file,
    and what the tools that write digests run on the exact text before writing it.

    Returns:
        The draft (``None`` when any error was found) and every problem, in file order.
    """
    problems = text_problems(text, rel, limits.MAX_DIGEST_BYTES)
    if problems:
        return None, problems
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    draft = _check_digest(text, rel, problems)
    return draft, sorted(problems, key=Problem.sort_key)


def _check_digest(text: str, rel: str, problems: list[Problem]) -> Draft | None:
    before = len(problems)
    fm_text, body, body_line = split_front_matter(text, rel, problems)
    if len(problems) > before:
        return None
    fields: dict[str, Any] = {}
    lines: dict[tuple[str | int, ...], int] = {}
    if fm_text is not None:
        try:
            data, lines = load_yaml(fm_text, first_line=2, path=rel)
        except ContentError as exc:
            problems.append(replace(exc.problem, message=f"front matter: {exc.problem.message}"))
            return None
        fields, found = s.check_mapping(
            {} if data is None else data, PAPER_RULES, path=rel, lines=lines, line_offset=0,
            what="the front matter",
        )
        problems.extend(found)
    parsed = parse_digest(body, body_line, rel)
    problems.extend(parsed.problems)
    arxiv = _resolve_id(rel, fields, parsed, lines, problems)
    title = fields.get("title") or parsed.title
    if not title:
        problems.append(Problem(rel, 1, "title", "is missing: add a '# Title' line or "
                                "'title: …' to the front matter"))
    for number in missing_sections(parsed.sections):
        later = [sec.line for sec in parsed.sections if sec.number > number]
        where = later[0] if later else (
            parsed.sections[-1].line if parsed.sections else parsed.title_line)
        problems.append(Problem(rel, where, f"section {number}", "is missing: add "
                                f"'## {number}. {SECTION_TITLES[number]}' and its text"))
    problems.extend(_empty_sections(rel, parsed, draft=bool(fields.get("draft"))))
    blurb = _blurb(rel, fields, parsed, lines, problems)
    hashtags = [h.text for h in blurbs.extract_hashtags(blurb)] if blurb else []
    problems.extend(limits.body_problems(rel, body, body_line))
    problems.extend(_count_problems(rel, fields, lines, hashtags))
    problems.extend(safety.digest_problems(
        rel, fields, lines, body, body_line, (parsed.title, parsed.title_line), hashtags))
    problems.extend(links.unused_references(rel, links.shown(parsed.sections), body, body_line))
    if arxiv is None or not title or has_errors(problems[before:]):
        return None
    return Draft(
        path=rel, arxiv=arxiv, title=title, names=list(fields.get("authors", [])),
        date=fields.get("date"), fields=fields, body=parsed, blurb=blurb,
        tag_texts=[*fields.get("tags", []), *hashtags],
        added_line=lines.get(("date",)) or lines.get(("arxiv",)) or 1,
        has_front_matter=fm_text is not None, body_text=body, body_line=body_line,
    )


def _empty_sections(rel: str, parsed: ParsedDigest, *, draft: bool) -> list[Problem]:
    """An empty section is an error, and a warning in a draft (``paperdigest new`` writes a
    draft with the eight headings ready, which must pass the check)."""
    fix = ("write what the paper says about it (a sentence is enough)" if not draft else
           "write it before removing 'draft: true'")
    return [Problem(rel, s.line, f"section {s.number}", f"is empty: {fix}",
                    Severity.WARNING if draft else Severity.ERROR)
            for s in parsed.sections if not s.body.strip()]


def _count_problems(rel: str, fields: Mapping[str, Any], lines: Mapping[Any, int],
                    hashtags: list[str]) -> list[Problem]:
    """Too many tags or authors: each becomes a page of the site."""
    found = []
    tags = len({*fields.get("tags", []), *hashtags})
    message = limits.count_problem("tags", tags, limits.MAX_TAGS,
                                   "keep the tags a reader would look for")
    if message:
        found.append(Problem(rel, lines.get(("tags",), 1), "tags", message))
    message = limits.count_problem("authors", len(fields.get("authors", [])),
                                   limits.MAX_AUTHORS, "list the first authors and the "
                                   "corresponding ones; the arXiv page has the rest")
    if message:
        found.append(Problem(rel, lines.get(("authors",)), "authors", message))
    return found


def _resolve_id(
    rel: str, fields: dict[str, Any], parsed: ParsedDigest, lines: Mapping[Any, int],
    problems: list[Problem],
) -> ArxivId | None:
    from_link = None
    if parsed.paper_url is not None:
        try:
            from_link = s.arxiv_id(parsed.paper_url)
        except s.Invalid:
            problems.append(Problem(rel, parsed.paper_url_line, "View Paper",
                                    f"'{parsed.paper_url}' is not an arXiv link: use "
                                    "https://arxiv.org/abs/<id>"))
    declared: ArxivId | None = fields.get("arxiv")
    if declared and from_link and declared.base != from_link.base:
        problems.append(Problem(rel, lines.get(("arxiv",)), "arxiv",
                                f"'{declared}' does not match the View Paper link "
                                f"({from_link}) on line {parsed.paper_url_line}: make them agree"))
    if declared and from_link and declared.version is None:
        declared = from_link
    result = declared or from_link
    if result is None and "arxiv" not in fields:
        problems.append(Problem(rel, 1, "arxiv", "is missing: add 'arxiv: <id>' to the front "
                                "matter or a '[View Paper](https://arxiv.org/abs/<id>)' line"))
    return result


def _blurb(
    rel: str, fields: dict[str, Any], parsed: ParsedDigest, lines: Mapping[Any, int],
    problems: list[Problem],
) -> str:
    section8 = next((sec for sec in parsed.sections if sec.number == 8), None)
    if "blurb" in fields:
        text, line, where = fields["blurb"], lines.get(("blurb",)), "blurb"
    elif section8 is not None:
        # Only the tweet: a note written after it stays on the page, off the post.
        text, line, where = (blurbs.clean_blurb(split_tweet(section8.body)[0]), section8.line,
                             "section 8")
    else:
        return ""
    if where == "section 8" and not text.strip():
        return ""  # reported as an empty section (a warning in a draft)
    for message in blurbs.share_text_problems(text):
        problems.append(Problem(rel, line, where, message))
    if "blurb_en" in fields:
        for message in blurbs.share_text_problems(fields["blurb_en"]):
            problems.append(Problem(rel, lines.get(("blurb_en",)), "blurb_en", message))
    return str(text)


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def resolve(drafts: list[Draft], records: list[Record], problems: list[Problem],
            works: Mapping[str, WorksFile] | None = None,
            git_added: Mapping[str, dt.date | None] | None = None) -> Site:
    """Second phase: match names to records, merge tags, find duplicate papers.

    ``works`` are the works files by record id (discovery made sure each has its record);
    ``git_added`` the day each file (by path as problems name it) first entered git history.
    """
    index = name_index(records, problems)
    authors: dict[str, Author] = {r.id: replace(author_of(r), works_file=(works or {}).get(r.id))
                                  for r in records}
    taken = set(authors) | RESERVED_AUTHOR_SLUGS
    by_key: dict[str, str] = {}
    first_spelling: dict[str, str] = {}
    for draft in drafts:
        for n in draft.names:
            first_spelling.setdefault(text_key(n), n)
    for key in sorted(first_spelling):
        if key in index:
            by_key[key] = index[key].id
            continue
        spelling = first_spelling[key]
        slug = _unique(ascii_slug(spelling) or hashed_slug(spelling, "a"), taken)
        by_key[key] = slug
        authors[slug] = Author(slug=slug, name=spelling)

    tag_forms: dict[str, Counter[str]] = {}
    for draft in drafts:
        for t in draft.tag_texts:
            if tag_key(t):
                tag_forms.setdefault(tag_key(t), Counter())[t.lstrip("#＃ ").strip()] += 1
    tags: dict[str, Tag] = {}
    tag_slug: dict[str, str] = {}
    tag_taken: set[str] = set(RESERVED_TAG_SLUGS)
    for key in sorted(tag_forms):
        base = ascii_slug(key) if key.isascii() else unicode_slug(key)
        slug = _unique(base or hashed_slug(key, "t"), tag_taken)
        display = sorted(tag_forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        tags[slug] = Tag(slug=slug, name=display, key=key)
        tag_slug[key] = slug

    seen: dict[str, str] = {}
    papers: list[Paper] = []
    for draft in sorted(drafts, key=lambda d: d.path):
        first = seen.get(draft.arxiv.base)
        if first is not None:
            problems.append(Problem(draft.path, None, "arxiv",
                                    f"the paper {draft.arxiv.base} is also in {first}: "
                                    "keep one file per paper"))
            continue
        seen[draft.arxiv.base] = draft.path
        added = gitdates.added_date(
            draft.path, draft.fields.get("added"), git_added or {}, problems,
            paper_day=draft.date, line=draft.added_line if draft.has_front_matter else None)
        papers.append(replace(_paper(draft, by_key, tag_slug), added=added))
    return Site.build(papers, authors, tags)


def _paper(draft: Draft, by_key: Mapping[str, str], tag_slug: Mapping[str, str]) -> Paper:
    year, month = draft.arxiv.year_month
    slugs = list(dict.fromkeys(by_key[text_key(n)] for n in draft.names))
    paper_tags = list(dict.fromkeys(tag_slug[tag_key(t)] for t in draft.tag_texts if tag_key(t)))
    f = draft.fields
    copied: dict[str, Any] = {x.attr: f.get(x.name) for x in PAPER_FIELDS if x.copied and x.attr}
    return Paper(
        arxiv=draft.arxiv, slug=draft.arxiv.base, title=draft.title, authors=tuple(slugs),
        author_names=tuple(draft.names), date=draft.date or dt.date(year, month, 1),
        date_is_estimated=draft.date is None, tags=tuple(paper_tags), blurb=draft.blurb,
        affiliations=tuple(dict.fromkeys(f.get("affiliations", ()))), sections=draft.body.sections,
        source_path=draft.path, **copied,
        provenance=reviewed(f.get("provenance"), draft=bool(f.get("draft"))),
    )


def find_files(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """Digests and author records under ``content_dir``, in a stable order."""
    found = find_content(content_dir, content_dir.parent)
    return found.papers, found.authors


@dataclass
class LoadCache:
    """What ``check_content`` may reuse from the previous build (``mkdocs serve``)."""

    digests: FileCache[Draft | None] = field(default_factory=FileCache)
    records: FileCache[Record | None] = field(default_factory=FileCache)
    works: FileCache[tuple[str, WorksFile] | None] = field(default_factory=FileCache)

    def shelve(self, shelf: Shelf | None, namespace: str) -> None:
        """Keep results in ``shelf`` between builds too; ``namespace`` is what they depend
        on besides each file's bytes (the code; the day, which ``added:`` is checked
        against, is added here)."""
        day = s.today().isoformat()
        for kind, cache in (("digest", self.digests), ("record", self.records),
                            ("works", self.works)):
            cache.shelf = shelf
            cache.namespace = f"{kind}\x00{day}\x00{namespace}"

    def shelved(self) -> set[str]:
        """The shelf keys of every result held (the entries a build keeps)."""
        return self.digests.shelved() | self.records.shelved() | self.works.shelved()


def _load_all(paths: list[Path], load: Callable[[Path, Path, list[Problem]], T], root: Path,
              cache: FileCache[T] | None, problems: list[Problem]) -> list[T]:
    """Load every file (changed files only, with a cache), on every core for large sites."""
    if cache is None:
        loaded = load_files(load, paths, root)
    else:
        cache.keep_only(paths)
        misses = cache.stale(paths)
        fresh = dict(zip(misses, load_files(load, misses, root), strict=True))
        loaded = [cache.load(p, lambda q, out: _replay(fresh[q], out)) for p in paths]
    results = []
    for result, found in loaded:
        problems.extend(found)
        results.append(result)
    return results


def _replay(loaded: tuple[T, list[Problem]], out: list[Problem]) -> T:
    out.extend(loaded[1])
    return loaded[0]


def check_content(
    content_dir: Path, *, root: Path | None = None, include_drafts: bool = False,
    cache: LoadCache | None = None, pages_dir: Path | None = None,
    page_map: Callable[[Site], links.PageMap | None] | None = None,
    reserved: frozenset[str] = pages.RESERVED,
) -> tuple[Site | None, list[Problem]]:
    """Load and validate everything; return the site (None if any error) and all problems.

    ``pages_dir`` (MkDocs' ``docs_dir``) is checked too when given: its pages get the rules
    of digest bodies, and nothing there may shadow a generated page or an asset (first path
    parts in ``reserved``: ``site.paths.reserved`` gives them for a ``root:`` setting). With
    ``page_map`` (the site's files, from ``site.pagemap``), the digests' links are judged
    against it as the build judges them, once everything else is valid.
    """
    root = root or content_dir.parent
    found = find_content(content_dir, root, pages_dir)
    problems = found.problems
    paper_files, author_files = found.papers, found.authors
    if pages_dir is not None:
        problems.extend(pages.pages_problems(found.pages, pages_dir, root, reserved))
    drafts = [d for d in _load_all(paper_files, load_digest, root,
                                   cache.digests if cache else None, problems) if d]
    if not include_drafts:
        drafts = [d for d in drafts if not d.fields.get("draft", False)]
    records = [r for r in _load_all(author_files, load_author, root,
                                    cache.records if cache else None, problems) if r]
    works = [w for w in _load_all(found.works, load_works, root,
                                  cache.works if cache else None, problems) if w]
    site = resolve(drafts, records, problems, dict(works),
                   gitdates.first_added(content_dir, root)
                   if any("added" not in d.fields for d in drafts) else {})
    if page_map is not None and not problems.has_errors:
        problems.extend(_link_problems(site, drafts, found.pages, pages_dir, root, page_map))
    return (None if problems.has_errors else site), problems.in_order()


def _link_problems(site: Site, drafts: list[Draft], hand_written: list[Path],
                   pages_dir: Path | None, root: Path,
                   page_map: Callable[[Site], links.PageMap | None]) -> list[Problem]:
    """The links of every digest and hand-written page that the build would refuse (the
    map is made only when one of them has a link without a scheme)."""
    by_path = {d.path: d for d in drafts if links.may_link(d.body_text)}
    written: list[tuple[str, str, str, int]] = []  # path, page, body, first line
    for path in hand_written:
        if pages_dir is None or path.suffix != ".md":
            continue
        rel, ignored = relpath(path, root), list[Problem]()
        text = read_text(path, rel, ignored, limits.MAX_DIGEST_BYTES)
        if text is not None:
            _, body, line = split_front_matter(text.replace("\r\n", "\n"), rel, ignored)
            if links.may_link(body):
                written.append((rel, path.relative_to(pages_dir).as_posix(), body, line))
    pages = page_map(site) if by_path or written else None
    if pages is None:
        return []
    found: list[Problem] = []
    for paper in site.papers:
        draft = by_path.get(paper.source_path)
        if draft is not None:
            found.extend(links.link_problems(draft.path, pages.paper_page(paper),
                                             links.shown(paper.sections), draft.body_text,
                                             draft.body_line, pages))
    for rel, here, body, line in written:
        found.extend(links.link_problems(rel, here, body, body, line, pages))
    return found


def load_site(content_dir: Path, *, root: Path | None = None,
              include_drafts: bool = False) -> Site:
    """Load ``content_dir`` into a ``Site``.

    Raises:
        ContentErrors: every problem found, when there is at least one error.
    """
    site, problems = check_content(content_dir, root=root, include_drafts=include_drafts)
    if site is None:
        raise ContentErrors(problems)
    return site
