"""Assertions on page text that hold before and after the catalogs translate a message."""

from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape

from participation.core.i18n import FORMAT_LOCALES


def shown(msgid, plural=None, n=None, *, lang="fr", **variables):
    """`msgid` as a page in `lang` shows it."""
    with force_locale(FORMAT_LOCALES[lang]):
        return ngettext(msgid, plural, n, **variables) if plural else gettext(msgid, **variables)


def shows(html, text):
    """Template strings are inserted as they are, flashed and form messages escaped: accept either."""
    return text in html or str(escape(text)) in html
