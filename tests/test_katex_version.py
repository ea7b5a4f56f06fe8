"""The vendored KaTeX is the release ``VERSION.json`` names, run by the engine it names, and
``tools/update_katex.py`` writes all three together (here from a tarball made in tmp)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import tarfile
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO
from paperdigest.content import math

KATEX = Path(math.KATEX)
RECORD = json.loads((KATEX.parent / "VERSION.json").read_text(encoding="utf-8"))


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_katex",
                                                  REPO / "tools" / "update_katex.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_vendored_file_is_the_recorded_release() -> None:
    script = KATEX.read_bytes()
    assert hashlib.sha256(script).hexdigest() == RECORD["katex"]["sha256"]
    assert len(script) == RECORD["katex"]["bytes"]
    assert f'version:"{RECORD["katex"]["version"]}"'.encode() in script


def test_the_engine_is_the_recorded_one() -> None:
    engine = RECORD["engine"]
    assert metadata.version(engine["distribution"]) == engine["version"]
    # and KaTeX runs in it
    assert str(math._engine().render("x", False)).startswith('ok<span class="katex">')


def _tarball(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "katex-9.9.9.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_the_update_tool_writes_file_license_and_record_together(tmp_path: Path) -> None:
    tool = _tool()
    script = b'!function(){var katex={version:"9.9.9"};}();'
    tarball = _tarball(tmp_path, {"package/dist/katex.min.js": script,
                                  "package/LICENSE": b"MIT\n"})
    target = tmp_path / "katex"
    assert tool.vendor(tarball, target) == "9.9.9"
    assert (target / "katex.min.js").read_bytes() == script
    assert (target / "LICENSE").read_bytes() == b"MIT\n"
    written = json.loads((target / "VERSION.json").read_text(encoding="utf-8"))
    assert written["katex"]["sha256"] == hashlib.sha256(script).hexdigest()
    assert written["katex"]["version"] == "9.9.9"
    assert written["engine"] == {"distribution": "quickjs-ng",
                                 "version": metadata.version("quickjs-ng")}
    # What the tool writes for the vendored file is what is committed.
    assert tool.record(KATEX.read_bytes(), "quickjs-ng", metadata.version("quickjs-ng")) == RECORD


@pytest.mark.parametrize(("files", "message"), [
    ({"package/LICENSE": b"MIT"}, "the tarball has no package/dist/katex.min.js"),
    ({"package/dist/katex.min.js": b"var x;", "package/LICENSE": b"MIT"},
     "katex.min.js names no version: is it KaTeX's dist file?"),
])
def test_the_update_tool_refuses_what_is_not_katex(tmp_path: Path, files: dict[str, bytes],
                                                   message: str) -> None:
    tool = _tool()
    with pytest.raises(tool.UpdateError, match=message.replace("?", r"\?")):
        tool.vendor(_tarball(tmp_path, files), tmp_path / "katex")
    assert not (tmp_path / "katex" / "VERSION.json").exists()
