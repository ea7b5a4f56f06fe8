"""Share cards: Japanese line breaking, layout inside the box, deterministic PNGs, the cache."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.content.loader import load_site
from paperdigest.site import cardbuild, cards
from paperdigest.site.cards import NO_END, NO_START, CardText, break_lines, wrap


def unit(text: str) -> float:
    """Half-width characters count 1, the rest 2: a font-free measure with exact results."""
    return sum(1.0 if ord(c) < 0x1100 else 2.0 for c in text)


def per_char(text: str) -> float:
    return float(len(text))


@pytest.fixture(scope="module")
def fonts() -> cards.Fonts:
    return cardbuild.find_fonts()


# --- line breaking -----------------------------------------------------------------------------
def test_no_line_starts_with_closing_punctuation() -> None:
    # Greedy breaking would start line 2 with 。: the お moves down with it.
    assert break_lines("あいうえお。かきく", 5, per_char) == ["あいうえ", "お。かきく"]


def test_no_line_ends_with_an_opening_bracket() -> None:
    assert break_lines("あいうえ「かき」", 5, per_char) == ["あいうえ", "「かき」"]


def test_small_kana_and_long_vowel_do_not_start_a_line() -> None:
    assert break_lines("データセット", 4, per_char) == ["データ", "セット"]
    assert break_lines("あいうー", 3, per_char) == ["あい", "うー"]


def test_latin_words_break_at_spaces_only() -> None:
    assert break_lines("deep learning model", 10, per_char) == ["deep", "learning", "model"]


def test_a_word_wider_than_the_box_is_cut_between_characters() -> None:
    assert break_lines("abcdefghijkl", 5, per_char) == ["abcde", "fghij", "kl"]


def test_a_hashtag_stays_whole() -> None:
    assert break_lines("要約です #異常検知", 8, per_char) == ["要約です", "#異常検知"]


def test_mixed_text_with_full_width_measure() -> None:
    assert break_lines("LVLMを再学習せず、UBnormalで最高性能。", 16, unit) == [
        "LVLMを再学習せ", "ず、UBnormalで最", "高性能。"]


def test_wrap_shortens_the_last_line_with_an_ellipsis() -> None:
    assert wrap("あいうえおかきくけこさしすせそ", 5, per_char, 2) == ["あいうえお", "かきくけ…"]


def test_wrap_never_cuts_inside_a_character() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of five code points
    accented = "e\u0301"
    lines = wrap(f"abcd{family}{accented}xyz" * 3, 6, per_char, 1)
    assert lines == ["abcd…"]
    assert wrap(f"ab{accented}cdefg", 5, per_char, 1) == [f"ab{accented}…"]


def test_clusters_keep_combining_marks_and_flags() -> None:
    assert cards.clusters("e\u0301\U0001f1ef\U0001f1f5a") == ["e\u0301", "\U0001f1ef\U0001f1f5",
                                                               "a"]


def test_authors_line_names_the_rest_as_a_count() -> None:
    names = ["Sunghyun Ahn", "Youngwan Jo", "Kijung Lee", "Sein Kwon"]
    assert cards.authors_line(names, 40, per_char) == "Sunghyun Ahn, Youngwan Jo ほか 2名"
    assert cards.authors_line(names[:1], 40, per_char) == "Sunghyun Ahn"
    assert cards.authors_line([], 40, per_char) == ""


JAPANESE = st.text(alphabet=st.sampled_from(list("あいうえおかきアイウエオ漢字。、「」（）ー"
                                                 "ッャabc 12#")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(JAPANESE, st.integers(min_value=3, max_value=20))
def test_lines_fit_and_lose_nothing_but_spaces(text: str, width: int) -> None:
    lines = break_lines(text, width, unit)
    assert all(unit(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=200, deadline=None)
@given(JAPANESE, st.integers(min_value=4, max_value=20), st.integers(min_value=1, max_value=4))
def test_wrapped_text_fits_its_lines(text: str, width: int, count: int) -> None:
    lines = wrap(text, width, unit, count)
    assert len(lines) <= count
    assert all(unit(line) <= width for line in lines)


def test_shipped_blurbs_follow_kinsoku_at_card_width(fonts: cards.Fonts) -> None:
    site = load_site(REPO / "content", root=REPO)
    measure = cards.font(fonts, False, cards.BODY_SIZE).getlength
    for paper in site.papers:
        lines = break_lines(paper.blurb, cards.TEXT_BOX.width, measure)
        assert all(line[0] not in NO_START for line in lines[1:]), lines
        assert all(line[-1] not in NO_END for line in lines[:-1]), lines


# --- layout and PNG ----------------------------------------------------------------------------
HUGE = CardText(site="論文ダイジェスト" * 8, label="2025-03-06 · cs.CV" * 5,
                title="Extremely Long Title of a Paper that Never Ends " * 10 + "終わり",
                body="とても長い要約。" * 60, footer="Author Name, " * 40)


def inside(box: tuple[int, int, int, int]) -> bool:
    b = cards.TEXT_BOX
    return b.x <= box[0] and b.y <= box[1] and box[2] <= b.x + b.width and (
        box[3] <= b.y + b.height)


def test_long_text_never_leaves_the_box(fonts: cards.Fonts) -> None:
    lines = cards.layout(HUGE, fonts)
    assert all(inside(cards.line_box(line, fonts)) for line in lines), [
        (line.text, cards.line_box(line, fonts)) for line in lines]
    titles = [line for line in lines if line.size == cards.TITLE_SIZE]
    assert len(titles) == cards.TITLE_LINES and titles[-1].text.endswith("…")
    bodies = [line for line in lines if line.size == cards.BODY_SIZE]
    assert bodies[-1].text.endswith("…")
    footer = lines[-1]
    assert footer.text.endswith("…")
    body_bottom = max(cards.line_box(line, fonts)[3] for line in bodies)
    assert body_bottom < cards.line_box(footer, fonts)[1]  # no overlap with the footer
    for line in lines:  # nothing overlaps: the palette colouring relies on it
        box = cards.line_box(line, fonts)
        others = [cards.line_box(o, fonts) for o in lines if o is not line]
        assert not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
                       for o in others)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(
            kind + body)
        chunks.append((kind, body))
        at += 12 + length
    return chunks


CARD = CardText(site="paperdigest", label="2025-03-06 · cs.CV",
                title="AnyAnomaly: Zero-Shot Customizable Video Anomaly Detection with LVLM",
                body="監視映像の「何を異常とするか」を文章で指定できるC-VADを提案。 #異常検知",
                footer="Sunghyun Ahn, Youngwan Jo ほか 4名")


def test_card_is_a_1200x630_png_without_metadata(fonts: cards.Fonts) -> None:
    data = cards.draw(CARD, fonts)
    chunks = png_chunks(data)
    kinds = [kind for kind, _ in chunks]
    assert kinds[:2] == [b"IHDR", b"PLTE"] and kinds[-1] == b"IEND"
    assert set(kinds) == {b"IHDR", b"PLTE", b"IDAT", b"IEND"}  # no tIME, tEXt, pHYs
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert (width, height) == (1200, 630)
    assert 10_000 < len(data) < 80_000


def test_same_text_same_bytes(fonts: cards.Fonts) -> None:
    first = cards.draw(CARD, fonts)
    cards._font.cache_clear()
    cards._widths.cache_clear()
    assert cards.draw(CARD, fonts) == first
    assert cards.draw(HUGE, fonts) == cards.draw(HUGE, fonts)
    assert cards.draw(CardText(**{**CARD.__dict__, "title": "別の題"}), fonts) != first


def test_emoji_are_left_out_not_drawn_as_boxes(fonts: cards.Fonts) -> None:
    with_emoji = CardText(**{**CARD.__dict__, "body": CARD.body + " 🎉"})
    assert cards.draw(with_emoji, fonts) == cards.draw(CARD, fonts)


# --- fonts ---------------------------------------------------------------------------------
def test_missing_font_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cardbuild, "_package_font", lambda module: None)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(cardbuild.CardFontError) as caught:
        cardbuild.find_fonts()
    assert str(caught.value) == (
        "paperdigest: share cards need a Japanese font and none is installed: pip install "
        "'paperdigest[cards]' (the Noto Sans CJK JP font wheels), or install Debian's "
        "fonts-noto-cjk (apt-get install fonts-noto-cjk), or turn cards off with "
        "'cards: false' under the paperdigest plugin in mkdocs.yml")


def test_fontconfig_answer_without_japanese_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    latin = tmp_path / "DejaVuSans.ttf"
    latin.write_bytes(b"")

    class Answer:
        def __init__(self, langs: str) -> None:
            self.stdout = f"{latin}\n0\n{langs}"

    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/fc-match")
    monkeypatch.setattr("subprocess.run", lambda *a, **k: Answer("en|fr|de"))
    assert cardbuild._fontconfig("Noto Sans CJK JP") is None
    monkeypatch.setattr("subprocess.run", lambda *a, **k: Answer("en|ja|ko"))
    assert cardbuild._fontconfig("Noto Sans CJK JP") == (str(latin), 0)


# --- cache -------------------------------------------------------------------------------------
def test_warm_cache_draws_nothing_and_corrupt_entries_are_redrawn(
    fonts: cards.Fonts, tmp_path: Path
) -> None:
    wanted = {"assets/cards/papers/a.png": CARD, "assets/cards/papers/b.png": HUGE}
    cold = cardbuild.CardCache(tmp_path, fonts)
    first = _png(cold.draw_all(wanted))
    assert (cold.stats.drawn, cold.stats.hits) == (2, 0)
    assert first == _png(cardbuild.CardCache(None, fonts).draw_all(wanted))  # no cache
    warm = cardbuild.CardCache(tmp_path, fonts)
    found = warm.draw_all(wanted)
    assert all(isinstance(c, cardbuild.StoredCard) for c in found.values())  # not in memory
    assert _png(found) == first
    assert (warm.stats.drawn, warm.stats.hits) == (0, 2)
    entry = tmp_path / f"{warm.key(CARD)}.png"
    # A build killed mid-write, say: found, but drawn again when it is read.
    for damage in (entry.read_bytes()[:100], entry.read_bytes()[:-3] + b"xyz"):
        entry.write_bytes(damage)
        again = cardbuild.CardCache(tmp_path, fonts)
        assert _png(again.draw_all(wanted)) == first
        assert entry.read_bytes().startswith(first["assets/cards/papers/a.png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{warm.key(c)}.png" for c in (CARD, HUGE))


def test_parallel_drawing_gives_the_serial_bytes(fonts: cards.Fonts,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = load_site(REPO / "content", root=REPO)
    wanted = dict(list(cardbuild.site_cards(site, "paperdigest").items())[:6])
    serial = cardbuild.CardCache(None, fonts)
    expected = serial.draw_all(wanted)  # no cache folder: the PNGs themselves
    monkeypatch.setattr(cardbuild, "MIN_PARALLEL", 2)
    monkeypatch.setenv("PAPERDIGEST_JOBS", "2")
    parallel = cardbuild.CardCache(None, fonts)
    assert parallel.draw_all(wanted) == expected
    assert parallel.stats.parallel and not serial.stats.parallel
    assert list(expected) == list(wanted)


def test_site_cards_cover_papers_authors_and_tags() -> None:
    site = load_site(REPO / "content", root=REPO)
    wanted = cardbuild.site_cards(site, "paperdigest")
    assert len(wanted) == len(site.papers) + len(site.authors) + len(site.tags) + 1
    assert wanted["assets/cards/site.png"].title == "paperdigest"
    paper = next(p for p in site.papers if p.arxiv.base == "2503.04504")
    card = wanted["assets/cards/papers/2503.04504.png"]
    assert card == CardText(site="paperdigest", label="2025-03-06 · cs.CV", title=paper.title,
                            body=paper.blurb,
                            footer="Sunghyun Ahn, Youngwan Jo, Kijung Lee, Sein Kwon ほか 2名")


TITLES = st.text(alphabet=st.sampled_from(list("Deep Learning 深層学習の「新」手法。、ー")),
                 min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(TITLES, TITLES)
def test_any_title_and_body_stay_in_the_box(title: str, body: str) -> None:
    fonts = cardbuild.find_fonts()
    card = CardText(site="paperdigest", label="2025-03-06 · cs.CV", title=title, body=body,
                    footer="Sunghyun Ahn ほか 5名")
    lines = cards.layout(card, fonts)
    assert all(inside(cards.line_box(line, fonts)) for line in lines if line.text.strip())
    titles = [line.text for line in lines if line.size == cards.TITLE_SIZE]
    assert len(titles) <= cards.TITLE_LINES


def test_a_cold_cache_folder_is_made_and_a_pipe_in_it_is_drawn_over(
        fonts: cards.Fonts, tmp_path: Path, alarm: None) -> None:
    folder = tmp_path / "cache" / "cards"
    cold = cardbuild.CardCache(folder, fonts)
    first = _png(cold.draw_all({"a.png": CARD}))
    assert [p.name for p in folder.iterdir()] == [f"{cold.key(CARD)}.png"]
    (folder / f"{cold.key(CARD)}.png").unlink()
    os.mkfifo(folder / f"{cold.key(CARD)}.png")  # planted: reading it would hang
    again = cardbuild.CardCache(folder, fonts)
    assert _png(again.draw_all({"a.png": CARD})) == first
    assert (again.stats.drawn, again.stats.hits) == (1, 0)


def _png(found: dict[str, cardbuild.Card]) -> dict[str, bytes]:
    return {path: cardbuild.card_bytes(card) for path, card in found.items()}
