"""Data flows one way: every module imports only the layers the allow-list below names.

``paperdigest/`` is organised as the pipeline: ``content`` (read and validate) feeds ``site``
(render and publish); ``edit`` writes into ``content/`` and may use ``sources`` (the network
clients); ``cli`` sits on top and nothing imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "paperdigest"

LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "fileio": set(),
    "project": {"errors"},
    "content": {"errors", "fileio", "content"},
    "sources": {"errors", "fileio", "content", "sources"},
    "site": {"errors", "fileio", "project", "content", "site"},
    "edit": {"errors", "fileio", "project", "content", "edit", "sources"},
    "cliutil": {"errors"},
    "cli": {"errors", "fileio", "project", "content", "site", "edit", "sources", "cli",
            "cliutil"},
    "__main__": {"cli"},
    "__init__": set(),
}
"""Layer -> the layers its modules may import (its own included where it has several)."""

THIRD_PARTY: dict[str, set[str]] = {
    "content": {"mkdocs", "httpx", "click", "jinja2", "PIL"},
    "site": {"httpx", "click"},
    "sources": {"mkdocs", "jinja2", "click"},
    "edit": {"mkdocs", "jinja2", "click"},
    "errors": {"yaml", "mkdocs", "httpx", "click", "jinja2"},
    "fileio": {"yaml", "mkdocs", "httpx", "click", "jinja2", "PIL"},
}
"""Layer -> third-party packages it must not import."""

MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(source: str, rel: Path) -> tuple[set[str], set[str]]:
    """(paperdigest layers, third-party packages) imported by ``source``, the module at ``rel``."""
    here = rel.parent.parts
    own: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - (node.level - 1)])
                target = [*base, *(node.module.split(".") if node.module else [])]
                own.update(target[:1] or [a.name for a in node.names])
            elif node.module and node.module.split(".")[0] == "paperdigest":
                parts = node.module.split(".")
                own.add(parts[1] if len(parts) > 1 else node.names[0].name)
            elif node.module:
                other.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            other.update(a.name.split(".")[0] for a in node.names)
    own.discard("__version__")
    return own, other


def test_every_module_belongs_to_a_layer() -> None:
    assert {layer_of(p) for p in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    own, other = imports(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE))
    layer = layer_of(path)
    assert own - LAYERS[layer] == set()
    assert other & THIRD_PARTY.get(layer, set()) == set()


@pytest.mark.parametrize(("line", "layer"), [
    ("from ..site import render", "site"),
    ("from ..site.render import render_site", "site"),
    ("from paperdigest.cli import main", "cli"),
    ("from ... import cli", "cli"),
])
def test_an_upward_import_is_seen(line: str, layer: str) -> None:
    rel = Path("content") / "loader.py"
    own, _ = imports(line + "\n", rel)
    assert layer in own and layer not in LAYERS["content"]


def test_modules_stay_small() -> None:
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
             for p in MODULES}
    assert {name: n for name, n in sizes.items() if n > 450} == {}


# Concerns with one owner each: the pool (content/parallel.py) and the atomic writer
# (fileio.py). The render cache keeps its own until it moves to both.
OWN_POOL = {"content/parallel.py"}
OWN_WRITER = {"fileio.py"}


def _using(*needles: str) -> set[str]:
    return {str(p.relative_to(PACKAGE)) for p in MODULES
            if any(n in p.read_text(encoding="utf-8") for n in needles)}


def test_one_process_pool() -> None:
    assert _using("ProcessPoolExecutor", "multiprocessing") <= OWN_POOL


def test_one_atomic_writer() -> None:
    assert _using("mkstemp", "os.link(", "fsync(") <= OWN_WRITER
