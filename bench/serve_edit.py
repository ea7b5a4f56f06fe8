"""Save-to-served time: edit one digest under ``mkdocs serve`` and wait for the new text."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import BUILD_ENV

POLL_S = 0.1
BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read()
            return body.decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def _wait(check: Callable[[], bool], timeout: float, proc: subprocess.Popen[bytes]) -> float:
    start = time.monotonic()
    while not check():
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve exited with {proc.returncode}")
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"nothing served within {timeout:.0f} s")
        time.sleep(POLL_S)
    return time.monotonic() - start


def _cpu_s(pid: int) -> float | None:
    """CPU seconds of ``pid`` and its waited-for children (Pagefind), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime, stime, cutime, cstime are fields 14-17 of stat(5); index 0 here is field 3.
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _last_build(log: Path) -> float | None:
    found = BUILT.findall(log.read_text(encoding="utf-8", errors="replace"))
    return float(found[-1]) if found else None


def serve_edit(project: Path, config: str, edits: int, log: Path,
               timeout: float = 900) -> list[dict[str, Any]]:
    """Start ``mkdocs serve``, then edit one digest ``edits`` times; one row per edit."""
    papers = sorted((project / "content" / "papers").glob("*.md"))
    digest = papers[len(papers) // 2]
    original = digest.read_text(encoding="utf-8")
    heading = re.search(r"^## 1\..*\n\n", original, re.MULTILINE)
    assert heading, f"{digest}: no section 1"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/papers/{digest.stem}/"
    log.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", config, "-a", f"127.0.0.1:{port}"],
            cwd=project, env={**os.environ, **BUILD_ENV}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            first = _wait(lambda: _get(url) is not None, timeout, proc)
            rows.append({"event": "first-build", "served_s": round(first, 2),
                         "build_s": _last_build(log), "cpu_s": _cpu_s(proc.pid),
                         "page": url.split(str(port))[1]})
            for k in range(1, edits + 1):
                marker = f"測定マーカー{k}-{time.time_ns()}"
                edited = (original[: heading.end()] + f"- **編集:** {marker}\n"
                          + original[heading.end():])
                time.sleep(2)  # let the watcher settle after the previous rebuild
                cpu_before = _cpu_s(proc.pid)
                digest.write_text(edited, encoding="utf-8")
                served = _wait(lambda m=marker: m in (_get(url) or ""), timeout, proc)  # type: ignore[misc]
                cpu_after = _cpu_s(proc.pid)
                cpu = (round(cpu_after - cpu_before, 2)
                       if cpu_before is not None and cpu_after is not None else None)
                rows.append({"event": "edit", "edit": k, "save_to_served_s": round(served, 2),
                             "build_s": _last_build(log), "rebuild_cpu_s": cpu})
        finally:
            digest.write_text(original, encoding="utf-8")
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return rows
