"""The browser tests' axe check runs the colour-contrast rule on the texts styled in a way it has not
found sufficient yet (tests/browser/conftest.py, TEXT_STYLES): a text styled in any new way, on a
page seen before, is checked."""

import re

import pytest

from tests.browser.conftest import STYLED_ATTRIBUTES, STYLESHEET, AxeCheck

LOW_CONTRAST = """() => {
  const text = document.createElement("p");
  text.textContent = "Texte pâle";
  // Through the CSSOM: the Content-Security-Policy ignores a style attribute written as text.
  text.style.color = "#bbbbbb";
  document.querySelector("main").append(text);
}"""


def _texts_checked(results):
    return results.response["contrastChecked"]


def test_contrast_is_checked_once_per_text_style_and_again_for_a_new_one(page, live_app):
    check = AxeCheck()
    check.checked_styles = set()  # this test's own record, not the process's
    page.goto("/fr/")
    assert _texts_checked(check(page)) > 10
    page.goto("/fr/")
    assert _texts_checked(check(page)) == 0, "the same page, styled the same: contrast skipped"
    page.goto("/fr/")
    page.evaluate(LOW_CONTRAST)
    with pytest.raises(AssertionError, match="color-contrast"):
        check(page)


@pytest.mark.parametrize(
    "attribute", sorted(set(re.findall(r"\[([a-z-]+)", STYLESHEET.read_text())))
)
def test_every_attribute_the_stylesheet_selects_on_is_part_of_a_text_style(attribute):
    """A selector on an attribute left out of STYLED_ATTRIBUTES could colour two texts of the
    same recorded style differently, and the second would never be checked."""
    assert attribute in STYLED_ATTRIBUTES


def test_the_stylesheet_does_not_style_by_language_or_direction():
    """A text's style leaves out the page's language and direction (TEXT_STYLES), so an Arabic
    page's texts stand for the French page's: true only while the stylesheet cannot colour or
    size a text by either."""
    text = STYLESHEET.read_text()
    assert not re.findall(r":(?:lang|dir)\(|\[(?:lang|dir)\b", text)
