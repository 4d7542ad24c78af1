"""The numbers of every chart as a table: columns that say what they hold, small-number
protection applied once when the table is built (so the page, the chart and the CSV show the
same "< 5"), locale formatting for the page and plain values for the CSV."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, format_percent

from participation.core.csvfiles import to_csv
from participation.core.filters import month
from participation.core.small_numbers import MASKED, masked_label


def per_100k(count, population):
    """A rate per 100,000 inhabitants, None when the population is unknown, MASKED with its count."""
    if count is MASKED:
        return MASKED
    if count is None or not population:
        return None
    return round(count * 100_000 / population, 1)


# Column kinds: "text" (a name), "count" (not about people: consultations, petitions), "people"
# (protected by the builder), "days", "rate", "share" (0..1), "month" (a date: its first day).
@dataclass
class Column:
    key: str
    label: str
    kind: str = "people"


@dataclass
class Table:
    key: str  # the CSV file name and the anchor on the page
    caption: str
    columns: list
    rows: list = field(default_factory=list)  # dicts: column key -> value (MASKED, None: no value)
    note: str | None = None

    def cells(self, row):
        return [display(row.get(column.key), column.kind) for column in self.columns]

    def csv(self):
        return to_csv(
            [
                {column.label: csv_value(row.get(column.key)) for column in self.columns}
                for row in self.rows
            ]
        )

    def column(self, key):
        return next(column for column in self.columns if column.key == key)


def display(value, kind):
    if value is MASKED:
        return masked_label()
    if value is None:
        return "—"
    if kind == "month":
        return month(value)
    if kind == "text":
        return str(value)
    if kind == "share":
        return format_percent(value, "#,##0%")
    if kind in ("rate", "days"):
        return format_decimal(value, "#,##0.#")
    return format_decimal(value)


def csv_value(value):
    if value is MASKED:
        return masked_label()
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    return str(value)
