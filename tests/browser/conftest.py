"""Browser fixtures: the shipped site built once, served on 127.0.0.1, read by Chromium.

Chromium is Debian's (``CHROMIUM`` names another binary); Playwright only drives it, so no
browser is downloaded. Without a browser these tests skip and say why; in CI (``CI=true``)
they fail instead, because a green run must mean the pages were looked at.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import shutil
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import pytest
from conftest import REPO
from paperdigest.content.loader import load_site
from paperdigest.content.model import Site
from test_site_build import build

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}
INSTALL_HINT = ("run `bash .ci/install-browser` (Debian: apt-get install chromium fonts-noto-cjk "
                "fonts-dejavu-extra)")


def no_browser(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere; either way the reason is printed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}; {INSTALL_HINT}", pytrace=False)
    message = f"BROWSER TESTS SKIPPED: {reason}; {INSTALL_HINT}"
    warnings.warn(message, pytest.PytestWarning, stacklevel=2)
    pytest.skip(message)


def find_chromium() -> str | None:
    """The ``CHROMIUM`` binary if set, else Debian's ``/usr/bin/chromium`` or one on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def shipped_site() -> Site:
    return load_site(REPO / "content", root=REPO)


@pytest.fixture(scope="session")
def site_url() -> str:
    """``site_url`` of mkdocs.yml: share links and canonical links point there."""
    for line in (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("mkdocs.yml has no site_url")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once per run; xdist workers share it through a lock file."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by every worker of this run
    out = root / "browser-site"
    with (root / "browser-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "index.html").exists():
            result = build(REPO / "mkdocs.yml", out)
            if result.returncode != 0:
                shutil.rmtree(out, ignore_errors=True)
                pytest.fail(f"mkdocs build --strict failed:\n{result.stderr}", pytrace=False)
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, with the site's own 404 page as a static host serves it."""

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request log per asset would bury pytest's output


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site on 127.0.0.1; port 0 gives each xdist worker its own free port."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("the Python package playwright is not installed (pip install -e '.[test]')")
    executable = find_chromium()
    if executable is None:
        where = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
        no_browser(f"no Chromium executable at {where}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


NewPage = Callable[..., "Page"]


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator[NewPage]:
    """Open pages in fresh contexts; requests that leave 127.0.0.1 are aborted."""
    contexts: list[BrowserContext] = []

    def make(*, viewport: ViewportSize | None = None,
             color_scheme: Literal["light", "dark"] = "light",
             permissions: list[str] | None = None) -> Page:
        context = browser.new_context(
            base_url=base_url, viewport=viewport or DESKTOP, locale="ja-JP",
            color_scheme=color_scheme, reduced_motion="reduce",
            device_scale_factor=2 if viewport == PHONE else 1,
        )
        if permissions:
            context.grant_permissions(permissions, origin=base_url.rstrip("/"))
        # The theme asks GitHub for repository stars; tests never touch the network.
        context.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under tests/artifacts/ (kept by CI) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
