"""Debian's chromium, driven by Playwright's sync API, against pytest-django's
live_server (a real HTTP server in a thread, on a transactional database)."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
# No internet on the test machines: without these, chromium waits on QUIC,
# component updates and sync before it is ready, and may hang the test.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_REQUIRED = bool(os.environ.get("CI")) or (
    os.environ.get("PITSTOP_REQUIRE_POSTGRES") == "1"
)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        reason = f"{CHROMIUM} is missing: apt-get install chromium"
        if BROWSER_REQUIRED:
            pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env:
        # Playwright's sync API runs an asyncio event loop in this thread (in a
        # greenlet) for as long as it is started, so Django sees a running loop
        # and refuses the ORM calls of the test body and of the database
        # fixtures (SynchronousOnlyOperation). They are plain synchronous code
        # that never runs inside that loop, so the check is lifted, for the
        # browser tests only.
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    # A Brazilian browser: its Accept-Language is pt-BR, as the store's staff's.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        locale="pt-BR",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
