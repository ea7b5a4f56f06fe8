"""The generator stage alone (load + validate + render), timed in-process.

    python bench/genstage.py PROJECT [--profile OUT.txt]

Mirrors what ``generator/plugin.py`` does in ``on_config``: ``check_content``, then
``render_site`` and ``render_files`` with the options the plugin builds. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def run(project: Path) -> dict[str, object]:
    from paperdigest.content.loader import check_content
    from paperdigest.site.render import render_files, render_site
    from paperdigest.site.settings import default_project

    times: dict[str, object] = {}
    c0, t0 = time.process_time(), time.perf_counter()
    site, problems = check_content(project / "content", root=project)
    c1, t1 = time.process_time(), time.perf_counter()
    if site is None:
        return {"ok": False, "problems": [str(p) for p in problems[:20]]}
    options = default_project(project, site_name="bench")
    pages = render_site(site, options, REPO / "site_templates")
    c2, t2 = time.process_time(), time.perf_counter()
    files = render_files(site, options)
    c3, t3 = time.process_time(), time.perf_counter()
    times.update(
        ok=True, load_s=round(t1 - t0, 4), render_s=round(t2 - t1, 4),
        files_s=round(t3 - t2, 4), total_s=round(t3 - t0, 4),
        # CPU seconds of the same stages: what the stage costs on a machine that is not busy
        load_cpu_s=round(c1 - c0, 4), render_cpu_s=round(c2 - c1, 4),
        files_cpu_s=round(c3 - c2, 4), total_cpu_s=round(c3 - c0, 4), problems=len(problems),
        papers=len(site.papers), generated_pages=len(pages), generated_files=len(files),
        generated_bytes=sum(len(t.encode()) for t in pages.values()),
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--profile", type=Path, help="write the top functions by time here")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(run, args.project)
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(30)
        args.profile.write_text(buf.getvalue(), encoding="utf-8")
    else:
        result = run(args.project)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
