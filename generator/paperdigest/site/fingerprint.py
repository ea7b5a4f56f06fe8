"""What a cached page depends on besides its own input: code, libraries, config, theme.

Every cache key of the build starts from ``code_fingerprint()``: Python, the version of every
library that shapes a page (a new sanitiser or highlighter must not reuse old HTML) and a
hash of paperdigest's own code. ``config_fingerprint`` and ``theme_fingerprint`` add the
settings and theme files that shape a page's final HTML.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

PACKAGES = ("markdown", "pymdown-extensions", "pygments", "mkdocs", "mkdocs-material",
            "mkdocs-material-extensions", "jinja2", "markupsafe", "nh3", "pagefind",
            "pagefind-bin-extended", "selectolax", "pyyaml", "quickjs-ng", "emoji",
            "pillow")
"""Libraries whose version is part of every key: they check content (YAML, KaTeX's engine,
blurb counting), convert, theme, sanitise or draw pages."""
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_VOLATILE = frozenset({"site_dir", "config_file_path", "dev_addr", "watch", "strict",
                       "theme", "plugins"})
"""Settings that do not shape a page's HTML (or are added separately, as theme and plugins)."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Versions of the page-shaping libraries and a hash of paperdigest's own code."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in PACKAGES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\n".encode())
    for path in sorted(_PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".js", ".j2", ".html", ".css") and path.is_file():
            digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stable(value: object) -> str:
    """A name for settings JSON cannot write (slugify functions, extension objects)."""
    kind = value if callable(value) and hasattr(value, "__qualname__") else type(value)
    return f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', repr(kind))}"


def to_json(value: object) -> str:
    def default(item: object) -> object:
        if isinstance(item, (set, frozenset)):
            return sorted(map(str, item))
        text = repr(item)
        # An object without its own repr shows its address, which changes every run.
        return stable(item) if callable(item) or " at 0x" in text else text

    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=default)


def config_fingerprint(config: MkDocsConfig) -> str:
    """Every setting of ``mkdocs.yml`` that may show in a page, with every plugin's block."""
    settings = {key: value for key, value in config.items() if key not in _VOLATILE}
    settings["theme"] = {key: config.theme[key] for key in sorted(config.theme)}
    settings["theme_dirs"] = list(config.theme.dirs)
    settings["plugins"] = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
    settings["source_date_epoch"] = os.environ.get("SOURCE_DATE_EPOCH", "")
    return hashlib.sha256((code_fingerprint() + to_json(settings)).encode()).hexdigest()


def _installed(folder: Path) -> bool:
    # A theme folder inside an installed package is named by that package's version.
    import mkdocs

    return folder.resolve().is_relative_to(Path(mkdocs.__file__).resolve().parent.parent)


def theme_fingerprint(dirs: list[str], extra: list[Path]) -> str:
    """The theme's own files: names and bytes of every folder that is not an installed
    package (a site's ``custom_dir``, the overrides, the page templates and assets)."""
    digest = hashlib.sha256()
    for folder in [Path(d) for d in dirs] + extra:
        if not folder.is_dir() or _installed(folder):
            continue
        digest.update(f"\x00dir {folder}\n".encode())
        for parent, subdirs, names in os.walk(folder):
            subdirs.sort()
            for name in sorted(names):
                path = Path(parent, name)
                if path.is_file():
                    digest.update(path.relative_to(folder).as_posix().encode() + b"\x00")
                    digest.update(path.read_bytes())
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Writes equal values as equal bytes: no memo (so shared and merely equal objects look
    the same) and read-only mappings as plain ones."""

    fast = True

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, MappingProxyType):
            return dict, (dict(obj),)
        return NotImplemented


def value_bytes(value: object) -> bytes:
    """``value`` (content objects, settings: dataclasses, tuples, dates, paths) as bytes that
    are equal exactly when the values are.

    Raises:
        TypeError, pickle.PicklingError: a value that cannot be written (not content).
    """
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def value_digest(value: object) -> str:
    """SHA-256 of ``value_bytes(value)``."""
    return hashlib.sha256(value_bytes(value)).hexdigest()
