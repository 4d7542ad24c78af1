"""The read-only open-data API (SPEC §8): reference lists, headline statistics and the OpenAPI
document here; consultations and petitions in their own modules, all on one blueprint."""

from flask import current_app

from participation.api import consultations, petitions  # noqa: F401  (their routes join the blueprint)
from participation.api.common import (
    bp,
    choice_param,
    envelope,
    int_param,
    page_params,
    public_json,
    texts,
)
from participation.api.openapi import build_document
from participation.core import policy
from participation.institutions.models import InstitutionKind
from participation.institutions.queries import (
    list_communes_by_code,
    list_institutions,
    list_regions,
)
from participation.stats.headline import get_headline_numbers

INSTITUTION_KINDS = sorted(k.value for k in InstitutionKind)


def region_json(region):
    return {
        "id": region.id,
        "code": region.code,
        "iso_code": region.iso_code,
        "name": texts(region.name),
        "population": region.population,
        "population_year": region.population_year,
        "provinces": [
            {
                "id": p.id,
                "iso_code": p.iso_code,
                "kind": p.kind,
                "name": texts(p.name),
                "population": p.population,
            }
            for p in region.provinces
        ],
    }


def commune_json(commune):
    return {
        "id": commune.id,
        "code": commune.code,
        "province_id": commune.province_id,
        "kind": commune.kind,
        "name": texts(commune.name),
        "population": commune.population,
        "population_year": commune.population_year,
        "has_arrondissements": commune.has_arrondissements,
    }


def institution_json(institution):
    return {
        "id": institution.id,
        "kind": institution.kind,
        "name": texts(institution.name),
        "acronym": institution.acronym,
        "region": institution.region.code if institution.region else None,
    }


def _page_of(rows, to_json):
    """A page of a short reference list (12 regions, some hundreds of institutions), in the envelope."""
    page, per_page = page_params()
    items = [to_json(row) for row in rows[(page - 1) * per_page : page * per_page]]
    return envelope(items, page=page, per_page=per_page, total=len(rows))


@bp.route("/regions")
@policy.public
def regions():
    return public_json(_page_of(list_regions(), region_json), 3600)


@bp.route("/communes")
@policy.public
def communes():
    """About 1,500 rows: paged in SQL, unlike the short lists above."""
    page, per_page = page_params()
    pagination = list_communes_by_code(int_param("province"), page=page, per_page=per_page)
    items = [commune_json(c) for c in pagination.items]
    return public_json(envelope(items, page=page, per_page=per_page, total=pagination.total), 3600)


@bp.route("/institutions")
@policy.public
def institutions():
    rows = list_institutions(kind=choice_param("kind", INSTITUTION_KINDS))
    return public_json(_page_of(rows, institution_json), 300)


@bp.route("/stats")
@policy.public
def stats():
    return public_json(get_headline_numbers(), 300)


@bp.route("/openapi.json")
@policy.public
def openapi():
    return public_json(build_document(current_app.url_map), 3600)
