"""Every command the README and CONTRIBUTING.md show in a shell block works as written on a
fresh clone: `make` targets exist, and a bare `paperdigest` follows `. .venv/bin/activate`."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

DOCS = ["README.md", "CONTRIBUTING.md"]
SHELL_BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```", re.S | re.M)


def shell_lines(name: str) -> list[list[str]]:
    text = (REPO / name).read_text(encoding="utf-8")
    return [[line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
            for block in SHELL_BLOCK.findall(text)]


def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))


@pytest.mark.parametrize("name", DOCS)
def test_shell_blocks_run_as_written(name: str) -> None:
    targets = make_targets()
    blocks = shell_lines(name)
    assert blocks
    for block in blocks:
        active = False
        for line in block:
            if line.startswith(". .venv/bin/activate"):
                active = True
            elif line.startswith("make "):
                assert line.split()[1] in targets, line
            elif line.startswith(("paperdigest ", "mkdocs ")):
                assert active, f"{name}: `{line}` needs `. .venv/bin/activate` first"
            else:
                assert line.startswith(("python3 -m http.server", ".venv/bin/")), line


def test_readme_sends_nobody_to_open_the_site_from_disk() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Open `site/index.html`" not in readme
    assert ".venv/bin/mkdocs serve" not in readme  # prints the theme's end-of-life banner
    for setting in ("`site_url`", "`repo_url`", "`edit_uri`"):
        assert setting in readme
