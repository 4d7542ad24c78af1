"""The small-number rule (SPEC §6): a published count about at least one and fewer than
STATS_MIN_GROUP people is shown as "< N", never its value; zero stays zero (it describes nobody).

One rule for every place that publishes counts of people: the observers' dashboards and the public
statistics (stats/tables.py), and a petition's signatures by region on its page, in the API and in
the open-data dumps (petitions/queries.list_public_region_counts)."""

from flask import current_app
from flask_babel import gettext as _


class Masked:
    """A count withheld by the rule; it prints as "< N" in the page's language."""

    def __repr__(self):
        return "MASKED"

    def __str__(self):
        return masked_label()


MASKED = Masked()


def min_group():
    return current_app.config["STATS_MIN_GROUP"]


def protect(count):
    """A count of people (or of what people did) as itself, or MASKED when it is about at least one
    and fewer than STATS_MIN_GROUP people. Zero stays zero: it describes nobody."""
    if count is None:
        return None
    return MASKED if 0 < count < min_group() else count


def masked_label():
    return _("< %(threshold)s", threshold=min_group())
