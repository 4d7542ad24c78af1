"""Jinja filters shared by every area."""

from datetime import datetime

from babel import dates
from flask_babel import get_locale
from markupsafe import Markup, escape

from participation.core.timezones import to_morocco


def paragraphs(text):
    """Plain text typed by staff as escaped paragraphs (blank lines separate them)."""
    if not text:
        return Markup("")
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return Markup(
        "".join(
            f'<p dir="auto">{escape(block).replace(chr(10), Markup("<br>"))}</p>'
            for block in blocks
        )
    )


def morocco_iso(value):
    """Machine-readable local time for <time datetime=...>."""
    return to_morocco(value).isoformat(timespec="minutes") if value else ""


# Every date and time a person reads is formatted here, on Morocco's clock (core/timezones). Not
# through Flask-Babel's format_datetime/format_date or its |datetimeformat and |dateformat filters:
# they rebase with pytz, whose database need not be the one the input side converts with (that
# put typed 18:00 on the page as 17:00). tests/core/test_times.py keeps every other module and
# template off them.
DAY = "d MMMM y"
CLOCK = "HH:mm"


def when(value):
    """A date and time for people, in Morocco's time and the page's locale: "4 دجنبر 2026، 06:06".

    The date and the time are joined the locale's own way (CLDR's date-time pattern): the Arabic
    comma in Arabic, not a Latin one."""
    if not value:
        return ""
    locale = get_locale()
    joined = dates.get_datetime_format("long", locale=locale)
    pattern = joined.replace("{1}", DAY).replace("{0}", CLOCK)
    return dates.format_datetime(to_morocco(value), pattern, locale=locale)


def day(value, pattern=DAY):
    """A calendar date for people in the page's locale: "4 دجنبر 2026". An aware date-time gives
    its date in Morocco."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_morocco(value).date()
    return dates.format_date(value, pattern, locale=get_locale())


def month(value, pattern="LLLL y"):
    """A month (any date in it) for people: "شتنبر 2026". Month and year are held together by
    no-break spaces: a narrow table column would otherwise put the year on a line of its own."""
    return day(value, pattern).replace(" ", "\u00a0")


def register_filters(app):
    for name in ("datetimeformat", "dateformat", "timeformat"):  # Flask-Babel's, see above
        app.jinja_env.filters.pop(name, None)
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["month"] = month
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["morocco_iso"] = morocco_iso
