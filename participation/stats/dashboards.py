"""The sections of the observatory and of the public statistics page: their tables (queries.py)
and which columns are drawn as charts (charts.py)."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from participation.stats import queries
from participation.stats.aggregates import get_refreshed_at
from participation.stats.charts import bar_chart, column_chart

# table key -> [(draw, value column, label column)]
CHARTS = {
    "participation-by-month": [
        (column_chart, metric, "month")
        for metric in ("registrations", "participants", "comments", "signatures", "answers")
    ],
    "participation-by-region": [
        (bar_chart, "signatures", "region"),
        (bar_chart, "signatures_rate", "region"),
    ],
    "participation-by-language": [
        (bar_chart, "comments", "language"),
        (bar_chart, "signatures", "language"),
    ],
    "consultations-by-month": [
        (column_chart, "opened", "month"),
        (column_chart, "closed", "month"),
    ],
    "consultations-outcome-reports": [(bar_chart, "overdue", "institution")],
    "petitions-by-kind-and-state": [(bar_chart, "total", "kind")],
    "petitions-time-to-threshold": [(bar_chart, "median_days", "kind")],
    "petitions-time-to-answer": [(bar_chart, "median_days", "institution")],
    "moderation-by-month": [(column_chart, "total", "month"), (column_chart, "appeals", "month")],
    "signatures-by-region": [(bar_chart, "signatures", "region"), (bar_chart, "rate", "region")],
}

# Tables read from the figures `flask tick` pre-aggregates (aggregates.py): until their first
# refresh they would show zeros, so the page says they are not computed yet instead.
PRE_AGGREGATED = {
    "participation-by-month",
    "participation-by-region",
    "participation-by-language",
    "petitions-time-to-threshold",
}

SECTION_TITLES = {
    "participation": _l("Participation"),
    "consultations": _l("Consultations"),
    "petitions": _l("Petitions and motions"),
    "moderation": _l("Moderation"),
}


@dataclass
class Block:
    table: object
    charts: list = field(default_factory=list)
    computed: bool = True  # False: pre-aggregated figures not computed yet


@dataclass
class Section:
    key: str
    title: str
    blocks: list


def _blocks(tables):
    refreshed = get_refreshed_at() is not None
    blocks = []
    for table in tables:
        if table.key in PRE_AGGREGATED and not refreshed:
            blocks.append(Block(table, computed=False))
            continue
        charts = [
            draw(table, value, label)
            for draw, value, label in CHARTS.get(table.key, [])
            if table.rows
        ]
        blocks.append(Block(table, charts))
    return blocks


def _tables(key, filters, now):
    if key == "participation":
        return queries.participation_tables(filters)
    if key == "consultations":
        return queries.consultation_tables(filters, now)
    if key == "petitions":
        return queries.petition_tables(filters, now)
    return queries.moderation_tables(filters)


def list_sections(filters, now):
    return [
        Section(key, title, _blocks(_tables(key, filters, now)))
        for key, title in SECTION_TITLES.items()
    ]


def get_table(table_key, filters, now):
    """One table of the observatory, for its CSV download; None for an unknown key."""
    section = table_key.split("-")[0]
    if section not in SECTION_TITLES:
        return None
    return next((table for table in _tables(section, filters, now) if table.key == table_key), None)


def public_blocks(now):
    return _blocks(
        [
            queries.headline_table(now),
            queries.participation_tables(queries.default_filters(now))[0],
            queries.signatures_by_region_table(),
        ]
    )
