"""GET /api/v1/commitments and /api/v1/commitments/<number>: the OGP commitments tracker as open
data. Translatable fields are {lang: text} objects; progress notes name their author by display
name only."""

from participation.api.common import (
    bp,
    checked_id,
    envelope,
    existing,
    iso,
    page_params,
    public_json,
    texts,
)
from participation.core import policy
from participation.ogp import queries
from participation.ogp.plan import theme_names

CACHE_SECONDS = 300


def _commitment_json(commitment):
    return {
        "number": commitment.number,
        "theme": {"key": commitment.theme, "name": texts(theme_names().get(commitment.theme, {}))},
        "title": texts(commitment.title),
        "description": texts(commitment.description),
        "status": commitment.status,
        "lead_institution_id": commitment.lead_institution_id,
        "milestones_total": len(commitment.milestones),
        "milestones_done": commitment.milestones_done,
        "updated_at": commitment.updated_at.isoformat(),
    }


@bp.route("/commitments")
@policy.public
def commitments():
    page, per_page = page_params()
    pagination = queries.paginate_commitments(page=page, per_page=per_page)
    items = [_commitment_json(c) for c in pagination.items]
    return public_json(
        envelope(items, page=page, per_page=per_page, total=pagination.total), CACHE_SECONDS
    )


@bp.route("/commitments/<int:number>")
@policy.public
def commitment(number):
    item = existing(queries.get_commitment(checked_id(number)))
    data = _commitment_json(item)
    data["milestones"] = [
        {
            "title": texts(m.title),
            "due_on": iso(m.due_on),
            "done": m.done,
            "done_on": iso(m.done_on),
        }
        for m in item.milestones
    ]
    data["evidence"] = [{"url": link.url, "label": texts(link.label)} for link in item.evidence]
    data["progress_notes"] = [
        {
            "id": note.id,
            "noted_on": iso(note.noted_on),
            "text": texts(note.body),
            "author": note.author.display_name if note.author else None,
            "corrects": note.corrects_id,
            "created_at": note.created_at.isoformat(),
        }
        for note in item.notes
    ]
    return public_json(data, CACHE_SECONDS)
