"""The observatory (observers and administrators) and the public statistics page."""

from flask import Blueprint, Response, abort, render_template, request

from participation.core import policy
from participation.core.i18n import LANGUAGE_LABELS
from participation.core.models import utcnow
from participation.institutions.queries import list_institutions, list_regions
from participation.stats import dashboards
from participation.stats.aggregates import get_refreshed_at
from participation.stats.forms import FiltersForm
from participation.stats.permissions import can_view_observatory
from participation.stats.periods import month_of
from participation.stats.queries import DashboardFilters, default_filters
from participation.core.small_numbers import min_group
from participation.translation_review.queries import count_review_statuses

bp = Blueprint("stats", __name__, url_prefix="/<lang:lang_code>")


def _filters(now):
    """(form, filters): filters are None when the query string holds a bad value."""
    institutions, regions = list_institutions(include_inactive=True), list_regions()
    form = FiltersForm(
        request.args, institutions=institutions, regions=regions, today=month_of(now)
    )
    defaults = default_filters(now)
    if not form.validate():
        return form, None
    period = form.period(defaults.first_month, defaults.last_month)
    if period is None:
        return form, None
    return form, DashboardFilters(
        period[0], period[1], form.institution.data or None, form.region.data or None
    )


def _query(filters):
    """The filters as the query string of the CSV links: the period always, the others when chosen."""
    query = {"start": f"{filters.first_month:%Y-%m}", "end": f"{filters.last_month:%Y-%m}"}
    query.update(
        {
            key: value
            for key, value in (
                ("institution", filters.institution_id),
                ("region", filters.region_id),
            )
            if value
        }
    )
    return query


def _csv(table, name):
    response = Response(table.csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@bp.route("/observatory/")
@policy.requires(can_view_observatory)
def observatory():
    now = utcnow()
    form, filters = _filters(now)
    sections = dashboards.list_sections(filters, now) if filters else []
    return render_template(
        "stats/observatory.html",
        form=form,
        filters=filters,
        sections=sections,
        refreshed_at=get_refreshed_at(),
        min_group=min_group(),
        csv_args=_query(filters) if filters else {},
    ), 200 if filters else 400


@bp.route("/observatory/<table_key>.csv")
@policy.requires(can_view_observatory)
def observatory_csv(table_key):
    now = utcnow()
    form, filters = _filters(now)
    if filters is None:
        return render_template(
            "stats/observatory.html",
            form=form,
            filters=None,
            sections=[],
            refreshed_at=None,
            min_group=min_group(),
            csv_args={},
        ), 400
    table = dashboards.get_table(table_key, filters, now)
    if table is None:
        abort(404)
    return _csv(table, f"{table_key}-{filters.first_month:%Y-%m}-{filters.last_month:%Y-%m}")


@bp.route("/stats")
@policy.public
def public():
    now = utcnow()
    return render_template(
        "stats/public.html",
        blocks=dashboards.public_blocks(now),
        min_group=min_group(),
        refreshed_at=get_refreshed_at(),
        translation_counts=count_review_statuses(),
        language_labels=LANGUAGE_LABELS,
    )


@bp.route("/stats/<table_key>.csv")
@policy.public
def public_csv(table_key):
    block = next(
        (block for block in dashboards.public_blocks(utcnow()) if block.table.key == table_key),
        None,
    )
    if block is None:
        abort(404)
    return _csv(block.table, table_key)
