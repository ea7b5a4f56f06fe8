"""``.ci/install-browser`` never stops ``make test``: apt waits for a held lock (bounded),
and when it still fails the browser tests are skipped with the reason. Runs the script with
stand-ins for ``apt-get`` and friends on its PATH; nothing is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import REPO

SCRIPT = REPO / ".ci" / "install-browser"
LOCKED = ("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
          "(apt-get)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend)")


def stand_ins(tmp_path: Path, apt: str) -> Path:
    """A bin folder with the tools the script uses; ``apt`` is apt-get's shell body."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("grep", "mktemp", "rm", "tail", "env", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    scripts = {"id": 'echo 0', "fc-list": "true",
               "apt-get": f'echo "$*" >> "{tmp_path}/calls"\n{apt}'}
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!{shutil.which('bash')}\n{body}\n", encoding="utf-8")
        path.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, apt: str, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = stand_ins(tmp_path, apt)
    bash = shutil.which("bash")
    assert bash
    environ = {"PATH": str(bin_dir), "HOME": str(tmp_path), **env}
    return subprocess.run([bash, str(SCRIPT)], capture_output=True, text=True, timeout=60,
                          env=environ, check=False)


def test_a_held_lock_is_waited_for_then_skipped_with_the_reason(tmp_path: Path) -> None:
    result = run(tmp_path, f'echo "{LOCKED}" >&2; exit 100', PAPERDIGEST_APT_LOCK_WAIT="5")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "!! could not install chromium fonts-noto-cjk fonts-dejavu-extra (another package "
        "manager held the lock for more than 5 s; run it again later): browser tests will be "
        "skipped\n")
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()
    assert calls == ["-o DPkg::Lock::Timeout=5 update -qq"]


def test_in_ci_a_failed_install_fails(tmp_path: Path) -> None:
    result = run(tmp_path, f'echo "{LOCKED}" >&2; exit 100', CI="true")
    assert result.returncode == 1
    assert "600 s" in result.stderr  # the default wait


def test_other_apt_failures_are_named(tmp_path: Path) -> None:
    apt = 'case "$*" in *install*) echo "E: Unable to locate package chromium" >&2; exit 100;; esac'
    result = run(tmp_path, apt)
    assert result.returncode == 0
    assert result.stderr == ("!! could not install chromium fonts-noto-cjk fonts-dejavu-extra "
                             "(apt-get failed: E: Unable to locate package chromium): browser "
                             "tests will be skipped\n")
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()
    assert calls == ["-o DPkg::Lock::Timeout=600 update -qq",
                     "-o DPkg::Lock::Timeout=600 install -y -qq chromium fonts-noto-cjk "
                     "fonts-dejavu-extra"]


def test_a_working_install_is_quiet(tmp_path: Path) -> None:
    result = run(tmp_path, "exit 0", PAPERDIGEST_APT_LOCK_WAIT="soon")
    assert (result.returncode, result.stderr) == (0, "")
    assert "DPkg::Lock::Timeout=600" in (tmp_path / "calls").read_text(encoding="utf-8")
