"""Verifiable counts' pages (docs/verifiable-counts.md): the public verify page, where a receipt
code tells whether its signature is counted, with the Merkle path to the latest published root.
Answers to a lookup are never stored by any cache, and lookups are rate-limited."""

import json

from flask import Blueprint, abort, make_response, render_template, request

from participation.core import policy
from participation.core.limits import limited
from participation.institutions.queries import list_regions
from participation.petitions import forms as f
from participation.petitions import countlog, queries, receipts
from participation.petitions.merkle import SPEC_VERSION, leaf_node
from participation.petitions.models import REMOVAL_REASON_LABELS

bp = Blueprint("petition_counts", __name__, url_prefix="/<lang:lang_code>/petitions")


def proof_json(petition_id, standing):
    """What tools/verify_counts.py --proof reads: no code, only its hash and the path."""
    return {
        "format": f"participation-inclusion-proof/{SPEC_VERSION}",
        "petition_id": petition_id,
        "receipt_hash": standing.receipt_hash,
        "entry": {
            "sequence": standing.entry.sequence,
            "entry_hash": standing.entry.entry_hash,
            "root": standing.entry.root,
            "count": standing.entry.count,
        },
        "path": standing.proof,
    }


@bp.route("/<int:petition_id>/verify", methods=["GET", "POST"])
@limited("RATELIMIT_RECEIPT_LOOKUP")
@policy.public
def verify(petition_id):
    petition = queries.get_public_petition(petition_id) or abort(404)
    form = f.ReceiptForm()
    standing = None
    if form.validate_on_submit():
        standing = countlog.get_receipt_standing(petition.id, receipts.hash_of_code(form.code.data))
        if request.form.get("download") and standing.proof is not None:
            response = make_response(json.dumps(proof_json(petition.id, standing), indent=2))
            response.mimetype = "application/json"
            response.headers["Content-Disposition"] = (
                f'attachment; filename="petition-{petition.id}-inclusion-proof.json"'
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    response = make_response(
        render_template(
            "petitions/verify.html",
            petition=petition,
            form=form,
            standing=standing,
            leaf=leaf_node(bytes.fromhex(standing.receipt_hash)).hex()
            if standing and standing.proof is not None
            else None,
            regions={r.id: r for r in list_regions()},
            removal_labels=REMOVAL_REASON_LABELS,
        ),
        400 if form.errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"  # a lookup's answer is the signer's alone
    return response
