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

from ..errors import ContentError, ContentErrors, Problem, has_errors
from . import blurb as blurbs
from . import limits, pages, safety
from . import schema as s
from .cache import FileCache
from .digest import ParsedDigest, missing_sections, parse_digest
from .discover import find_content
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
from .provenance import provenance, reviewed
from .records import Record, author_of, load_author, name_index
from .textfile import read_text, relpath, split_front_matter, text_problems
from .works import WorksFile, load_works
from .yamlsafe import load as load_yaml


def _institution(value: Any) -> str:
    """An institution of ``affiliations:``: text under the rule of a record's affiliation."""
    shown = s.text(value, "an institution")
    for message in safety.text_problems("affiliation", shown):
        raise s.Invalid(message)
    return shown


PAPER_RULES: Mapping[str, s.Checker] = {
    "arxiv": s.arxiv_id,
    "title": s.text,
    "authors": s.ListOf(s.name, "names"),
    "date": s.date,
    "category": s.category,
    "tags": s.ListOf(s.text, "tags"),
    "code": s.url,
    "blurb": s.prose,
    "blurb_en": s.prose,
    "draft": s.boolean,
    "abstract": s.prose,
    "comment": s.prose,
    "doi": s.doi,
    "affiliations": s.ListOf(_institution, "institutions"),
    "score": s.score,
    "added": s.date,
    "provenance": provenance,
}

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
    if arxiv is None or not title or has_errors(problems[before:]):
        return None
    return Draft(
        path=rel, arxiv=arxiv, title=title, names=list(fields.get("authors", [])),
        date=fields.get("date"), fields=fields, body=parsed, blurb=blurb,
        tag_texts=[*fields.get("tags", []), *hashtags],
    )


def _empty_sections(rel: str, parsed: ParsedDigest, *, draft: bool) -> list[Problem]:
    """An empty section is an error, and a warning in a draft (``paperdigest new`` writes a
    draft with the eight headings ready, which must pass the check)."""
    fix = ("write what the paper says about it (a sentence is enough)" if not draft else
           "write it before removing 'draft: true'")
    return [Problem(rel, s.line, f"section {s.number}", f"is empty: {fix}",
                    "warning" if draft else "error")
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
        text, line, where = blurbs.clean_blurb(section8.body), section8.line, "section 8"
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
            works: Mapping[str, WorksFile] | None = None) -> Site:
    """Second phase: match names to records, merge tags, find duplicate papers.

    ``works`` are the works files by record id (discovery made sure each has its record).
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
        papers.append(_paper(draft, by_key, tag_slug, authors))
    return Site.build(papers, authors, tags)


def _affiliations(fields: Mapping[str, Any], slugs: list[str],
                  authors: Mapping[str, Author]) -> tuple[str, ...]:
    """The front matter's ``affiliations:``, else those of the authors' records, in author
    order and without repeats (a card shows where the work was done)."""
    if "affiliations" in fields:
        return tuple(dict.fromkeys(fields["affiliations"]))
    found = (authors[slug].affiliation for slug in slugs)
    return tuple(dict.fromkeys(a for a in found if a))


def _paper(draft: Draft, by_key: Mapping[str, str], tag_slug: Mapping[str, str],
           authors: Mapping[str, Author]) -> Paper:
    year, month = draft.arxiv.year_month
    slugs = list(dict.fromkeys(by_key[text_key(n)] for n in draft.names))
    paper_tags = list(dict.fromkeys(tag_slug[tag_key(t)] for t in draft.tag_texts if tag_key(t)))
    f = draft.fields
    return Paper(
        arxiv=draft.arxiv, slug=draft.arxiv.base, title=draft.title, authors=tuple(slugs),
        author_names=tuple(draft.names), date=draft.date or dt.date(year, month, 1),
        date_is_estimated=draft.date is None, category=f.get("category"), tags=tuple(paper_tags),
        code=f.get("code"), blurb=draft.blurb, blurb_en=f.get("blurb_en"),
        abstract=f.get("abstract"), comment=f.get("comment"), doi=f.get("doi"),
        affiliations=_affiliations(f, slugs, authors), score=f.get("score"),
        sections=draft.body.sections, source_path=draft.path,
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
) -> tuple[Site | None, list[Problem]]:
    """Load and validate everything; return the site (None if any error) and all problems.

    ``pages_dir`` (MkDocs' ``docs_dir``) is checked too when given: its pages get the rules
    of digest bodies, and nothing there may shadow a generated page or an asset.
    """
    root = root or content_dir.parent
    found = find_content(content_dir, root, pages_dir)
    problems = found.problems
    paper_files, author_files = found.papers, found.authors
    if pages_dir is not None:
        problems.extend(pages.pages_problems(found.pages, pages_dir, root))
    drafts = [d for d in _load_all(paper_files, load_digest, root,
                                   cache.digests if cache else None, problems) if d]
    if not include_drafts:
        drafts = [d for d in drafts if not d.fields.get("draft", False)]
    records = [r for r in _load_all(author_files, load_author, root,
                                    cache.records if cache else None, problems) if r]
    works = [w for w in _load_all(found.works, load_works, root,
                                  cache.works if cache else None, problems) if w]
    site = resolve(drafts, records, problems, dict(works))
    if has_errors(problems):
        return None, sorted(problems, key=Problem.sort_key)
    return site, sorted(problems, key=Problem.sort_key)


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
