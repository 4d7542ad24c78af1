from flask import Blueprint, jsonify, request

from participation.core import policy
from participation.institutions.queries import list_institutions, list_regions

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _region_json(region):
    return {
        "code": region.code,
        "iso_code": region.iso_code,
        "name": region.name,
        "population": region.population,
        "population_year": region.population_year,
        "provinces": [
            {"iso_code": p.iso_code, "kind": p.kind, "name": p.name, "population": p.population}
            for p in region.provinces
        ],
    }


@bp.route("/regions")
@policy.public
def regions():
    response = jsonify(data=[_region_json(r) for r in list_regions()])
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/institutions")
@policy.public
def institutions():
    kind = request.args.get("kind")
    items = [
        {
            "id": i.id,
            "kind": i.kind,
            "name": i.name,
            "acronym": i.acronym,
            "region": i.region.code if i.region else None,
        }
        for i in list_institutions(kind=kind)
    ]
    response = jsonify(data=items)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
