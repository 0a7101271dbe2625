"""A real browser against a live server: Debian's chromium, driven by Playwright.

Playwright's own browser download can't work on these machines, so `make test` installs
chromium with apt when it is missing (`make browser`) and the tests launch that binary.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Every wait is bounded: a page that never comes fails the test instead of hanging CI.
ACTION_TIMEOUT_MS = 15_000
LAUNCH_TIMEOUT_MS = 60_000


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread while it is started; the tests'
    # own ORM calls (setting up rows) are synchronous and safe, so Django's guard is lifted,
    # for this package only: Playwright stops, and the guard is back, when it ends.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS
        )
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="package")
def server():
    """The app on 127.0.0.1 (static files, the admin's CSS included, served as in DEBUG)."""
    live = LiveServer("127.0.0.1:0")
    yield live
    live.stop()


@pytest.fixture
def page(browser, server, transactional_db, settings):
    # Plain HTTP on loopback: cookies can't be Secure-only here.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
