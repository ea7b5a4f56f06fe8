#!/usr/bin/env python3
"""Replace the vendored KaTeX (``content/katex/``) with another release, and record it.

    python tools/update_katex.py 0.16.47          # fetches the release with `npm pack`
    python tools/update_katex.py katex-0.16.47.tgz  # or from a package tarball you have

Writes ``katex.min.js`` and ``LICENSE`` from the package's ``dist/`` and ``VERSION.json``
with the KaTeX version, the file's sha256 and the JavaScript engine that runs it (the
``quickjs-ng`` distribution installed here). ``tests/test_katex_version.py`` checks the three
agree, so a hand-edited file or a forgotten record fails the tests. Run the tests after an
update: the math golden page shows what changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

KATEX_DIR = (Path(__file__).resolve().parent.parent / "generator" / "paperdigest" / "content"
             / "katex")
MAX_FILE = 4 * 2**20
"""Largest katex.min.js accepted (0.16 is about 270 KB)."""
_VERSION = re.compile(rb'version:"(\d+\.\d+\.\d+)"')


class UpdateError(Exception):
    """The tarball is not a KaTeX release this script can vendor."""


def embedded_version(script: bytes) -> str:
    """The version KaTeX announces in its own code (``katex.version``)."""
    found = _VERSION.search(script)
    if found is None:
        raise UpdateError("katex.min.js names no version: is it KaTeX's dist file?")
    return found.group(1).decode()


def record(script: bytes, engine: str, engine_version: str) -> dict[str, object]:
    """What VERSION.json says of ``script``."""
    return {
        "katex": {"version": embedded_version(script), "file": "katex.min.js",
                  "sha256": hashlib.sha256(script).hexdigest(), "bytes": len(script),
                  "source": f"npm package katex@{embedded_version(script)}, "
                            "dist/katex.min.js", "license": "MIT (LICENSE)"},
        "engine": {"distribution": engine, "version": engine_version},
    }


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        info = archive.getmember(name)
    except KeyError:
        raise UpdateError(f"the tarball has no {name}") from None
    if not info.isfile() or info.size > MAX_FILE:
        raise UpdateError(f"{name} in the tarball is not a regular file under 4 MB")
    handle = archive.extractfile(info)
    assert handle is not None
    return handle.read()


def vendor(tarball: Path, target: Path = KATEX_DIR, *, engine: str = "quickjs-ng") -> str:
    """Write KaTeX from an npm ``tarball`` into ``target``; return its version."""
    with tarfile.open(tarball, "r:gz") as archive:
        script = _member(archive, "package/dist/katex.min.js")
        license_text = _member(archive, "package/LICENSE")
    facts = record(script, engine, metadata.version(engine))
    target.mkdir(parents=True, exist_ok=True)
    (target / "katex.min.js").write_bytes(script)
    (target / "LICENSE").write_bytes(license_text)
    (target / "VERSION.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return embedded_version(script)


def _pack(version: str, into: Path) -> Path:
    """``npm pack katex@version`` into ``into`` (the ordinary client, its own registry)."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise UpdateError(f"{version!r} is not a KaTeX version like 0.16.47")
    done = subprocess.run(["npm", "pack", f"katex@{version}", "--pack-destination", str(into)],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise UpdateError(f"npm pack failed: {done.stderr.strip()[-300:]}")
    return into / f"katex-{version}.tgz"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[0].endswith(".tgz"):
            version = vendor(Path(argv[0]))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                version = vendor(_pack(argv[0], Path(tmp)))
    except (UpdateError, OSError, tarfile.TarError) as exc:
        print(f"update-katex: {exc}", file=sys.stderr)
        return 1
    print(f"KaTeX {version} vendored into {KATEX_DIR}; now run the tests "
          "(python -m pytest tests/test_math.py tests/test_katex_version.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
