"""The browser tests' axe check skips the colour-contrast rule only on a page whose every text is
styled as texts it has already found sufficient (tests/browser/conftest.py, TEXT_STYLES): a text
styled in any new way, on a page seen before, is checked again."""

import pytest

from tests.browser.conftest import AxeCheck

LOW_CONTRAST = """() => {
  const text = document.createElement("p");
  text.textContent = "Texte pâle";
  // Through the CSSOM: the Content-Security-Policy ignores a style attribute written as text.
  text.style.color = "#bbbbbb";
  document.querySelector("main").append(text);
}"""


def _contrast_ran(results):
    rules = results.response["toolOptions"].get("rules", {})
    return rules.get("color-contrast", {}).get("enabled", True)


def test_contrast_is_checked_once_per_text_style_and_again_for_a_new_one(page, live_app):
    check = AxeCheck()
    check.checked_styles = set()  # this test's own record, not the process's
    page.goto("/fr/")
    assert _contrast_ran(check(page))
    page.goto("/fr/")
    assert not _contrast_ran(check(page)), "the same page, styled the same: contrast skipped"
    page.goto("/fr/")
    page.evaluate(LOW_CONTRAST)
    with pytest.raises(AssertionError, match="color-contrast"):
        check(page)
