"""The mkdocs.yml files of a bench project, derived from the repository's own mkdocs.yml.

Starting from the real configuration (theme, features, Markdown extensions, validation) keeps
the benchmark honest: it measures the site people build, with only the name, URL and the
paths that must point back into the repository changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
FALLBACK: dict[str, Any] = {
    "site_name": "bench",
    "site_url": "https://example.org/",
    "docs_dir": "content/pages",
    "theme": {"name": "material", "language": "ja"},
    "plugins": ["paperdigest"],
    "markdown_extensions": ["attr_list", "md_in_html", "admonition", "tables", "toc",
                            "pymdownx.highlight", "pymdownx.superfences"],
}
FLOOR_NAV = [{"ホーム": "index.md"}, {"著者": "authors/index.md"}, {"タグ": "tags/index.md"}]


class _Tagged:
    """A value with a YAML tag this script need not understand (``!!python/name:...``)."""

    def __init__(self, tag: str, value: object) -> None:
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value: object
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return _Tagged(node.tag, value)


def _represent(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Loader.add_multi_constructor("!", _construct)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct)
_Dumper.add_representer(_Tagged, _represent)


def base_config() -> dict[str, Any]:
    """The repository's mkdocs.yml as a dict (a minimal stand-in when there is none)."""
    path = REPO / "mkdocs.yml"
    if not path.is_file():
        return dict(FALLBACK)
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    assert isinstance(config, dict), f"{path}: expected a mapping"
    return config


def _plugin_name(entry: object) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))  # type: ignore[call-overload]


def _without_plugins(config: dict[str, Any], names: set[str]) -> list[Any]:
    return [p for p in config.get("plugins") or [] if _plugin_name(p) not in names]


def _dump(config: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def real_config(search: bool) -> dict[str, Any]:
    """The real site: the paperdigest plugin, with or without its Pagefind index."""
    config = base_config()
    config.update(site_name="bench", site_url="https://example.org/", docs_dir="content/pages")
    theme = dict(config.get("theme") or {"name": "material"})
    if "custom_dir" in theme:  # the project is written outside the repository
        theme["custom_dir"] = str((REPO / theme["custom_dir"]).resolve())
    config["theme"] = theme
    options: dict[str, Any] = {"templates_dir": str(REPO / "site_templates")}
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "paperdigest" in entry:
            options = {**(entry["paperdigest"] or {}), **options}
    if not search:
        options["search"] = "none"
    config["plugins"] = [*_without_plugins(config, {"paperdigest", "search"} if not search
                                           else {"paperdigest"}),
                         {"paperdigest": options}]
    return config


def floor_config(search: bool) -> dict[str, Any]:
    """Plain MkDocs + Material on the floor pages: same theme and extensions, no plugin."""
    config = base_config()
    config.update(site_name="bench floor", site_url="https://example.org/", docs_dir="docs",
                  nav=FLOOR_NAV, plugins=["search"] if search else [])
    theme = {k: v for k, v in (config.get("theme") or {"name": "material"}).items()
             if k != "custom_dir"}
    config["theme"] = theme
    for key in ("extra_css", "extra_javascript", "repo_url", "edit_uri"):
        config.pop(key, None)
    return config


def write_site_configs(out: Path) -> None:
    """OUT/mkdocs.yml (real site, Pagefind) and OUT/mkdocs-nosearch.yml."""
    _dump(real_config(search=True), out / "mkdocs.yml")
    _dump(real_config(search=False), out / "mkdocs-nosearch.yml")


def write_floor_configs(floor_dir: Path) -> None:
    """FLOOR/mkdocs.yml (Material's search) and FLOOR/mkdocs-nosearch.yml."""
    _dump(floor_config(search=True), floor_dir / "mkdocs.yml")
    _dump(floor_config(search=False), floor_dir / "mkdocs-nosearch.yml")
