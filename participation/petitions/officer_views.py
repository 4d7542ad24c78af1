"""The addressee institution's pages: the inbox of deposited petitions with their legal deadline
clocks, recording the processing steps, and the audited signatory list."""

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from participation.core import policy
from participation.core.forms import translated_data
from participation.core.i18n import current_language
from participation.core.views import committed_when_done, perform
from participation.petitions import forms as f
from participation.petitions import permissions as perms
from participation.petitions import processing, queries
from participation.petitions.deadlines import (
    CLOCK_STATUS_LABELS,
    URGENCY,
    deadline_clocks,
    most_urgent,
)

bp = Blueprint("petition_officer", __name__, url_prefix="/<lang:lang_code>/institution/petitions")


@bp.route("/")
@policy.requires(perms.can_use_petition_inbox)
def inbox():
    done = request.args.get("view") == "done"
    rows = []
    for petition in queries.list_inbox(current_user.officer_institution_id, done=done):
        clocks = deadline_clocks(petition)
        rows.append((petition, clocks, most_urgent(clocks)))
    rows.sort(key=lambda row: URGENCY.index(row[2]) if row[2] else len(URGENCY))
    return render_template(
        "petitions/inbox.html", rows=rows, done=done, urgent_labels=CLOCK_STATUS_LABELS
    )


def _load_deposited(petition_id):
    """Another institution's petitions, and petitions not deposited, are 404."""
    petition = queries.get_petition(petition_id)
    if not perms.is_addressee_officer(current_user, petition):
        abort(404)
    return petition


def _step_form(petition):
    return f.StepForm(steps=processing.list_next_steps(petition), kind=petition.kind)


@bp.route("/<int:petition_id>", methods=["GET", "POST"])
@policy.authenticated
def process(petition_id):
    petition = _load_deposited(petition_id)
    form = _step_form(petition)
    if request.method == "POST":
        policy.ensure(perms.can_process_petition(current_user, petition))
        if form.validate_on_submit():
            data = processing.StepData(
                kind=form.kind.data,
                occurred_on=form.occurred_on.data,
                text=translated_data(form, "text"),
                measures=translated_data(form, "measures"),
                admissible={"yes": True, "no": False}.get(form.admissible.data),
                ground=form.ground.data or None,
            )
            ok, _step = perform(
                lambda: processing.record_step(current_user, petition, data),
                error_field=form.kind,
                success=_("The step is recorded and published."),
            )
            if ok:
                return redirect(
                    url_for(
                        "petition_officer.process",
                        lang_code=current_language(),
                        petition_id=petition.id,
                    )
                )
    return render_template(
        "petitions/process.html",
        petition=petition,
        form=form,
        clocks=deadline_clocks(petition),
        can_process=perms.can_process_petition(current_user, petition),
        can_export=perms.can_export_signatories(current_user, petition),
        reason_form=f.ReasonForm(),
    ), 400 if form.errors else 200


@bp.route("/<int:petition_id>/signatories.csv", methods=["POST"])
@policy.authenticated
def signatories(petition_id):
    """POST, not GET: each export is an audited act, not a link a browser may prefetch."""
    petition = _load_deposited(petition_id)
    policy.ensure(perms.can_export_signatories(current_user, petition))
    if not f.ReasonForm().validate_on_submit():
        abort(400)
    # Committed here, the request's reads end: only the export's own connection stays open while it streams.
    _ok, chunks = perform(
        lambda: processing.export_signatories(current_user, petition),
        on_refusal=lambda refused: abort(403),
    )
    return Response(
        stream_with_context(committed_when_done(chunks)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="petition-{petition.id}-signatories.csv"',
            "Cache-Control": "no-store",
        },
    )
