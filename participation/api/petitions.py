"""/api/v1/petitions: public petitions and motions (petitions.queries.is_public) in their effective
state (Petition.effective_state), with counts from the sharded counters, counts by region, the addressee's dated steps and the legal
deadline clocks. Nothing about signers or committee members but the number of members."""

from flask import request

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
from participation.core import policy
from participation.institutions.queries import list_regions
from participation.core.models import utcnow
from participation.core.small_numbers import MASKED, min_group
from participation.petitions import countlog, queries
from participation.petitions.deadlines import deadline_clocks


def _kind_json(kind):
    return {
        "key": kind.key,
        "category": kind.category,
        "level": kind.level,
        "name": texts(kind.name),
    }


def _addressee_json(petition):
    institution = petition.addressee
    return {
        "institution_id": institution.id if institution else None,
        "name": texts(institution.name) if institution else texts(petition.kind.addressee),
    }


def petition_json(petition, signature_count, now):
    return {
        "id": petition.id,
        "title": texts(petition.title),
        "state": petition.effective_state(now, signatures=signature_count).value,
        "kind": _kind_json(petition.kind),
        "addressee": _addressee_json(petition),
        "region_id": petition.region_id,
        "signature_count": signature_count,
        "signatures_required": petition.signatures_required,
        "published_at": iso(petition.published_at),
        "closes_at": iso(petition.closes_at),
        "deposited_at": iso(petition.deposited_at),
        "decided_at": iso(petition.decided_at),
    }


def step_json(step):
    return {
        "kind": step.kind,
        "occurred_on": iso(step.occurred_on),
        "body": texts(step.body),
        "measures": texts(step.measures),
        "admissible": step.admissible,
        "ground": step.ground,
    }


def clock_json(clock):
    return {
        "key": clock.key,
        "start_on": iso(clock.start_on),
        "due_on": iso(clock.due_on),
        "done_on": iso(clock.done_on),
        "status": clock.status.value,
    }


def by_region_json(petition_id, regions):
    """Counted signatures per region (region null: signers living abroad), largest first, small
    numbers withheld as on the petition page (queries.list_public_region_counts)."""
    return [
        {
            "region_id": key or None,
            "region": regions[key].code if key in regions else None,
            **count_json(total),
        }
        for key, total in queries.list_public_region_counts([petition_id]).get(petition_id, [])
    ]


def count_json(count):
    """A protected count: {"signature_count": n, "fewer_than": None}, or the count withheld."""
    if count is MASKED:
        return {"signature_count": None, "fewer_than": min_group()}
    return {"signature_count": count, "fewer_than": None}


@bp.route("/petitions")
@policy.public
def petitions():
    page, per_page = page_params()
    now = utcnow()
    filters = queries.PetitionFilters(
        state=choice_param("state", queries.PUBLIC_STATE_VALUES),
        kind_key=(request.args.get("kind") or None),
        addressee_id=int_param("addressee"),
        region_id=int_param("region"),
    )
    pagination = queries.list_public_petitions(filters, page=page, per_page=per_page, now=now)
    counts = queries.count_signatures_of(p.id for p in pagination.items)
    items = [petition_json(p, counts[p.id], now) for p in pagination.items]
    return public_json(envelope(items, page=page, per_page=per_page, total=pagination.total), 30)


@bp.route("/petitions/<int:petition_id>")
@policy.public
def petition(petition_id):
    item = existing(queries.get_public_petition(checked_id(petition_id)))
    count, _updated = queries.count_signatures_as_of(item.id)
    data = petition_json(item, count, utcnow())
    data.update(
        demands=texts(item.demands),
        memorandum=texts(item.memorandum),
        committee_size=len(item.accepted_members),
        rejection_ground=item.rejection_ground,
        rejection_explanation=item.rejection_explanation,
        signatures_by_region=by_region_json(item.id, {r.id: r for r in list_regions()}),
        steps=[step_json(s) for s in item.steps],
        deadlines=[clock_json(c) for c in deadline_clocks(item)],
    )
    return public_json(data, 30)


@bp.route("/petitions/<int:petition_id>/count")
@policy.public
def petition_count(petition_id):
    """Cheap and constant-cost: a sum over the petition's counter rows, cacheable for 5 s."""
    existing(queries.get_public_petition_state(checked_id(petition_id)))
    total, updated = queries.count_signatures_as_of(petition_id)
    return public_json({"signature_count": total, "updated_at": iso(updated)}, 5)


def count_log_json(petition_id):
    """The count log (docs/verifiable-counts.md) with what tools/verify_counts.py needs to check
    it against the rows now: the receipt hashes counted now and the removals since the last
    entry. No personal data: a receipt hash reveals nothing of its signer."""
    entries = countlog.list_entries(petition_id)
    latest = entries[-1] if entries else None
    count, receipt_hashes = countlog.count_with_counted_receipts(petition_id)
    return {
        "petition_id": petition_id,
        "specification": countlog.ENTRY_HEADER,
        "entries": [
            {
                "sequence": e.sequence,
                "recorded_at": countlog.timestamp(e.recorded_at),
                "event": e.event,
                "count": e.count,
                "root": e.root,
                "previous_hash": e.previous_hash,
                "entry_hash": e.entry_hash,
                "added": [{"receipt_hash": h, "reason": r} for h, r in e.added],
                "removed": [{"receipt_hash": h, "reason": r} for h, r in e.removed],
            }
            for e in entries
        ],
        "current": {
            "signature_count": count,
            "receipt_hashes": receipt_hashes,
            "removed_since_last_entry": [
                {"receipt_hash": r.receipt_hash, "reason": r.reason}
                for r in countlog.list_pending_removals(
                    petition_id, latest.recorded_at if latest else None
                )
            ],
        },
    }


@bp.route("/petitions/<int:petition_id>/log")
@policy.public
def petition_log(petition_id):
    item = existing(queries.get_public_petition(checked_id(petition_id)))
    return public_json(count_log_json(item.id), 60)
