"""Benchmark the paperdigest build against the plain MkDocs floor.

    .venv/bin/python bench/run.py [--sizes 100,1000,10000] [--runs 3] [--out bench/out]
    .venv/bin/python bench/run.py --serve-edit            # save-to-served time at N=1000
    .venv/bin/python bench/run.py --report-only           # re-render out/report.md

Raw rows go to OUT/results.jsonl (appended, one JSON object per measurement), the table to
OUT/report.md. bench/README.md explains every figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report
from benchconfig import REPO
from make_corpus import DEFAULT_SEED, make_corpus
from measure import site_stats, timed
from serve_edit import serve_edit

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
VARIANTS = {
    # name: config file relative to the project
    "real": "mkdocs.yml",
    "real-nosearch": "mkdocs-nosearch.yml",
    # -warm: the render cache is full (one untimed build first); the others start empty.
    "real-warm": "mkdocs.yml",
    "real-nosearch-warm": "mkdocs-nosearch.yml",
    # -changed: as -warm, then one digest (the middle one) gets a new bullet before each run.
    "real-changed": "mkdocs.yml",
    "real-nosearch-changed": "mkdocs-nosearch.yml",
    "floor": "floor/mkdocs.yml",
    "floor-nosearch": "floor/mkdocs-nosearch.yml",
}
CORPUS_SOURCES = ("make_corpus.py", "words.py", "floor.py", "benchconfig.py")


class Recorder:
    """Appends rows to results.jsonl, each tagged with this session."""

    def __init__(self, out: Path) -> None:
        self.path = out / "results.jsonl"
        self.session = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.code = code_version()
        out.mkdir(parents=True, exist_ok=True)

    def add(self, row: dict[str, Any]) -> None:
        row = {"session": self.session, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
               "code": self.code, "load1": _load1(), **row}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        brief = {k: v for k, v in row.items()
                 if k not in ("session", "time", "code", "log_tail")}
        print(json.dumps(brief, ensure_ascii=False), flush=True)


def code_version() -> str:
    """A hash of the generator and templates: rows taken on different code can be told apart."""
    digest = hashlib.sha256()
    for folder in ("generator", "site_templates"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _load1() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return -1.0


def corpus_stamp(n: int, seed: int) -> str:
    digest = hashlib.sha256(f"{n}:{seed}".encode())
    for name in CORPUS_SOURCES:
        digest.update((HERE / name).read_bytes())
    config = REPO / "mkdocs.yml"
    if config.is_file():
        digest.update(config.read_bytes())
    return digest.hexdigest()[:16]


def ensure_corpus(root: Path, n: int, seed: int, rec: Recorder) -> Path:
    """Build the corpus for N unless an identical one is already there."""
    project = root / str(n)
    stamp = project / ".stamp"
    want = corpus_stamp(n, seed)
    if stamp.is_file() and stamp.read_text() == want:
        return project
    project.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    make_corpus(project, n, seed)
    seconds = time.perf_counter() - t0
    papers = sorted((project / "content" / "papers").glob("*.md"))
    sizes = [p.stat().st_size for p in papers]
    rec.add({"kind": "corpus", "n": n, "seed": seed, "make_corpus_s": round(seconds, 2),
             "paper_bytes_mean": round(statistics.mean(sizes)), "paper_bytes_min": min(sizes),
             "paper_bytes_max": max(sizes),
             "authors": len(list((project / "content" / "authors").glob("*.yaml")))})
    stamp.write_text(want)
    return project


def gen_stage(project: Path, n: int, runs: int, out: Path, rec: Recorder, profile: bool) -> None:
    for run in range(1, runs + 1):
        log = out / "logs" / f"gen-{n}-{run}.log"
        result = timed([PYTHON, str(HERE / "genstage.py"), str(project)], project, log)
        lines = log.read_text(encoding="utf-8").strip().splitlines()
        inner = json.loads(lines[-1]) if result.ok and lines else {"ok": False}
        rec.add({"kind": "gen", "n": n, "run": run, "wall_s": result.wall_s,
                 "cpu_s": result.cpu_s, "peak_rss_mb": result.peak_rss_mb, **inner,
                 **({} if result.ok else {"log_tail": result.log_tail})})
    if profile:
        target = out / f"profile-gen-{n}.txt"
        timed([PYTHON, str(HERE / "genstage.py"), str(project), "--profile", str(target)],
              project, out / "logs" / f"gen-{n}-profile.log")
        print(f"profile: {target}", flush=True)


def build_variant(project: Path, n: int, variant: str, runs: int, out: Path, rec: Recorder,
                  single_over: float | None) -> None:
    config = project / VARIANTS[variant]
    site = out / "sites" / str(n) / variant
    cache = project / ".cache" / "paperdigest"
    warm = variant.endswith(("-warm", "-changed"))
    papers = sorted((project / "content" / "papers").glob("*.md"))
    digest = papers[len(papers) // 2]
    original = digest.read_text(encoding="utf-8")
    if warm:  # fill the cache with an untimed build of the same configuration
        shutil.rmtree(cache, ignore_errors=True)
        timed([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
              config.parent, out / "logs" / f"build-{n}-{variant}-prime.log")
    for run in range(1, runs + 1):
        shutil.rmtree(site, ignore_errors=True)
        if not warm:
            shutil.rmtree(cache, ignore_errors=True)  # a cold build: nothing to reuse
        log = out / "logs" / f"build-{n}-{variant}-{run}.log"
        if variant.endswith("-changed"):
            digest.write_text(original.replace("\n## 2.", f"\n- 変更 {run} {uuid.uuid4().hex}"
                                               "\n\n## 2.", 1), encoding="utf-8")
        try:
            result = timed([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(config),
                            "-d", str(site)], config.parent, log)
        finally:
            digest.write_text(original, encoding="utf-8")
        row: dict[str, Any] = {"kind": "build", "n": n, "variant": variant, "run": run,
                               "ok": result.ok, "wall_s": result.wall_s, "cpu_s": result.cpu_s,
                               "peak_rss_mb": result.peak_rss_mb, "warnings": result.warnings}
        if not result.ok:
            row["log_tail"] = result.log_tail
            rec.add(row)
            return
        last = run == runs or (single_over is not None and result.wall_s > single_over)
        if last:
            row.update(site_stats(site))
        rec.add(row)
        if last:
            break
    shutil.rmtree(site, ignore_errors=True)  # 10,000-paper sites take hundreds of MB


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus",
                        help="where the synthetic projects are kept between runs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--single-run-over", type=float, default=60.0,
                        help="at N >= --single-run-from, a build slower than this runs once")
    parser.add_argument("--single-run-from", type=int, default=10000)
    parser.add_argument("--no-gen", action="store_true", help="skip the generator stage")
    parser.add_argument("--profile", action="store_true",
                        help="also write a cProfile of the generator stage per N")
    parser.add_argument("--serve-edit", action="store_true",
                        help="measure save-to-served time under mkdocs serve (and nothing else "
                             "unless --sizes is given too)")
    parser.add_argument("--serve-n", type=int, default=1000)
    parser.add_argument("--serve-edits", type=int, default=3)
    parser.add_argument("--serve-config", default="mkdocs.yml")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    argv_given = sys.argv[1:] if argv is None else argv
    out: Path = args.out
    rec = Recorder(out)
    if not args.report_only:
        only_serve = args.serve_edit and not any(a.startswith("--sizes") for a in argv_given)
        sizes = [] if only_serve else [int(s) for s in args.sizes.split(",") if s]
        for n in sizes:
            project = ensure_corpus(args.corpus, n, args.seed, rec)
            if not args.no_gen:
                gen_stage(project, n, args.runs, out, rec, args.profile)
            single = args.single_run_over if n >= args.single_run_from else None
            for variant in filter(None, args.variants.split(",")):
                build_variant(project, n, variant, args.runs, out, rec, single)
        if args.serve_edit:
            project = ensure_corpus(args.corpus, args.serve_n, args.seed, rec)
            for row in serve_edit(project, args.serve_config, args.serve_edits,
                                  out / "logs" / f"serve-{args.serve_n}.log"):
                rec.add({"kind": "serve", "n": args.serve_n, "config": args.serve_config, **row})
    text = report.render(report.read_rows(out / "results.jsonl"))
    (out / "report.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
