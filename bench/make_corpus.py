"""Write a deterministic synthetic paperdigest project of N digests.

    python bench/make_corpus.py OUT -n 1000 [--seed 7]

OUT/content/papers/*.md      N digests shaped like real ones (~11 KB of mostly Japanese text)
OUT/content/authors/*.yaml   one record for each of the N/3 authors
OUT/content/pages/about.md
OUT/mkdocs.yml               the repository's mkdocs.yml with a bench site name and URL
OUT/mkdocs-nosearch.yml      the same without the Pagefind index
OUT/floor/                   the same content as plain MkDocs pages (see ``floor.py``)

The same N and seed give byte-identical files: every choice comes from one seeded RNG and
nothing depends on the clock or on dict/set ordering.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import shutil
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the sibling module importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor
import words as w
from benchconfig import write_site_configs

DEFAULT_SEED = 7
AUTHOR_SKEW = 0.9
"""Zipf exponent of authorship: the busiest author is on ~5% of papers at N=1000."""
TAG_SKEW = 1.0
BLURB_BUDGET = 240
"""X weight of a blurb (CJK 2, ASCII 1): 120 full-width characters, under the 256 limit."""
FIRST_DAY = date(2023, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days + 1


class Zipf:
    """Draws distinct items with probability proportional to 1 / rank**s."""

    def __init__(self, items: Sequence[str], s: float) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (k ** s) for k in range(1, len(items) + 1)))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < k:
            i = bisect.bisect_left(self.cum, rng.random() * self.cum[-1])
            item = self.items[min(i, len(self.items) - 1)]
            if item not in chosen:
                chosen.append(item)
        return chosen


def x_weight(text: str) -> int:
    """X (twitter-text v3) weight, without URL or emoji rules: Latin 1, everything else 2."""
    return sum(1 if (ord(c) <= 0x10FF or 0x2000 <= ord(c) <= 0x200D or 0x2010 <= ord(c) <= 0x201F
                     or 0x2032 <= ord(c) <= 0x2037) else 2 for c in text)


def author_names(rng: random.Random, n: int) -> list[str]:
    """n distinct names; a middle initial is added once the plain combinations run out."""
    combos = [f"{g} {f}" for g in w.GIVEN for f in w.FAMILY]
    rng.shuffle(combos)
    names = combos[:n]
    initials = itertools.cycle("ABCDEFGHJKLMNPRSTW")
    for i in range(len(names), n):
        g, f = combos[i % len(combos)].split(" ")
        names.append(f"{g} {next(initials)}{i // len(combos)}. {f}")
    return names


def tag_names(rng: random.Random, n: int) -> list[str]:
    combos = [a + b for a in w.TAG_HEADS for b in ("", *w.TAG_TAILS)]
    rng.shuffle(combos)
    if n > len(combos):
        combos += [f"{c}{i}" for i in range(2, 2 + n // len(combos)) for c in combos]
    return combos[:n]


def slug(name: str) -> str:
    return "-".join(part.strip(".").lower() for part in name.split())


def sentence(rng: random.Random) -> str:
    """One Japanese sentence of 30–60 characters, with an English term now and then."""
    parts = [rng.choice(w.JA_PHRASES) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        parts.insert(rng.randrange(len(parts) + 1), f"{rng.choice(w.EN_TERMS)} を用いて")
    return "、".join(parts) + rng.choice(w.JA_ENDINGS)


def bullets(rng: random.Random, count: int, sentences: tuple[int, int]) -> list[str]:
    lines = []
    for _ in range(count):
        text = "".join(sentence(rng) for _ in range(rng.randint(*sentences)))
        if rng.random() < 0.25:
            text += f" `{rng.choice(w.CODE_NAMES)}` を使う。"
        lines.append(f"- **{rng.choice(w.BULLET_HEADS)}:** {text}")
        if rng.random() < 0.15:
            lines.append(f"    - *{rng.choice(w.BULLET_HEADS)}*: {sentence(rng)}")
    return lines


def code_block(rng: random.Random) -> list[str]:
    fn, var = rng.choice(w.CODE_NAMES), rng.choice(w.CODE_VARS)
    lines = ["```python", "# " + sentence(rng), "import torch", "import torch.nn.functional as F",
             "", "", f"def {fn}(x: torch.Tensor, {var}: torch.Tensor) -> torch.Tensor:",
             f'    """{rng.choice(w.JA_PHRASES)}。"""']
    while len(lines) < 30:
        step = rng.randrange(4)
        if step == 0:
            lines.append("    # " + sentence(rng))
        elif step == 1:
            lines.append(f"    {var} = F.softmax(x @ {var}.transpose(-2, -1) / "
                         f"{rng.choice((8, 16, 64))} ** 0.5, dim=-1)")
        elif step == 2:
            scale = rng.uniform(0.01, 1)
            lines.append(f"    x = x + {scale:.3f} * {var}.mean(dim=1, keepdim=True)")
        else:
            limit, why = rng.choice((128, 256, 512)), rng.choice(w.EN_TERMS)
            lines.append(f"    if x.shape[-1] > {limit}:  # {why}")
            lines.append(f"        x = x[..., : {rng.choice((128, 256, 512))}]")
    lines += ["    return x", "```"]
    return lines


def references(rng: random.Random, names: list[str]) -> list[str]:
    out = []
    for _ in range(rng.randint(3, 6)):
        year = rng.randint(2015, 2024)
        ident = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1000, 29999):05d}"
        title = " ".join(rng.choice(w.TITLE_WORDS) for _ in range(rng.randint(3, 6)))
        out.append(f"- **{rng.choice(names).split()[-1]} et al. ({year}) *{title}*** "
                   f"(arXiv:{ident}): {sentence(rng)}")
    return out


def blurb(rng: random.Random, tags: list[str]) -> str:
    """A tweet of ~100–120 full-width characters ending in 2–3 of the paper's hashtags."""
    hashtags = " " + " ".join("#" + t for t in tags[: rng.randint(2, 3)])
    budget = BLURB_BUDGET - x_weight(hashtags)
    text = ""
    while True:
        more = rng.choice(w.JA_PHRASES) + rng.choice(("。", "、", "し、", "。"))
        if x_weight(text + more) > budget:
            break
        text += more
    return text.rstrip("、") + hashtags


def title(rng: random.Random) -> str:
    head = " ".join(rng.choice(w.TITLE_WORDS) for _ in range(rng.randint(1, 2)))
    tail = " ".join(rng.choice(w.TITLE_WORDS) for _ in range(rng.randint(3, 6)))
    return f"{head.title()}: {tail[0].upper()}{tail[1:]}"


def digest(rng: random.Random, arxiv: str, day: date, names: list[str], tags: list[str],
           pool: list[str]) -> str:
    paper_title = title(rng)
    front = [
        "---", f"arxiv: {arxiv}v1", f"title: {json.dumps(paper_title, ensure_ascii=False)}",
        "authors:", *(f"  - {n}" for n in names), f"date: {day.isoformat()}",
        # Digests join the site a week after the paper (no draw: the corpus stays the same).
        f"added: {(day + timedelta(days=7)).isoformat()}",
        f"category: {rng.choices(w.CATEGORIES, w.CATEGORY_WEIGHTS)[0]}",
        f"tags: [{', '.join(tags)}]",
    ]
    if rng.random() < 0.4:
        front.append(f"code: https://github.com/{slug(names[0])}/{rng.choice(w.CODE_NAMES)}")
    front.append("---")
    body = ["", f"# {paper_title}", "", f"[View Paper](https://arxiv.org/abs/{arxiv}v1)"]
    for number, heading in enumerate(w.SECTIONS, start=1):
        body += ["", f"## {number}. {heading}", ""]
        if number == 8:
            body.append(blurb(rng, tags))
        elif number == 7:
            body += references(rng, pool)
        elif number == 5:
            body += bullets(rng, rng.randint(2, 4), (1, 2))
            body += ["", *code_block(rng), ""]
            body += bullets(rng, rng.randint(1, 3), (1, 2))
        else:
            body += bullets(rng, rng.randint(3, 7), (1, 2))
    return "\n".join(front + body) + "\n"


def author_record(rng: random.Random, name: str, index: int) -> str:
    lines = [f"name: {name}"]
    if index % 4 == 0:  # distinct by construction: native names must not match two records
        family = w.JA_FAMILY[(index // 4) % len(w.JA_FAMILY)]
        given = w.JA_GIVEN[(index // 4) // len(w.JA_FAMILY) % len(w.JA_GIVEN)]
        rounds = index // (4 * len(w.JA_FAMILY) * len(w.JA_GIVEN))
        lines.append(f"native_name: {family} {given}{rounds or ''}")
    lines.append(f"affiliation: {rng.choice(w.AFFILIATIONS)}")
    papers = rng.randint(5, 300)
    lines += ["metrics:", f"  h_index: {rng.randint(3, min(papers, 120))}",
              f"  citations: {rng.randint(papers * 5, papers * 400)}", f"  papers: {papers}",
              "  as_of: 2026-11-01", "  source: openalex"]
    return "\n".join(lines) + "\n"


def make_corpus(out: Path, n: int, seed: int = DEFAULT_SEED, *, with_floor: bool = True) -> None:
    """Write the synthetic project for ``n`` papers into ``out`` (replacing what is there)."""
    rng = random.Random(seed)
    for sub in ("content", "floor"):
        shutil.rmtree(out / sub, ignore_errors=True)
    papers_dir, authors_dir, pages_dir = (out / "content" / d
                                          for d in ("papers", "authors", "pages"))
    for d in (papers_dir, authors_dir, pages_dir):
        d.mkdir(parents=True)
    names = author_names(rng, max(12, n // 3))
    tags = tag_names(rng, max(12, n // 10))
    author_zipf, tag_zipf = Zipf(names, AUTHOR_SKEW), Zipf(tags, TAG_SKEW)
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(DAYS)) for _ in range(n))
    serial: dict[str, int] = {}
    for day in days:
        month = f"{day.year % 100:02d}{day.month:02d}"
        serial[month] = serial.get(month, 0) + rng.randint(1, 20)
        arxiv = f"{month}.{serial[month]:05d}"
        text = digest(rng, arxiv, day, author_zipf.sample(rng, rng.randint(3, 8)),
                      tag_zipf.sample(rng, rng.randint(3, 6)), names)
        (papers_dir / f"{arxiv}.md").write_text(text, encoding="utf-8")
    for i, name in enumerate(names):
        (authors_dir / f"{slug(name)}.yaml").write_text(author_record(rng, name, i),
                                                       encoding="utf-8")
    (pages_dir / "about.md").write_text(
        "# About\n\nこのサイトは性能測定のための合成データです。論文も著者も実在しません。\n",
        encoding="utf-8")
    write_site_configs(out)
    if with_floor:
        floor.make_floor(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, required=True, help="number of digests")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-floor", action="store_true", help="skip the plain-MkDocs variant")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("-n must be at least 1")
    make_corpus(args.out, args.n, args.seed, with_floor=not args.no_floor)


if __name__ == "__main__":
    main()
