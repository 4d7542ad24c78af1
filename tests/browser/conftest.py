"""Browser tests: Playwright driving the distribution's Chromium against a live server.

Chromium comes from the system (/usr/bin/chromium, `apt-get install -y chromium`), never from
`playwright install`. Without it these tests are skipped with a reason, except when
REQUIRE_BROWSER=1 (CI), where a missing browser is an error.
"""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import isolated

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium_available():
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; install it with `apt-get install -y chromium`"
            )
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served_app(apps):
    """The browser tests' app, served by a threaded werkzeug server in a thread of this process
    for the whole session.

    Not pytest-flask's `live_server`, which does not fit here: it forks a process that serves the
    app (for each test, unless the whole run changes `--live-server-scope`), so what a test changes
    on `live_app` afterwards never reaches the server: its settings (test_tables.py lowers the
    signing-alert thresholds, test_moderation_journey.py the per-address signing limit) and the
    in-memory rate-limit counters that `isolated()` resets. It also serves the `app` fixture's app,
    whose SERVER_NAME it rewrites to participation.test:<port>, a host the browser cannot reach;
    this app has no SERVER_NAME and answers on 127.0.0.1."""
    app, settings = apps.get({"SERVER_NAME": None}, None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app, settings
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_app(served_app, database_template, tmp_path):
    app, settings = served_app
    with isolated(app, settings, database_template, tmp_path):
        yield app


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(base_url=live_app.base_url, locale="ar-MA")
    page = context.new_page()
    console_errors = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    page.console_errors = console_errors
    yield page
    context.close()


@pytest.fixture
def axe_check():
    """Run axe-core on the current page; fail with the report when it finds any violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        return results

    return check
