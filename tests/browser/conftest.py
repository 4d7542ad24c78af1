"""Browser tests: Playwright driving the distribution's Chromium against a live server.

Chromium comes from the system (/usr/bin/chromium, `apt-get install -y chromium`), never from
`playwright install`. Without it these tests are skipped with a reason, except when
REQUIRE_BROWSER=1 (CI), where a missing browser is an error.
"""

import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
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
    # No test goes back or forward: keeping each page left in the back-forward cache, and a new
    # frame host for each navigation, cost Chromium 10-20 % of its CPU per navigation here.
    "--disable-features=RenderDocument,BackForwardCache",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# The run of every rule but colour contrast, and the run of colour contrast alone, on the texts
# styled in a way not checked yet (see TEXT_STYLES).
AXE_OPTIONS_BUT_COLOURS = {**AXE_OPTIONS, "rules": {"color-contrast": {"enabled": False}}}
AXE_OPTIONS_COLOURS = {
    "runOnly": {"type": "rule", "values": ["color-contrast"]},
    "resultTypes": ["violations"],
}
STYLESHEET = Path(__file__).parents[2] / "static" / "css" / "site.css"
# The attributes of TEXT_STYLES (tests/browser/test_axe_contrast.py checks that every attribute
# the stylesheet selects on is among them).
STYLED_ATTRIBUTES = ["type", "aria-current", "hidden", "open", "style", "fill"]
# The classes the stylesheet selects on: the others (`lang-ar` on <body>, `inline-form`...) cannot
# change a text's colours, and keeping them would make one style of each language.
STYLED_CLASSES = sorted(set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", STYLESHEET.read_text())))
# A text's style: its element's and ancestors' tags, styled classes and styled attributes, and
# which side of the stylesheet's only media query the viewport is on. Not the page's language or
# direction: the stylesheet selects on neither (test_axe_contrast.py checks it), and the contrast
# rule reads colours, size and weight, not the font family.
TEXT_STYLES = """() => {
  const STYLED_ATTRIBUTES = %s;
  const STYLED_CLASSES = new Set(%s);
  const styled = new Map();
  const root = document.documentElement;
  const page = `${window.innerWidth >= 56 * 16}`;
  const own = element => {
    let key = element.tagName + "." +
      [...element.classList].filter(name => STYLED_CLASSES.has(name)).sort().join(".");
    for (const name of STYLED_ATTRIBUTES) {
      if (element.hasAttribute(name)) key += `[${name}=${element.getAttribute(name)}]`;
    }
    return key;
  };
  for (const element of document.querySelectorAll("body *")) {
    const holdsText = ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(element.tagName) ||
      [...element.childNodes].some(node => node.nodeType === 3 && node.data.trim());
    if (!holdsText) continue;
    const chain = [];
    for (let node = element; node && node !== root; node = node.parentElement) {
      chain.push(own(node));
    }
    const style = page + "|" + chain.join("<");
    if (!styled.has(style)) styled.set(style, element);
  }
  // The first text of each style stands for the others.
  window.__axeStyled = styled;
  return [...styled.keys()];
}""" % (json.dumps(STYLED_ATTRIBUTES), json.dumps(STYLED_CLASSES))
# Every rule but colour contrast on the page, then colour contrast on one text of each style that
# is new (and what it contains); one result, the two runs' violations together.
AXE_RUN = """([fresh, options, colours]) => {
  const texts = fresh.map(style => window.__axeStyled.get(style));
  window.__axeRun = axe.run(document, options).then(async results => {
    if (texts.length) {
      const checked = await axe.run({include: texts}, colours);
      results.violations = results.violations.concat(checked.violations);
    }
    results.contrastChecked = texts.length;
    return results;
  });
}"""


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


class AxeCheck:
    """axe-core on a page: `check(page)` fails with the report when it finds any violation.

    `start(page)` sets a run going in the page and returns at once, `finish(page)` waits for it and
    checks its result: a test that visits many pages lets Chromium check one page while the next is
    being served and measured in another tab (tests/browser/test_tables.py). The page must not
    navigate between the two calls.

    axe-core (570 kB) is sent to a browser context once: the first check in a context evaluates it
    in the page and registers it as an init script, so the context's later pages have it from
    their start and each check only runs it.

    Every rule runs on the whole page, except colour contrast, which is most of axe's time (40 of
    60 ms on a listing, 160 of 200 ms on a petition page): it runs on one text of each style
    this test process has not checked yet (TEXT_STYLES), so each kind of text is checked once at
    each side of the stylesheet's media query, and again wherever a new element, state or styled
    class appears. The style leaves out what cannot change a text's colours: the page's language
    and direction, and the classes the stylesheet does not select on."""

    # Shared by the tests of a process: the text styles whose contrast axe found sufficient.
    checked_styles = set()

    def __init__(self):
        self.script = Axe().axe_script
        self.contexts = []
        self.pending = {}  # page -> the text styles its running check covers (contrast included)

    def start(self, page):
        if page.evaluate("() => typeof axe === 'undefined'"):
            page.evaluate(self.script)
            if page.context not in self.contexts:
                page.context.add_init_script(script=self.script)
                self.contexts.append(page.context)
        new = set(page.evaluate(TEXT_STYLES)) - self.checked_styles
        self.pending[page] = new
        page.evaluate(AXE_RUN, [sorted(new), AXE_OPTIONS_BUT_COLOURS, AXE_OPTIONS_COLOURS])

    def finish(self, page):
        results = AxeResults(page.evaluate("() => window.__axeRun"))
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        self.checked_styles.update(self.pending.pop(page, ()))
        return results

    def __call__(self, page):
        self.start(page)
        return self.finish(page)


@pytest.fixture
def axe_check():
    """Run axe-core on the current page; fail with the report when it finds any violation."""
    return AxeCheck()
