"""Measure the share cards: time to draw one, and what a cold and a warm build cost.

    .venv/bin/python bench/measure_cards.py [REPEAT]

Draws every card of the shipped content (papers, authors, tags) REPEAT times (default 5) in
this process after one warm-up round (font loading happens once per process and is reported
on its own), then runs ``CardCache.draw_all`` into an empty cache folder (cold) and again
(warm). Prints one JSON object: per-card draw time (median, p90, max, by kind; CPU time of
the paper cards, which a busy machine does not inflate as much), PNG sizes,
cold and warm ``draw_all`` wall time and how many cards each drew.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "generator"))

from paperdigest.content.loader import load_site  # noqa: E402
from paperdigest.site import cardbuild, cards  # noqa: E402


def main(repeat: int) -> dict[str, object]:
    site = load_site(REPO / "content", root=REPO)
    fonts = cardbuild.find_fonts()
    wanted = cardbuild.site_cards(site, "paperdigest")
    start = time.perf_counter()
    cards.draw(next(iter(wanted.values())), fonts)
    first = time.perf_counter() - start
    for card in wanted.values():  # warm-up: every face and size loaded, every glyph seen
        cards.draw(card, fonts)
    times: dict[str, list[float]] = {"papers": [], "authors": [], "tags": []}
    cpu: list[float] = []
    sizes: list[int] = []
    for _ in range(repeat):
        for path, card in wanted.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            data = cards.draw(card, fonts)
            times[path.split("/")[2]].append((time.perf_counter() - start) * 1000)
            if "/papers/" in path:  # CPU time: what the draw costs on a machine not shared
                cpu.append((time.process_time() - start_cpu) * 1000)
            sizes.append(len(data))
    every = sorted(t for kind in times.values() for t in kind)
    with tempfile.TemporaryDirectory() as folder:
        cold_cache = cardbuild.CardCache(Path(folder), fonts)
        start = time.perf_counter()
        cold_cache.draw_all(wanted)
        cold = time.perf_counter() - start
        warm_cache = cardbuild.CardCache(Path(folder), fonts)
        start = time.perf_counter()
        warm_cache.draw_all(wanted)
        warm = time.perf_counter() - start
    return {
        "cards": len(wanted), "repeat": repeat,
        "first_draw_ms_with_font_loading": round(first * 1000, 1),
        "draw_ms": {"median": round(statistics.median(every), 1),
                    "p90": round(every[int(len(every) * 0.9)], 1),
                    "max": round(every[-1], 1)},
        "draw_ms_median_by_kind": {k: round(statistics.median(v), 1) for k, v in times.items()},
        "paper_card_cpu_ms": {"median": round(statistics.median(cpu), 1),
                              "max": round(max(cpu), 1)},
        "png_bytes": {"median": int(statistics.median(sizes)), "max": max(sizes)},
        "cold": {"seconds": round(cold, 2), "drawn": cold_cache.stats.drawn,
                 "parallel": cold_cache.stats.parallel},
        "warm": {"seconds": round(warm, 3), "drawn": warm_cache.stats.drawn,
                 "hits": warm_cache.stats.hits},
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
