"""The Markdown report of ``results.jsonl``: medians per (N, variant), ratios to the floor."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

VARIANT_ORDER = ("real", "real-warm", "real-changed", "real-nosearch", "real-nosearch-warm",
                 "real-nosearch-changed", "floor", "floor-nosearch")
FLOOR_OF = {"real": "floor", "real-warm": "floor", "real-changed": "floor",
            "real-nosearch": "floor-nosearch", "real-nosearch-warm": "floor-nosearch",
            "real-nosearch-changed": "floor-nosearch"}
TARGET_GEN_S_PER_1000 = 1.0
TARGET_RATIO = 1.0
"""Cold build (empty render cache) ÷ floor."""
TARGET_WARM_RATIO = 0.3
"""Warm build (render cache full, no content change) ÷ floor."""
TARGET_CHANGED_RATIO = 0.5
"""Warm build with one digest changed ÷ floor."""
TARGET_10K_WALL_S = 180
TARGET_10K_RSS_MB = 1.5 * 1024
TARGET_LARGEST_PAGE = 300 * 1000


def read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


Groups = dict[tuple[Any, ...], list[dict[str, Any]]]


def latest(rows: list[dict[str, Any]], key: tuple[str, ...]) -> Groups:
    """Rows grouped by ``key``, keeping for each group only its most recent session."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in key)].append(row)
    for k, group in groups.items():
        last = max(r["session"] for r in group)
        groups[k] = [r for r in group if r["session"] == last]
    return dict(sorted(groups.items(), key=lambda kv: tuple(_order(x) for x in kv[0])))


def _order(value: object) -> tuple[int, str]:
    if isinstance(value, int):
        return (value, "")
    return (VARIANT_ORDER.index(value) if value in VARIANT_ORDER else 99, str(value))


def _med(rows: list[dict[str, Any]], field: str) -> float | None:
    values = [r[field] for r in rows if r.get(field) is not None]
    return statistics.median(values) if values else None


def _fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _kb(x: float | None) -> str:
    return "—" if x is None else f"{x / 1000:,.0f}"


def render(rows: list[dict[str, Any]]) -> str:
    out = ["# paperdigest benchmark", ""]
    corpus = latest([r for r in rows if r.get("kind") == "corpus"], ("n",))
    if corpus:
        out += ["## Corpus", "", "| N | make_corpus s | digest bytes mean (min–max) | authors |",
                "|---:|---:|---|---:|"]
        for (n,), group in corpus.items():
            r = group[-1]
            out.append(f"| {n} | {r['make_corpus_s']} | {r['paper_bytes_mean']:,} "
                       f"({r['paper_bytes_min']:,}–{r['paper_bytes_max']:,}) | {r['authors']} |")
        out.append("")
    gen = latest([r for r in rows if r.get("kind") == "gen" and r.get("ok")], ("n",))
    if gen:
        out += ["## Generator stage (load + validate + render, in-process)", "",
                "| N | runs | load s | render s | files s | total s (CPU s) "
                "| CPU s per 1,000 papers | process wall s | peak RSS MB | generated pages |",
                "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
        for (n,), g in gen.items():
            total, cpu = _med(g, "total_s"), _med(g, "total_cpu_s")
            per = (cpu if cpu is not None else total or 0) / n * 1000
            flag = "" if per <= TARGET_GEN_S_PER_1000 else " ✗"
            out.append(f"| {n} | {len(g)} | {_fmt(_med(g, 'load_s'), 2)} | "
                       f"{_fmt(_med(g, 'render_s'), 2)} | {_fmt(_med(g, 'files_s'), 2)} | "
                       f"{_fmt(total, 2)} ({_fmt(cpu, 2)}) | {_fmt(per, 2)}{flag} | "
                       f"{_fmt(_med(g, 'wall_s'), 2)} | {_fmt(_med(g, 'peak_rss_mb'), 0)} | "
                       f"{g[-1].get('generated_pages')} |")
        out.append("")
    builds = latest([r for r in rows if r.get("kind") == "build"], ("n", "variant"))
    if builds:
        out += _build_table(builds)
    serve = latest([r for r in rows if r.get("kind") == "serve"], ("n",))
    if serve:
        out += ["## Preview: save to served (`mkdocs serve`)", "",
                "| N | config | first build served s | edits | save→served s (median, min–max) "
                "| rebuild s (mkdocs log) | rebuild CPU s |", "|---:|---|---:|---:|---|---:|---:|"]
        for (n,), g in serve.items():
            first = [r for r in g if r.get("event") == "first-build"]
            edits = [r for r in g if r.get("event") == "edit"]
            times = [r["save_to_served_s"] for r in edits]
            spread = f"{statistics.median(times):.1f} ({min(times):.1f}–{max(times):.1f})" \
                if times else "—"
            out.append(f"| {n} | {g[0].get('config')} | "
                       f"{first[0]['served_s'] if first else '—'} | {len(edits)} | {spread} | "
                       f"{_fmt(_med(edits, 'build_s'), 1)} | "
                       f"{_fmt(_med(edits, 'rebuild_cpu_s'), 1)} |")
        out.append("")
    out += _targets(gen, builds)
    out += [f"Load average (1 min) during the measurements: "
            f"{_fmt(_med([r for r in rows if r.get('kind') == 'build'], 'load1'), 1)} (median)."
            if builds else "", ""]
    return "\n".join(out)


def _build_table(builds: Groups) -> list[str]:
    out = ["## Builds (`mkdocs build`, fresh site dir; medians; `1×` = single run)", "",
           "| N | variant | runs | wall s (min–max) | CPU s | wall ÷ floor | CPU ÷ floor "
           "| peak RSS MB | pages | output MB | bytes/page | largest page (bytes) "
           "| search total MB | one query KB (gzip) |",
           "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for (n, variant), g in builds.items():
        ok = [r for r in g if r.get("ok")]
        if not ok:
            out.append(f"| {n} | {variant} | FAILED | see logs/ | | | | | | | | | | |")
            continue
        stats = next((r for r in reversed(ok) if "pages" in r), {})
        wall, cpu = _med(ok, "wall_s"), _med(ok, "cpu_s")
        floor = builds.get((n, FLOOR_OF.get(variant, "")), [])
        floor_ok = [r for r in floor if r.get("ok")]
        fw, fc = _med(floor_ok, "wall_s"), _med(floor_ok, "cpu_s")
        rw = f"{wall / fw:.2f}" if wall and fw else ""
        rc = f"{cpu / fc:.2f}" if cpu and fc else ""
        runs = f"{len(ok)}" + (" (1×)" if len(ok) == 1 else "")
        walls = [r["wall_s"] for r in ok]
        largest = stats.get("largest_page_bytes")
        flag = " ✗" if largest and largest > TARGET_LARGEST_PAGE and variant in FLOOR_OF else ""
        out.append(
            f"| {n} | {variant} | {runs} | {_fmt(wall)} ({min(walls):.1f}–{max(walls):.1f}) | "
            f"{_fmt(cpu)} | {rw} | {rc} | {_fmt(max(r['peak_rss_mb'] for r in ok), 0)} | "
            f"{stats.get('pages', '—')} | {_fmt((stats.get('output_bytes') or 0) / 1e6)} | "
            f"{stats.get('bytes_per_page', 0):,} | `{stats.get('largest_page')}` "
            f"({largest or 0:,}){flag} | "
            f"{_fmt((stats.get('search_bytes') or 0) / 1e6, 2)} "
            f"({stats.get('search') or 'none'}) | "
            f"{_kb(stats.get('query_bytes'))} ({_kb(stats.get('query_bytes_gzip'))}) |")
    out.append("")
    return out


def _targets(gen: Groups, builds: Groups) -> list[str]:
    """One line per target of issue 8: met (✓), missed (✗) or not measured."""
    lines = ["## Targets", ""]

    def mark(ok: bool) -> str:
        return "✓" if ok else "✗"

    for (n,), g in gen.items():
        cpu = _med(g, "total_cpu_s") or _med(g, "total_s") or 0
        per = cpu / n * 1000
        lines.append(f"- generator stage ≤ 1 s per 1,000 papers, N={n}: {per:.2f} s CPU "
                     f"{mark(per <= TARGET_GEN_S_PER_1000)}")
    for (n, variant), g in builds.items():
        floor = builds.get((n, FLOOR_OF.get(variant, "")))
        ok, fok = [r for r in g if r.get("ok")], [r for r in floor or [] if r.get("ok")]
        if not ok or not fok:
            continue
        cpu = (_med(ok, "cpu_s") or 0) / (_med(fok, "cpu_s") or 1)
        wall = (_med(ok, "wall_s") or 0) / (_med(fok, "wall_s") or 1)
        kind = variant.rpartition("-")[2] if variant.endswith(("-warm", "-changed")) else "cold"
        target = {"warm": TARGET_WARM_RATIO, "changed": TARGET_CHANGED_RATIO}.get(kind,
                                                                                  TARGET_RATIO)
        lines.append(f"- {kind} build ≤ {target}× floor, N={n}, {variant} vs "
                     f"{FLOOR_OF[variant]}: CPU {cpu:.2f}×, wall {wall:.2f}× "
                     f"{mark(wall <= target)}")
    variant10k = next((v for v in ("real", "real-nosearch")
                       if any(r.get("ok") for r in builds.get((10000, v), []))), None)
    real10k = [r for r in builds.get((10000, variant10k or ""), []) if r.get("ok")]
    if real10k:
        wall, rss = _med(real10k, "wall_s") or 0, max(r["peak_rss_mb"] for r in real10k)
        lines.append(f"- N=10,000 in ≤ 3 min ({variant10k}): {wall:.0f} s wall, "
                     f"{_med(real10k, 'cpu_s') or 0:.0f} s CPU {mark(wall <= TARGET_10K_WALL_S)}")
        lines.append(f"- N=10,000 peak RSS ≤ 1.5 GiB ({variant10k}): {rss:.0f} MB "
                     f"{mark(rss <= TARGET_10K_RSS_MB)}")
    else:
        lines.append("- N=10,000: not measured")
    for variant in ("real", "real-nosearch"):
        per = {n: next((r["html_bytes_per_page"] for r in g if "html_bytes_per_page" in r), None)
               for (n, v), g in builds.items() if v == variant}
        if per.get(1000) and per.get(10000):
            growth = per[10000] / per[1000]
            lines.append(f"- HTML bytes per page flat from 1,000 to 10,000 ({variant}): "
                         f"{per[1000]:,} → {per[10000]:,} ({growth:.2f}×) "
                         f"{mark(growth <= 1.1)}")
    for (n, variant), g in builds.items():
        stats = next((r for r in g if "largest_page_bytes" in r), None)
        if stats and variant.startswith("real"):
            size = stats["largest_page_bytes"]
            lines.append(f"- largest HTML page ≤ 300 KB, N={n}, {variant}: "
                         f"`{stats['largest_page']}` {size:,} B "
                         f"{mark(size <= TARGET_LARGEST_PAGE)}")
    return [*lines, ""]
