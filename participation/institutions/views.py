"""The places lists as JSON, for static/js/places.js: the provinces of a region and the communes
of a province, named in the page's language. Public reference data."""

from flask import Blueprint, jsonify

from participation.core import policy
from participation.core.routing import query_int
from participation.institutions.queries import list_communes, list_provinces

bp = Blueprint("places", __name__, url_prefix="/<lang:lang_code>/places")

MAX_AGE = 3600


def _options(rows):
    response = jsonify([{"id": row.id, "name": row.display_name()} for row in rows])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.route("/provinces.json")
@policy.public
def provinces():
    region_id = query_int("region")
    return _options(list_provinces(region_id) if region_id else [])


@bp.route("/communes.json")
@policy.public
def communes():
    return _options(list_communes(query_int("province")))
