"""GET /api/v1/commitments and /api/v1/commitments/<number>: the OGP commitments tracker as open
data. Translatable fields are {lang: text} objects; progress notes name their author by display
name only."""
from flask import abort, jsonify

from participation.api.views import _int_param, _public, bp
from participation.core import policy
from participation.ogp import queries
from participation.ogp.plan import theme_names

CACHE_SECONDS = 300


def _date(value):
    return value.isoformat() if value else None


def _commitment_json(commitment):
    return {
        "number": commitment.number,
        "theme": {"key": commitment.theme, "name": theme_names().get(commitment.theme, {})},
        "title": commitment.title,
        "description": commitment.description or {},
        "status": commitment.status,
        "lead_institution_id": commitment.lead_institution_id,
        "milestones_total": len(commitment.milestones),
        "milestones_done": commitment.milestones_done,
        "updated_at": commitment.updated_at.isoformat(),
    }


@bp.route("/commitments")
@policy.public
def commitments():
    page = _int_param("page", 1)
    per_page = _int_param("per_page", 20, maximum=100)
    pagination = queries.paginate_commitments(page=page, per_page=per_page)
    return _public(
        jsonify(data=[_commitment_json(c) for c in pagination.items], page=page, per_page=per_page, total=pagination.total),
        CACHE_SECONDS,
    )


@bp.route("/commitments/<int:number>")
@policy.public
def commitment(number):
    item = queries.get_commitment(number)
    if item is None:
        abort(404)
    data = _commitment_json(item)
    data["milestones"] = [
        {"title": m.title, "due_on": _date(m.due_on), "done": m.done, "done_on": _date(m.done_on)} for m in item.milestones
    ]
    data["evidence"] = [{"url": link.url, "label": link.label} for link in item.evidence]
    data["progress_notes"] = [
        {
            "id": note.id,
            "noted_on": _date(note.noted_on),
            "text": note.body,
            "author": note.author.display_name if note.author else None,
            "corrects": note.corrects_id,
            "created_at": note.created_at.isoformat(),
        }
        for note in item.notes
    ]
    return _public(jsonify(data), CACHE_SECONDS)
