"""Bar charts drawn on the server as SVG geometry (templates/stats/_chart.html draws it): no script,
so the Content-Security-Policy holds and the page works without JavaScript. Each chart is built
from a table column and shows the table's values, "< 5" included; the table is its text
alternative."""

import math
from dataclasses import dataclass, field

from participation.core.filters import month
from participation.core.small_numbers import MASKED
from participation.stats.tables import display

WIDTH = 640
BAR_AREA = 150  # vertical charts: height of the bars' area
ROW = 26  # horizontal charts: height of one row
LABEL_WIDTH = 210  # horizontal charts: the category names
VALUE_WIDTH = 90  # horizontal charts: the value after the bar
MAX_LABELS = 12  # vertical charts: at most this many category labels under the axis


@dataclass
class Bar:
    label: str
    value: str
    x: float
    y: float
    width: float
    height: float
    show_label: bool = True


@dataclass
class Chart:
    key: str
    title: str
    horizontal: bool
    width: int
    height: int
    bars: list = field(default_factory=list)
    gridlines: list = field(default_factory=list)  # (position, text)


def _number(value):
    return value if isinstance(value, (int, float)) and value is not MASKED else 0


def _label(table, row, key):
    column = table.column(key)
    if column.kind == "month":
        return month(row[key], "MMM yy")  # short: the axis has little room
    return display(row.get(key), column.kind)


def _nice_ceiling(maximum):
    if maximum <= 0:
        return 1
    power = 10 ** math.floor(math.log10(maximum))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= maximum)


def column_chart(table, value_key, label_key, *, key=None, title=None):
    """Vertical bars, one per row (months, in order)."""
    column = table.column(value_key)
    rows = table.rows
    top = _nice_ceiling(max([_number(row.get(value_key)) for row in rows] or [0]))
    left, plot = 56, WIDTH - 56 - 8
    band = plot / max(len(rows), 1)
    every = math.ceil(len(rows) / MAX_LABELS) or 1
    chart = Chart(
        key=key or f"{table.key}-{value_key}",
        title=title or column.label,
        horizontal=False,
        width=WIDTH,
        height=BAR_AREA + 48,
    )
    for fraction in (0, 0.5, 1):
        chart.gridlines.append(
            (round(10 + BAR_AREA * (1 - fraction), 1), display(top * fraction, "rate"))
        )
    for index, row in enumerate(rows):
        height = BAR_AREA * _number(row.get(value_key)) / top
        chart.bars.append(
            Bar(
                label=_label(table, row, label_key),
                value=display(row.get(value_key), column.kind),
                x=round(left + index * band + band * 0.15, 1),
                y=round(10 + BAR_AREA - height, 1),
                width=round(band * 0.7, 1),
                height=round(height, 1),
                show_label=index % every == 0,
            )
        )
    return chart


def bar_chart(table, value_key, label_key, *, key=None, title=None):
    """Horizontal bars, one per row (regions, institutions, states), names before the bars."""
    column = table.column(value_key)
    rows = table.rows
    top = max([_number(row.get(value_key)) for row in rows] or [0]) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    chart = Chart(
        key=key or f"{table.key}-{value_key}",
        title=title or column.label,
        horizontal=True,
        width=WIDTH,
        height=ROW * len(rows) + 8,
    )
    for index, row in enumerate(rows):
        chart.bars.append(
            Bar(
                label=_label(table, row, label_key),
                value=display(row.get(value_key), column.kind),
                x=LABEL_WIDTH,
                y=4 + index * ROW + 4,
                width=round(plot * _number(row.get(value_key)) / top, 1),
                height=ROW - 8,
            )
        )
    return chart
