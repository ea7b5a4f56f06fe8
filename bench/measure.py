"""Measuring one build: a command under ``/usr/bin/time -v``, and the site it wrote."""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
PAGEFIND_RESULTS_SHOWN = 5
"""Pagefind's default UI loads the fragments of the first five results."""


@dataclass
class Timed:
    """What ``/usr/bin/time -v`` saw of one command (RSS: its largest process)."""

    ok: bool
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    log_tail: str
    warnings: int


def timed(command: list[str], cwd: Path, log: Path, timeout: float = 3600) -> Timed:
    """Run ``command`` in its own process group under ``/usr/bin/time -v``."""
    env = {**os.environ, **BUILD_ENV}
    with tempfile.NamedTemporaryFile(suffix=".time", delete=False) as tf:
        time_file = Path(tf.name)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(time_file), *command], cwd=cwd,
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            returncode = proc.wait()
    wall = time.monotonic() - start
    fields = _time_fields(time_file.read_text(encoding="utf-8", errors="replace"))
    time_file.unlink()
    text = log.read_text(encoding="utf-8", errors="replace")
    return Timed(
        ok=returncode == 0, wall_s=round(wall, 3),
        cpu_s=round(float(fields.get("User time (seconds)", 0))
                    + float(fields.get("System time (seconds)", 0)), 3),
        peak_rss_mb=round(int(fields.get("Maximum resident set size (kbytes)", 0)) / 1024, 1),
        returncode=returncode, log_tail=text[-2000:],
        warnings=sum(1 for line in text.splitlines() if line.startswith("WARNING")),
    )


def _time_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.strip().rpartition(": ")
        if sep:
            fields[key] = value
    return fields


def site_stats(site: Path) -> dict[str, Any]:
    """Pages, bytes, the largest page and the search payload of a built site."""
    files = [p for p in site.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    total = sum(p.stat().st_size for p in files)
    html_bytes = sum(p.stat().st_size for p in html)
    largest = max(html, key=lambda p: p.stat().st_size) if html else None
    stats: dict[str, Any] = {
        "pages": len(html), "files": len(files), "output_bytes": total, "html_bytes": html_bytes,
        "bytes_per_page": round(total / len(html)) if html else None,
        "html_bytes_per_page": round(html_bytes / len(html)) if html else None,
        "largest_page": largest.relative_to(site).as_posix() if largest else None,
        "largest_page_bytes": largest.stat().st_size if largest else None,
    }
    stats.update(search_payload(site))
    return stats


def search_payload(site: Path) -> dict[str, Any]:
    """Total search bytes, and what a reader downloads for one query.

    Material/lunr: the whole ``search/search_index.json`` (plus its worker, ignored here).
    Pagefind: the UI and runtime files, the entry and meta files, one index chunk (the
    largest: a one-word query needs exactly one) and the fragments of the results shown.
    Measured from the file listing; ``measure_search.py`` measures it in a real browser.
    """
    lunr = site / "search" / "search_index.json"
    if lunr.is_file():
        size = lunr.stat().st_size
        return {"search": "lunr", "search_bytes": size, "query_bytes": size,
                "query_bytes_gzip": len(gzip.compress(lunr.read_bytes(), 6))}
    bundle = site / "pagefind"
    if (bundle / "pagefind-entry.json").is_file():
        return _pagefind_payload(bundle)
    # Hook: another search engine's bundle would be measured here.
    return {"search": None, "search_bytes": 0, "query_bytes": 0, "query_bytes_gzip": 0}


def _pagefind_payload(bundle: Path) -> dict[str, Any]:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    chunks = sorted((p for p in (bundle / "index").glob("*.pf_index")),
                    key=lambda p: p.stat().st_size)
    fragments = sorted((bundle / "fragment").glob("*.pf_fragment"),
                       key=lambda p: p.stat().st_size)
    fixed = [bundle / n for n in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js",
                                  "pagefind-worker.js", "pagefind-entry.json")]
    for lang, info in entry.get("languages", {}).items():
        fixed.append(bundle / f"pagefind.{info['hash']}.pf_meta")
        wasm = bundle / f"wasm.{lang}.pagefind"
        fixed.append(wasm if wasm.is_file() else bundle / "wasm.unknown.pagefind")
    median_fragment = fragments[len(fragments) // 2] if fragments else None
    query = [p for p in fixed if p.is_file()]
    if chunks:
        query.append(chunks[-1])
    query += [median_fragment] * min(PAGEFIND_RESULTS_SHOWN, len(fragments)) if median_fragment \
        else []
    return {
        "search": "pagefind", "search_bytes": sum(p.stat().st_size for p in files),
        "search_files": len(files), "index_chunks": len(chunks),
        "index_chunk_max": chunks[-1].stat().st_size if chunks else 0,
        "index_chunk_median": statistics.median(p.stat().st_size for p in chunks) if chunks
        else 0,
        "meta_bytes": sum(p.stat().st_size for p in bundle.glob("*.pf_meta")),
        "query_bytes": sum(p.stat().st_size for p in query),
        "query_bytes_gzip": sum(len(gzip.compress(p.read_bytes(), 6)) for p in query),
    }
