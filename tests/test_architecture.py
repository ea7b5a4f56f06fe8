"""Data flows one way: each module imports only what the table in STYLE allows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# module -> generator modules it must NOT import (edge and upstream modules)
FORBIDDEN = {
    "errors": {"*"},
    "ids": {"*"},
    "model": {"loader", "render", "plugin", "cli", "arxiv", "metrics", "yamlsafe", "digest"},
    "yamlsafe": {"loader", "render", "plugin", "cli", "model"},
    "digest": {"loader", "render", "plugin", "cli", "arxiv", "metrics"},
    "loader": {"render", "plugin", "cli", "arxiv", "metrics"},
    "paths": {"loader", "render", "plugin", "cli"},
    "render": {"loader", "plugin", "cli", "arxiv", "metrics"},
    "plugin": {"cli", "arxiv", "metrics"},
}
THIRD_PARTY_BANNED = {
    "model": {"yaml", "jinja2", "mkdocs", "httpx", "click"},
    "loader": {"mkdocs", "httpx", "click", "jinja2"},
    "render": {"mkdocs", "httpx", "click"},
    "plugin": {"httpx", "click"},
}


def imports(module: str) -> tuple[set[str], set[str]]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    own: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.module:
                    own.add(node.module.split(".")[0])
                else:
                    own.update(a.name for a in node.names)
            elif node.module:
                other.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            other.update(a.name.split(".")[0] for a in node.names)
    return own, other


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_import_rules(module: str) -> None:
    own, other = imports(module)
    banned = FORBIDDEN[module]
    assert (own if "*" in banned else own & banned) == set()
    assert other & THIRD_PARTY_BANNED.get(module, set()) == set()


def test_nothing_imports_cli() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("cli", "__main__"):
            continue
        assert "cli" not in imports(path.stem)[0], path.name


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 450} == {}
