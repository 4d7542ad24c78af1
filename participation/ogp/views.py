"""The OGP commitments tracker: public read-only pages, and the observers' page that keeps the
record (status, details, milestones, evidence links, progress notes)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.core import policy
from participation.core.errors import DomainError
from participation.core.forms import fill_translated, translated_data
from participation.core.i18n import current_language
from participation.core.views import perform
from participation.extensions import db
from participation.institutions.models import Institution
from participation.institutions.queries import list_institutions
from participation.ogp import forms as f
from participation.ogp import permissions as perms
from participation.ogp import queries, services
from participation.ogp.plan import theme_name
from participation.stats.headline import get_headline_numbers

bp = Blueprint("ogp", __name__, url_prefix="/<lang:lang_code>/commitments")


def _platform_numbers():
    """Commitment 15 is this platform: its live headline numbers (signatures from the counters)."""
    numbers = get_headline_numbers()
    return {
        "consultations": numbers["consultations_published"],
        "comments": numbers["comments"],
        "petitions": numbers["petitions_published"],
        "signatures": numbers["signatures"],
    }


def _load(number):
    commitment = queries.get_commitment(number)
    if commitment is None:
        abort(404)
    return commitment


@bp.route("/")
@policy.public
def index():
    return render_template(
        "ogp/index.html",
        commitments=queries.list_commitments(),
        theme_name=theme_name,
    )


@bp.route("/<int:number>")
@policy.public
def detail(number):
    commitment = _load(number)
    platform = commitment.number == queries.PLATFORM_COMMITMENT
    return render_template(
        "ogp/detail.html",
        commitment=commitment,
        theme_name=theme_name,
        can_track=perms.can_track_commitments(current_user),
        stats_url=url_for("stats.public", lang_code=current_language()) if platform else None,
        platform_numbers=_platform_numbers() if platform else None,
    )


def _manage_page(commitment):
    return redirect(url_for("ogp.manage", lang_code=current_language(), number=commitment.number))


def _details_form(commitment, formdata=None):
    form = f.DetailsForm(formdata=formdata, prefix="details", institutions=list_institutions())
    if formdata is None:
        fill_translated(form, "description", commitment.description)
        form.lead_institution_id.data = commitment.lead_institution_id or 0
    return form


def _render_manage(commitment, status=200, **forms):
    return (
        render_template(
            "ogp/manage.html",
            commitment=commitment,
            theme_name=theme_name,
            status_form=forms.get("status_form")
            or f.StatusForm(prefix="status", commitment=commitment),
            details_form=forms.get("details_form") or _details_form(commitment),
            milestone_form=forms.get("milestone_form") or f.MilestoneForm(prefix="milestone"),
            done_form=forms.get("done_form") or f.MilestoneDoneForm(prefix="done"),
            evidence_form=forms.get("evidence_form") or f.EvidenceForm(prefix="evidence"),
            note_form=forms.get("note_form") or f.NoteForm(prefix="note", notes=commitment.notes),
            failed_milestone=forms.get("failed_milestone"),
        ),
        status,
    )


def _submit(commitment, form_name, form, action, *, error_field, success, **extra):
    """Validate one form of the page, run its one service and go back to the page, or show the
    page again (400) with the form's translated errors and what was typed."""
    if form.validate_on_submit():
        ok, _result = perform(lambda: action(form), error_field=error_field, success=success)
        if ok:
            return _manage_page(commitment)
    return _render_manage(commitment, status=400, **{form_name: form}, **extra)


@bp.route("/<int:number>/manage")
@policy.requires(perms.can_track_commitments)
def manage(number):
    return _render_manage(_load(number))


@bp.route("/<int:number>/status", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def change_status(number):
    commitment = _load(number)
    form = f.StatusForm(prefix="status", commitment=commitment)
    return _submit(
        commitment,
        "status_form",
        form,
        lambda form: services.change_commitment_status(current_user, commitment, form.status.data),
        error_field=form.status,
        success=_("The status is changed."),
    )


@bp.route("/<int:number>/details", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def change_details(number):
    commitment = _load(number)
    form = _details_form(commitment, formdata=request.form)

    def save(form):
        institution = (
            db.session.get(Institution, form.lead_institution_id.data)
            if form.lead_institution_id.data
            else None
        )
        return services.update_commitment_details(
            current_user,
            commitment,
            description=translated_data(form, "description"),
            lead_institution=institution,
        )

    return _submit(
        commitment,
        "details_form",
        form,
        save,
        error_field=form.lead_institution_id,
        success=_("The details are saved."),
    )


@bp.route("/<int:number>/milestones", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def add_milestone(number):
    commitment = _load(number)
    form = f.MilestoneForm(prefix="milestone")
    return _submit(
        commitment,
        "milestone_form",
        form,
        lambda form: services.add_milestone(
            current_user, commitment, title=translated_data(form, "title"), due_on=form.due_on.data
        ),
        error_field=form.title_ar,
        success=_("The milestone is added."),
    )


@bp.route("/<int:number>/milestones/<int:milestone_id>/done", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def mark_milestone(number, milestone_id):
    commitment = _load(number)
    milestone = queries.get_milestone(commitment, milestone_id) or abort(404)
    form = f.MilestoneDoneForm(prefix="done")
    return _submit(
        commitment,
        "done_form",
        form,
        lambda form: services.set_milestone_done(
            current_user, milestone, done_on=form.done_on.data
        ),
        error_field=form.done_on,
        success=_("The milestone is updated."),
        failed_milestone=milestone.id,
    )


@bp.route("/<int:number>/evidence", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def add_evidence(number):
    commitment = _load(number)
    form = f.EvidenceForm(prefix="evidence")
    return _submit(
        commitment,
        "evidence_form",
        form,
        lambda form: services.add_evidence_link(
            current_user, commitment, url=form.url.data, label=translated_data(form, "label")
        ),
        error_field=form.url,
        success=_("The evidence link is added."),
    )


@bp.route("/<int:number>/notes", methods=["POST"])
@policy.requires(perms.can_track_commitments)
def add_note(number):
    commitment = _load(number)
    form = f.NoteForm(prefix="note", notes=commitment.notes)

    def save(form):
        corrects = (
            queries.get_note(commitment, form.corrects_id.data) if form.corrects_id.data else None
        )
        if form.corrects_id.data and corrects is None:
            raise DomainError(_("Choose one of the options in the list."), code="unknown_note")
        return services.add_progress_note(
            current_user,
            commitment,
            text=translated_data(form, "text"),
            noted_on=form.noted_on.data,
            corrects=corrects,
        )

    return _submit(
        commitment,
        "note_form",
        form,
        save,
        error_field=form.text_ar,
        success=_("The progress note is added."),
    )
