"""Building the share cards of a site: which cards, with which font, from the cache or drawn.

``site_cards`` says what each card of the site shows (``cards.CardText`` by output path);
``find_fonts`` finds a Japanese font that a package installed (never one downloaded);
``CardCache.draw_all`` returns the PNGs, reading a card from ``cards/`` in the cache folder
when one was drawn before from the same text, font and Pillow, and drawing the misses, on
every core when there are many. The folder is an untrusted input (``cachestore.py``): a card
is read only from a regular file of at most ``MAX_CARD`` bytes whose trailing HMAC this
machine wrote, the folder is refused when it is a link, and cleanup deletes only files with
the cache's name pattern and PNG header. Anything else is drawn again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import import_module
from pathlib import Path

import PIL
from PIL import ImageFont

from ..content import parallel
from ..content.model import Author, Paper, Site, Tag
from ..errors import PaperdigestError
from ..fileio import write_file
from ..project import Project
from . import cachestore, cards, paths
from .extras import CARDS

FONT_PACKAGES = ("noto_cjk_sans_jp_bold", "noto_cjk_sans_jp_regular")
"""The PyPI packages (``noto-cjk-sans-jp-bold``, ``-regular``) that ship the card font."""
FONT_HINT = (f"{CARDS} (the Noto Sans CJK JP font wheels), or install Debian's "
             "fonts-noto-cjk (apt-get install fonts-noto-cjk), or turn cards off with "
             "'cards: false' under the paperdigest plugin in mkdocs.yml")
MIN_PARALLEL = 24
"""Cards from which drawing them on several cores pays for starting the workers
(``parallel.fork_map``'s break-even)."""
CARD_VERSION = "1"
"""Part of every cache key, with a hash of ``cards.py``: change it when the look of the cards
changes through something else (the card text built here)."""
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_TRAILER = b"PDC1"
"""After a card's PNG in the cache: this mark and the hex HMAC of the key and the PNG."""
_TRAILER_LEN = len(_TRAILER) + 64
MAX_CARD = 4 * 1024 * 1024
_CARD_NAME = re.compile(r"[0-9a-f]{40}\.png")


class CardFontError(PaperdigestError):
    """No Japanese font for the share cards is installed."""


def _package_font(module: str) -> str | None:
    try:
        found = import_module(module)
    except ImportError:
        return None
    path = Path(str(getattr(found, "FONT_PATH", "")))
    return str(path) if path.is_file() else None


def _fontconfig(pattern: str) -> tuple[str, int] | None:
    """The file and face index fontconfig picks for ``pattern``, if it covers Japanese."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run([fc_match, "-f", "%{file}\n%{index}\n%{lang}", pattern],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("\n")
    # fc-match always answers with some font; only one that covers Japanese will do.
    if len(parts) < 3 or "ja" not in parts[2].split("|") or not Path(parts[0]).is_file():
        return None
    return parts[0], int(parts[1]) if parts[1].isdigit() else 0


def find_fonts() -> cards.Fonts:
    """The card fonts: Noto Sans CJK JP from its PyPI packages, else from fontconfig.

    Raises:
        CardFontError: neither is installed; the message names the packages to install.
    """
    bold, regular = (_package_font(m) for m in FONT_PACKAGES)
    if bold and regular:
        return _readable(cards.Fonts(bold=bold, regular=regular))
    fc_bold = _fontconfig("Noto Sans CJK JP:style=Bold")
    fc_regular = _fontconfig("Noto Sans CJK JP:style=Regular")
    if fc_bold is None or fc_regular is None:
        raise CardFontError("paperdigest: share cards need a Japanese font and none is "
                            f"installed: {FONT_HINT}")
    return _readable(cards.Fonts(bold=fc_bold[0], regular=fc_regular[0],
                                 bold_index=fc_bold[1], regular_index=fc_regular[1]))


def _readable(fonts: cards.Fonts) -> cards.Fonts:
    """``fonts``, once Pillow has opened each face: a truncated or corrupt font file is
    named here, not met as an OS error halfway through drawing.

    Raises:
        CardFontError: a font file cannot be read or is no font.
    """
    for path, index in ((fonts.bold, fonts.bold_index), (fonts.regular, fonts.regular_index)):
        try:
            ImageFont.truetype(path, 16, index=index, layout_engine=ImageFont.Layout.BASIC)
        except (OSError, ValueError) as exc:
            raise CardFontError(f"paperdigest: the share-card font {path} cannot be read "
                                f"({exc}): reinstall it ({FONT_HINT})") from None
    return fonts


# --- what the cards show ---------------------------------------------------------------------
def _footer_measure() -> cards.Measure:
    # The authors line is fitted when drawing too; here a full-width estimate keeps the card
    # text independent of the font (and so of the machine).
    return lambda text: sum(1.0 if ord(c) < 0x1100 else 2.0 for c in text)


FOOTER_UNITS = 68
"""Width of the footer in half-width characters, for choosing how many authors to name."""


def paper_card(paper: Paper, site: Site, site_name: str) -> cards.CardText:
    """A paper's card: title, blurb, authors, date and category."""
    names = [site.authors[slug].name for slug in paper.authors]
    date = paper.shown_date
    label = f"{date} · {paper.category}" if paper.category else date
    return cards.CardText(site=site_name, label=label, title=paper.title, body=paper.blurb,
                          footer=cards.authors_line(names, FOOTER_UNITS, _footer_measure()))


def author_card(author: Author, site: Site, site_name: str) -> cards.CardText:
    """An author's card: name, affiliation, papers and tags."""
    papers = site.papers_by_author.get(author.slug, ())
    tags = [f"#{site.tags[slug].name}" for slug, _n in site.top_tags_by_author.get(author.slug,
                                                                                   ())[:5]]
    body = f"論文ダイジェスト {len(papers)} 本" + (f" · {' '.join(tags)}" if tags else "")
    title = author.name + (f"（{author.native_name}）" if author.native_name else "")
    return cards.CardText(site=site_name, label="著者", title=title, body=body,
                          footer=author.affiliation or "")


def tag_card(tag: Tag, site: Site, site_name: str) -> cards.CardText:
    """A tag's card: the tag, how many papers, the newest titles."""
    papers = site.papers_by_tag.get(tag.slug, ())
    newest = " / ".join(p.title for p in papers[:3])
    return cards.CardText(site=site_name, label="タグ", title=f"#{tag.name}",
                          body=f"{len(papers)} 本の論文ダイジェスト: {newest}", footer="")


def home_card(site: Site, site_name: str) -> cards.CardText:
    """The site's card (home, indexes, archive, stats…): its name, what it holds, the newest
    digests."""
    newest = " / ".join(p.title for p in site.papers[:3])
    body = f"論文ダイジェスト {len(site.papers)} 本" + (f": {newest}" if newest else "")
    return cards.CardText(site=site_name, label="論文ダイジェスト", title=site_name, body=body,
                          footer=f"著者 {len(site.authors)} 人 · タグ {len(site.tags)} 個")


def site_cards(site: Site, site_name: str) -> dict[str, cards.CardText]:
    """Every card of the site by output path, papers first, the site's own last, in a stable
    order."""
    out = {paths.paper_card(p): paper_card(p, site, site_name) for p in site.papers}
    out.update((paths.author_card(slug), author_card(a, site, site_name))
               for slug, a in site.authors.items())
    out.update((paths.tag_card(slug), tag_card(t, site, site_name))
               for slug, t in site.tags.items())
    out[paths.SITE_CARD] = home_card(site, site_name)
    return out


# --- cache and drawing -----------------------------------------------------------------------
@dataclass
class DrawStats:
    """What the last ``draw_all`` did."""

    hits: int = 0
    drawn: int = 0
    parallel: bool = False
    refused: str = ""
    """Why the cache folder was not used (it leads elsewhere), or empty."""


def _font_identity(path: str) -> str:
    st = os.stat(path)
    return f"{Path(path).name}:{st.st_size}"


def _code_identity() -> str:
    """A hash of ``cards.py``: a new layout or colour never reuses an old card."""
    return hashlib.blake2b(Path(cards.__file__).read_bytes(), digest_size=8).hexdigest()


def _draw_job(job: tuple[cards.CardText, cards.Fonts]) -> bytes:
    return cards.draw(*job)


class StoredCard:
    """A card in the cache, read and checked only when it is written out; one found edited,
    damaged or gone by then is drawn again, so its bytes are always the card's."""

    def __init__(self, cache: CardCache, key: str, card: cards.CardText) -> None:
        self.cache = cache
        self.key = key
        self.card = card

    def read(self) -> bytes:
        data = self.cache._read(self.key)
        if data is None:
            data = cards.draw(self.card, self.cache.fonts)
            self.cache._write(self.key, data)
            self.cache.stats.hits -= 1  # counted as found; drawn after all
            self.cache.stats.drawn += 1
        return data


Card = bytes | StoredCard
"""A card as ``draw_all`` gives it."""


def card_bytes(card: Card) -> bytes:
    """The PNG of a card."""
    return card if isinstance(card, bytes) else card.read()


class CardCache:
    """Cards by content hash in a folder; ``None`` as folder keeps nothing between builds."""

    def __init__(self, folder: Path | None, fonts: cards.Fonts,
                 secret: bytes | None = None) -> None:
        self.secret = secret if secret is not None else cachestore.machine_secret()
        self.folder = folder if self.secret is not None else None
        self.fonts = fonts
        self.stats = DrawStats()
        # The font file, Pillow and the drawing code change the pixels: all are in the key.
        self._salt = json.dumps([CARD_VERSION, PIL.__version__, _code_identity(),
                                 _font_identity(fonts.bold), fonts.bold_index,
                                 _font_identity(fonts.regular), fonts.regular_index])

    def key(self, card: cards.CardText) -> str:
        """The content hash naming ``card`` in the cache."""
        text = json.dumps([self._salt, asdict(card)], ensure_ascii=False, sort_keys=True)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()

    def _tag(self, key: str, data: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, key.encode() + b"\x00card\x00" + data,
                        hashlib.sha256).hexdigest().encode()

    def _read(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        stored = cachestore.read_regular(self.folder / f"{key}.png", MAX_CARD)
        if stored is None or len(stored) < _TRAILER_LEN:
            return None
        data, trailer = stored[:-_TRAILER_LEN], stored[-_TRAILER_LEN:]
        # A truncated, foreign or edited file is not a card: draw it again.
        if not (trailer.startswith(_TRAILER) and data.startswith(_PNG_MAGIC)
                and data.endswith(_PNG_END)
                and hmac.compare_digest(trailer[len(_TRAILER):], self._tag(key, data))):
            return None
        return data

    def _write(self, key: str, data: bytes) -> bool:
        """Keep a card; whether it was kept."""
        if self.folder is None:
            return False
        try:
            # Viewers stop at IEND: the cached file is still a PNG, with its HMAC after it.
            # Atomic: a reader never sees half a card.
            write_file(self.folder / f"{key}.png", data + _TRAILER + self._tag(key, data),
                       inside=self.folder, replace=True, durable=False)
        except OSError:  # a read-only cache only costs time
            return False
        return True

    def draw_all(self, wanted: Mapping[str, cards.CardText]) -> dict[str, Card]:
        """Every card, by the same keys as ``wanted``, in the same order: a ``StoredCard``
        for each one in the cache (read when it is written out: a site's cards are not all
        held in memory), the PNG itself when there is no cache."""
        self.stats = DrawStats()
        keys = {path: self.key(card) for path, card in wanted.items()}
        found: dict[str, Card] = {}
        texts = {keys[path]: card for path, card in wanted.items()}
        for key in texts:
            if self._present(key):
                found[key] = StoredCard(self, key, texts[key])
        missing = {key: card for key, card in texts.items() if key not in found}
        self.stats.hits = len(keys) - sum(1 for k in keys.values() if k in missing)
        self.stats.drawn = len(missing)
        jobs = [(card, self.fonts) for card in missing.values()]
        self.stats.parallel = parallel.forks(len(jobs), MIN_PARALLEL)
        drawn = parallel.fork_map(_draw_job, jobs, break_even=MIN_PARALLEL)
        for key, data in zip(missing, drawn, strict=True):
            found[key] = StoredCard(self, key, missing[key]) if self._write(key, data) else data
        self._prune(set(keys.values()))
        return {path: found[key] for path, key in keys.items()}

    def _present(self, key: str) -> bool:
        """Whether the cache has a file for ``key`` (it is checked when it is read)."""
        if self.folder is None:
            return False
        path = self.folder / f"{key}.png"
        return path.is_file() and not path.is_symlink()

    def _prune(self, keep: set[str]) -> None:
        """Delete the cards no page uses any more, so the folder does not grow forever."""
        if self.folder is None or not self.folder.is_dir() or self.folder.is_symlink():
            return
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            # Only what this cache writes: its name pattern, a regular file, a PNG header.
            if (_CARD_NAME.fullmatch(entry.name) and entry.name[:-4] not in keep
                    and entry.is_file(follow_symlinks=False)
                    and cachestore.read_regular_head(Path(entry.path), 8) == _PNG_MAGIC):
                Path(entry.path).unlink(missing_ok=True)


def draw_site_cards(site: Site, project: Project) -> tuple[dict[str, Card], DrawStats]:
    """The share cards of every paper, author and tag page and the site's, drawn only when
    not cached.

    ``{site-relative path: card}`` (``card_bytes`` gives the PNG); used by the plugin and
    by ``paperdigest export``.
    """
    folder = project.cache_dir / "cards" if project.cache_dir is not None else None
    refused = ""
    if folder is not None:
        try:
            folder = cachestore.safe_folder(folder, project.root)
        except cachestore.UnsafeCacheFolder as exc:
            folder, refused = None, str(exc)
    cache = CardCache(folder, find_fonts())
    drawn = cache.draw_all(site_cards(site, project.site_name))
    cache.stats.refused = refused
    return drawn, cache.stats
