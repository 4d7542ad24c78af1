"""The read-only open-data API. Drafts never appear; errors are JSON with stable codes."""
from flask import Blueprint, abort, jsonify, request

from participation.consultations import queries as consultation_queries
from participation.consultations.comment_targets import comment_totals
from participation.consultations.models import ConsultationState
from participation.consultations.queries import ListingFilters
from participation.core import policy
from participation.core.models import utcnow
from participation.institutions.queries import list_institutions, list_regions
from participation.petitions.permissions import PUBLIC_STATES
from participation.petitions.queries import get_petition_state
from participation.petitions.signing import count_signatures_as_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class BadParameter(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


@bp.errorhandler(BadParameter)
def _bad_parameter(error):
    return jsonify(error="invalid_parameter", parameter=error.name, message=error.message), 400


def _int_param(name, default, *, minimum=1, maximum=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadParameter(name, f"{name} must be a positive whole number")
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        raise BadParameter(name, f"{name} must be between {minimum} and {maximum or 'infinity'}")
    return value


def _public(response, max_age):
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


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
    return _public(jsonify(data=[_region_json(r) for r in list_regions()]), 3600)


@bp.route("/institutions")
@policy.public
def institutions():
    kind = request.args.get("kind")
    items = [
        {"id": i.id, "kind": i.kind, "name": i.name, "acronym": i.acronym, "region": i.region.code if i.region else None}
        for i in list_institutions(kind=kind)
    ]
    return _public(jsonify(data=items), 300)


def _consultation_json(consultation, now, comments=None):
    return {
        "id": consultation.id,
        "title": consultation.title,
        "summary": consultation.summary,
        "institution_id": consultation.institution_id,
        "state": consultation.effective_state(now).value,
        "scope": consultation.scope,
        "region": consultation.region.code if consultation.region else None,
        "topics": [t.slug for t in consultation.topics],
        "opens_at": consultation.opens_at.isoformat() if consultation.opens_at else None,
        "closes_at": consultation.closes_at.isoformat() if consultation.closes_at else None,
        "comment_count": comments,
    }


@bp.route("/consultations")
@policy.public
def consultations():
    page = _int_param("page", 1)
    per_page = _int_param("per_page", 20, maximum=100)
    state = request.args.get("state")
    if state and state not in {s.value for s in ConsultationState if s != ConsultationState.DRAFT}:
        raise BadParameter("state", "unknown state")
    pagination = consultation_queries.list_public_consultations(
        ListingFilters(state=state, q=(request.args.get("q") or "")[:200]), page=page, per_page=per_page
    )
    now = utcnow()
    totals = comment_totals(pagination.items)
    return _public(
        jsonify(
            data=[_consultation_json(c, now, totals.get(c.id, 0)) for c in pagination.items],
            page=page,
            per_page=per_page,
            total=pagination.total,
        ),
        60,
    )


@bp.route("/consultations/<int:consultation_id>")
@policy.public
def consultation(consultation_id):
    from participation.comments.queries import count_comments, count_stances

    item = consultation_queries.get_consultation(consultation_id)
    if item is None or item.state == ConsultationState.DRAFT:
        abort(404)  # drafts are private to their institution, here as on the site
    now = utcnow()
    ids = [s.id for s in item.sections]
    counts, stances = count_comments("section", ids), count_stances("section", ids)
    data = _consultation_json(item, now, comment_totals([item]).get(item.id, 0))
    data["sections"] = [
        {"id": s.id, "position": s.position, "heading": s.heading, "body": s.body, "comment_count": counts.get(s.id, 0), "stances": stances.get(s.id, {})}
        for s in item.sections
    ]
    return _public(jsonify(data), 60)


@bp.route("/petitions/<int:petition_id>/count")
@policy.public
def petition_count(petition_id):
    """Cheap and constant-cost: a sum over the petition's counter rows, cacheable for 5 s."""
    if get_petition_state(petition_id) not in {s.value for s in PUBLIC_STATES}:
        abort(404)
    total, updated = count_signatures_as_of(petition_id)
    return _public(jsonify(signature_count=int(total), updated_at=updated.isoformat() if updated else None), 5)
