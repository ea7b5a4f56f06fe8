"""Where the Markdown time of the generated pages goes, by kind of page.

    .venv/bin/python bench/mdcost.py bench/corpus/1000

Renders the pages as the plugin does, then converts each with the Markdown extensions of the
bench ``mkdocs.yml`` and sums CPU time per kind (first path part; paper pages apart). The
floor's paper pages are converted too, for comparison. MkDocs spends most of a build here.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import markdown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchconfig import REPO, real_config


def _extensions() -> tuple[list[str], dict[str, Any]]:
    names: list[str] = []
    configs: dict[str, Any] = {}
    for entry in real_config(search=False).get("markdown_extensions") or []:
        name = entry if isinstance(entry, str) else next(iter(entry))
        names.append(name)
        if isinstance(entry, dict) and entry[name]:
            configs[name] = entry[name]
    return names, configs


def _kind(uri: str) -> str:
    parts = uri.split("/")
    if parts[0] == "papers" and len(parts) == 2 and parts[1] != "index.md":
        return "paper"
    if parts[0] == "papers" and len(parts) == 3 and parts[1] not in ("page",):
        return "paper"  # old-style ids: papers/hep-th/9901001.md
    return parts[0] if len(parts) > 1 else uri


def main(project: Path) -> None:
    sys.path.insert(0, str(REPO))
    from paperdigest.content.loader import check_content
    from paperdigest.site.render import render_site
    from paperdigest.site.settings import default_project

    site, problems = check_content(project / "content", root=project)
    assert site is not None, problems[:5]
    pages = render_site(site, default_project(project), REPO / "site_templates")
    names, configs = _extensions()
    md = markdown.Markdown(extensions=names, extension_configs=configs)
    cost: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    floor = sorted((project / "floor" / "docs" / "papers").glob("*.md"))
    items = [*pages.items(), *((f"floor:{p.name}", p.read_text(encoding="utf-8")) for p in floor)]
    for uri, text in items:
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        kind = "floor paper" if uri.startswith("floor:") else _kind(uri)
        start = time.process_time()
        md.reset()
        md.convert(body)
        entry = cost[kind]
        entry[0] += 1
        entry[1] += time.process_time() - start
        entry[2] += len(body.encode())
    print(f"{'kind':14s} {'pages':>6s} {'CPU s':>7s} {'ms/page':>8s} {'KB md/page':>10s}")
    for kind, (n, seconds, size) in sorted(cost.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:14s} {n:6.0f} {seconds:7.2f} {1000 * seconds / n:8.1f} "
              f"{size / n / 1000:10.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
