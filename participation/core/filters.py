"""Jinja filters shared by every area."""

from markupsafe import Markup, escape

from participation.core.timezones import MOROCCO


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
    return value.astimezone(MOROCCO).isoformat(timespec="minutes") if value else ""


def when(value):
    """A date and time for people, in Morocco's time and the page's locale: "4 دجنبر 2026، 06:06"."""
    from flask_babel import format_datetime

    return format_datetime(value, "d MMMM y, HH:mm") if value else ""


def day(value):
    """A calendar date for people in the page's locale: "4 دجنبر 2026"."""
    from flask_babel import format_date

    return format_date(value, "d MMMM y") if value else ""


def register_filters(app):
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["morocco_iso"] = morocco_iso
