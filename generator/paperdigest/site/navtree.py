"""The ``nav`` of ``mkdocs.yml``: which pages it names, and the same nav without one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


def without(nav: object, uri: str) -> object:
    """``nav`` of ``mkdocs.yml`` without the entries that lead to ``uri`` (a section left
    empty goes too)."""
    if isinstance(nav, list):
        items = [without(item, uri) for item in nav if item != uri]
        return [item for item in items if item is not None]
    if isinstance(nav, dict):
        entries = {key: without(value, uri) for key, value in nav.items() if value != uri}
        return {key: value for key, value in entries.items() if value not in (None, [])} or None
    return nav


def listed(config: MkDocsConfig) -> set[str]:
    """Source URIs named in the ``nav`` of ``mkdocs.yml``."""
    found: set[str] = set()

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config.nav or [])
    return found
