"""Which engine should run KaTeX: speed, coverage and agreement on the LaTeX of real digests.

    python bench/katex_engines.py out.json        # in each environment to compare

Collects every formula of the shipped digests, the test digests and the math tests' bodies
(``content/papers``, ``tests/data``; found by ``content.mathspans``, as the build finds
them), then for each route that imports in this environment renders all of them three times:

- ``quickjs``: the ``quickjs`` distribution (the ``quickjs`` module), running the vendored
  ``katex.min.js``; ``quickjs-ng`` installs the same module name, so run it in its own
  environment;
- ``mini-racer``: V8 (``py_mini_racer``), same KaTeX;
- ``latex2mathml``: the pure-Python converter (no KaTeX).

Writes, per route: the version, start-up time, the median total time over all formulas,
how many it rendered, and a sha256 of every output (``report`` compares two files: the
KaTeX routes must agree byte for byte). Timings are figures for a note, never a test.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "generator"))

from paperdigest.content.mathspans import find_math  # noqa: E402

KATEX = REPO / "generator" / "paperdigest" / "content" / "katex" / "katex.min.js"
OPTIONS = ('{output: "mathml", displayMode: d, throwOnError: true, strict: "ignore", '
           'trust: false, maxExpand: 1000, maxSize: 20}')
# .normalize(): quickjs-ng's binding (0.17) cannot return a string built by concatenation
# (a rope: "Unknown quickjs tag: -6" on 3 of the formulas); a flat copy it can.
RENDER = ("(function (t, d) { try { return ('ok' + katex.renderToString(t, " + OPTIONS + "))"
          ".normalize(); } catch (e) { return ('no' + String(e && e.message || e)).normalize(); "
          "} })")


def formulas() -> list[tuple[str, bool]]:
    found: dict[tuple[str, bool], None] = {}
    for folder in (REPO / "content" / "papers", REPO / "tests" / "data"):
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for span in find_math(text):
                found[(span.tex, span.display)] = None
    return list(found)


Render = Callable[[str, bool], str]


def quickjs_route() -> tuple[str, Render]:
    import quickjs

    context = quickjs.Context()
    context.set_max_stack_size(4 * 1024 * 1024)
    context.eval(KATEX.read_text(encoding="utf-8"))
    fn = context.eval(RENDER)
    dist = "quickjs-ng" if _installed("quickjs-ng") else "quickjs"
    return f"{dist} {metadata.version(dist)}", lambda t, d: str(fn(t, d))


def mini_racer_route() -> tuple[str, Render]:
    from py_mini_racer import MiniRacer

    ctx = MiniRacer()
    ctx.eval(KATEX.read_text(encoding="utf-8"))
    ctx.eval("var render = " + RENDER)
    return (f"mini-racer {metadata.version('mini-racer')}",
            lambda t, d: str(ctx.call("render", t, d)))


def latex2mathml_route() -> tuple[str, Render]:
    from latex2mathml.converter import convert

    def render(tex: str, display: bool) -> str:
        try:
            return "ok" + convert(tex, display="block" if display else "inline")
        except Exception as exc:  # any failure is a formula it cannot do
            return f"no{type(exc).__name__}"

    return f"latex2mathml {metadata.version('latex2mathml')}", render


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def measure(route: Callable[[], tuple[str, Render]], cases: list[tuple[str, bool]]
            ) -> dict[str, object] | None:
    try:
        start = time.perf_counter()
        name, render = route()
        startup = time.perf_counter() - start
    except ImportError:
        return None
    runs, outputs = [], []
    for _ in range(3):
        start = time.perf_counter()
        outputs = [render(tex, display) for tex, display in cases]
        runs.append(time.perf_counter() - start)
    return {"route": name, "startup_s": round(startup, 4),
            "total_s": round(statistics.median(runs), 4),
            "per_formula_ms": round(1000 * statistics.median(runs) / len(cases), 4),
            "rendered": sum(o.startswith("ok") for o in outputs), "formulas": len(cases),
            "outputs": [hashlib.sha256(o.encode()).hexdigest()[:16] for o in outputs]}


def main(out: Path) -> None:
    cases = formulas()
    results = [r for r in (measure(route, cases) for route in
                           (quickjs_route, mini_racer_route, latex2mathml_route)) if r]
    out.write_text(json.dumps({"formulas": cases, "results": results}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    for r in results:
        print(f"{r['route']:24} start {r['startup_s']:7.3f} s  {r['per_formula_ms']:7.3f} ms "
              f"a formula  rendered {r['rendered']}/{r['formulas']}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "katex-engines.json"))
