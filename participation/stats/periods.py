"""Months of Morocco's calendar as UTC intervals, and a SQL expression that puts a timestamp in
its month (the same on SQLite and PostgreSQL: the boundaries are computed here, with the time
zone's rules, not by the database)."""

from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.timezones import MOROCCO


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment):
    local = moment.astimezone(MOROCCO)
    return date(local.year, local.month, 1)


def this_month(now=None):
    return month_of(now or utcnow())


def months_between(first, last):
    """First days of the months from `first` to `last` included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def start_of(month):
    """The UTC moment a month begins in Morocco."""
    return datetime.combine(month, time(0), MOROCCO).astimezone(timezone.utc)


def month_expression(column, months):
    """CASE column WHEN in month m THEN 'YYYY-MM' ...: the month's key, None outside them."""
    return sa.case(
        *[
            (
                sa.and_(column >= start_of(m), column < start_of(add_months(m, 1))),
                m.strftime("%Y-%m"),
            )
            for m in months
        ]
    )


def month_from_key(key):
    year, month = key.split("-")
    return date(int(year), int(month), 1)
