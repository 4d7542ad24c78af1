"""/api/v1/consultations: the public listing, one consultation with its sections and counts, and
its public comments. Drafts never appear (404, as on the site)."""

from flask import request

from participation.api import queries
from participation.api.common import (
    bp,
    checked_id,
    choice_param,
    envelope,
    existing,
    int_param,
    iso,
    page_params,
    public_json,
    texts,
)
from participation.comments.queries import count_comments, count_stances
from participation.consultations import queries as consultation_queries
from participation.consultations.comment_targets import comment_totals
from participation.consultations.models import ConsultationState
from participation.consultations.queries import PUBLIC_FILTER_STATES, ListingFilters
from participation.core import policy
from participation.core.models import utcnow

CONSULTATION_STATES = sorted(s.value for s in PUBLIC_FILTER_STATES)


def consultation_json(consultation, now, comment_count):
    return {
        "id": consultation.id,
        "title": texts(consultation.title),
        "summary": texts(consultation.summary),
        "institution_id": consultation.institution_id,
        "state": consultation.effective_state(now).value,
        "scope": consultation.scope,
        "region": consultation.region.code if consultation.region else None,
        "topics": [t.slug for t in consultation.topics],
        "opens_at": iso(consultation.opens_at),
        "closes_at": iso(consultation.closes_at),
        "comment_count": comment_count,
    }


def closing_change_json(change):
    return {
        "kind": change.kind,
        "changed_at": iso(change.created_at),
        "previous_closes_at": iso(change.previous_closes_at),
        "closes_at": iso(change.closes_at),
        "reason": texts(change.reason),
    }


def section_json(section, comment_count, stances):
    return {
        "id": section.id,
        "position": section.position,
        "heading": texts(section.heading),
        "body": texts(section.body),
        "comment_count": comment_count,
        "stances": stances,
    }


def comment_json(comment, section_ids):
    on_section = comment.target_type == "section" and comment.target_id in section_ids
    return {
        "id": comment.id,
        "section_id": comment.target_id if on_section else None,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": comment.author.display_name,
        "created_at": iso(comment.created_at),
        "edited_at": iso(comment.edited_at),
        "stance": comment.stance,
        "official_answer": comment.is_official,
        "institution_id": comment.official_institution_id,
        "useful_votes": comment.useful_count,
        "text": comment.body_source,
        "html": comment.body_html,
    }


def _public_consultation(consultation_id):
    item = consultation_queries.get_consultation(checked_id(consultation_id))
    return existing(None if item is None or item.state == ConsultationState.DRAFT else item)


@bp.route("/consultations")
@policy.public
def consultations():
    page, per_page = page_params()
    filters = ListingFilters(
        state=choice_param("state", CONSULTATION_STATES),
        institution_id=int_param("institution"),
        region_id=int_param("region"),
        q=(request.args.get("q") or "")[:200],
    )
    pagination = consultation_queries.list_public_consultations(
        filters, page=page, per_page=per_page
    )
    now = utcnow()
    totals = comment_totals(pagination.items)
    items = [consultation_json(c, now, totals.get(c.id, 0)) for c in pagination.items]
    return public_json(envelope(items, page=page, per_page=per_page, total=pagination.total), 60)


@bp.route("/consultations/<int:consultation_id>")
@policy.public
def consultation(consultation_id):
    item = _public_consultation(consultation_id)
    ids = [s.id for s in item.sections]
    counts, stances = count_comments("section", ids), count_stances("section", ids)
    data = consultation_json(item, utcnow(), comment_totals([item]).get(item.id, 0))
    data["sections"] = [
        section_json(s, counts.get(s.id, 0), stances.get(s.id, {})) for s in item.sections
    ]
    data["closing_date_changes"] = [closing_change_json(c) for c in item.closing_changes]
    return public_json(data, 60)


@bp.route("/consultations/<int:consultation_id>/comments")
@policy.public
def consultation_comments(consultation_id):
    """Public comments and replies (no personal data beyond the display name), oldest first."""
    item = _public_consultation(consultation_id)
    page, per_page = page_params()
    pagination = queries.list_public_comments(item.id, page=page, per_page=per_page)
    section_ids = {s.id for s in item.sections}
    items = [comment_json(c, section_ids) for c in pagination.items]
    return public_json(envelope(items, page=page, per_page=per_page, total=pagination.total), 60)
