"""The institution officers' pages: drafting, sections, the lifecycle, corrections, outcome."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from participation.consultations import forms as f
from participation.consultations import attachments
from participation.consultations import permissions as perms
from participation.consultations import queries, questionnaire, services
from participation.consultations.models import Section
from participation.core import policy
from participation.core.i18n import FORMAT_LOCALES, current_language
from participation.core.models import utcnow
from participation.core.timezones import local_to_utc, utc_to_local_naive
from participation.core.views import page_number, perform
from participation.extensions import db
from participation.institutions.models import Province, Region

bp = Blueprint("officer", __name__, url_prefix="/<lang:lang_code>/institution")


def _manage_page(consultation):
    return redirect(
        url_for("officer.manage", lang_code=current_language(), consultation_id=consultation.id)
    )


def _load_managed(consultation_id, *, editing=False):
    """The consultation if the officer's institution owns it (other institutions' drafts are 404),
    and, with `editing`, only while it is a draft (403 after)."""
    consultation = queries.get_consultation(consultation_id)
    if consultation is None or not perms.can_view_consultation(current_user, consultation):
        abort(404)
    policy.ensure(perms.can_manage_consultation(current_user, consultation))
    if editing:
        policy.ensure(perms.can_edit_consultation(current_user, consultation))
    return consultation


@bp.route("/consultations")
@policy.requires(perms.can_create_consultation)
def consultations():
    pagination = queries.list_institution_consultations(
        current_user.officer_institution_id, page=page_number()
    )
    return render_template("consultations/officer/list.html", pagination=pagination, now=utcnow())


def _consultation_form(consultation=None):
    form = f.ConsultationForm(topics=services.list_topics())
    if request.method == "GET" and consultation is not None:
        for name in ("title", "summary", "body"):
            f.fill_translated(form, name, getattr(consultation, name))
        form.scope.data = consultation.scope
        form.region_id.data = consultation.region_id or 0
        form.province_id.data = consultation.province_id or 0
        form.show_places()
        form.topics.data = [t.slug for t in consultation.topics]
        form.opens_at.data = utc_to_local_naive(consultation.opens_at)
        form.closes_at.data = utc_to_local_naive(consultation.closes_at)
        form.moderation_mode.data = consultation.moderation_mode
    return form


def _stepping():
    """A no-script step of the region → province choice (templates/_places.html): the form
    comes back with the province list filled, nothing saved."""
    return request.method == "POST" and "step" in request.form


def _form_data(form):
    topics = {t.slug: t for t in services.list_topics()}
    return services.ConsultationData(
        title=f.translated_data(form, "title"),
        summary=f.translated_data(form, "summary"),
        body=f.translated_data(form, "body"),
        scope=form.scope.data,
        region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
        province=db.session.get(Province, form.province_id.data) if form.province_id.data else None,
        topics=[topics[slug] for slug in form.topics.data or [] if slug in topics],
        opens_at=local_to_utc(form.opens_at.data),
        closes_at=local_to_utc(form.closes_at.data),
        moderation_mode=form.moderation_mode.data,
    )


@bp.route("/consultations/new", methods=["GET", "POST"])
@policy.requires(perms.can_create_consultation)
def new_consultation():
    form = _consultation_form()
    if not _stepping() and form.validate_on_submit():
        ok, consultation = perform(
            lambda: services.create_consultation(current_user, _form_data(form)),
            error_field=form.title_ar,
            success=_("The draft is saved. Add its sections now."),
        )
        if ok:
            return _manage_page(consultation)
    return render_template(
        "consultations/officer/form.html", form=form, consultation=None
    ), 400 if form.errors else 200


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@policy.requires(perms.can_create_consultation)
def edit_consultation(consultation_id):
    consultation = _load_managed(consultation_id, editing=True)
    form = _consultation_form(consultation)
    if not _stepping() and form.validate_on_submit():
        ok, _result = perform(
            lambda: services.update_consultation(current_user, consultation, _form_data(form)),
            error_field=form.title_ar,
            success=_("The draft is saved."),
        )
        if ok:
            return _manage_page(consultation)
    return render_template(
        "consultations/officer/form.html", form=form, consultation=consultation
    ), 400 if form.errors else 200


@bp.route("/consultations/<int:consultation_id>")
@policy.requires(perms.can_create_consultation)
def manage(consultation_id):
    consultation = _load_managed(consultation_id)
    return _render_manage(consultation)


def _render_manage(
    consultation,
    *,
    section_form=None,
    import_form=None,
    withdraw_form=None,
    correction_form=None,
    attachment_form=None,
    question_form=None,
    import_report=None,
    close_form=None,
    extend_form=None,
    status=200,
):
    return (
        render_template(
            "consultations/officer/manage.html",
            consultation=consultation,
            now=utcnow(),
            section_form=section_form or f.SectionForm(prefix="section"),
            import_form=import_form or f.ImportSectionsForm(prefix="import"),
            import_report=import_report,
            withdraw_form=withdraw_form or f.WithdrawForm(prefix="withdraw"),
            close_form=close_form or f.CloseEarlyForm(prefix="close"),
            extend_form=extend_form or f.ExtendForm(prefix="extend"),
            correction_form=correction_form
            or f.CorrectionForm(prefix="correction", sections=consultation.sections),
            attachment_form=attachment_form or f.AttachmentForm(prefix="attachment"),
            question_form=question_form or f.QuestionForm(prefix="question"),
            action_form=f.ActionForm(),
            can_edit=perms.can_edit_consultation(current_user, consultation),
            can_correct=perms.can_correct_consultation(current_user, consultation),
            can_close=perms.can_close_consultation(current_user, consultation),
            can_extend=perms.can_extend_consultation(current_user, consultation),
            can_write_outcome=perms.can_write_outcome(current_user, consultation),
        ),
        status,
    )


def _manage_form(
    consultation, form, form_name, action, *, error_field, success, fields_by_code=None
):
    """A form of the management page: run its service and go back there, or show it again
    with its errors (and everything typed) when the form or the service refuses. A refusal goes
    under the field its code names in `fields_by_code` (None: at the top of the page, the form
    being gone, e.g. the consultation closed meanwhile), else under `error_field`."""

    def show_refusal(error):
        field = (fields_by_code or {}).get(error.code, error_field)
        if field is None:
            flash(str(error.message), "error")
        else:
            field.errors.append(str(error.message))

    if form.validate_on_submit():
        ok, _result = perform(lambda: action(form), on_refusal=show_refusal, success=success)
        if ok:
            return _manage_page(consultation)
    return _render_manage(consultation, status=400, **{form_name: form})


@bp.route("/consultations/<int:consultation_id>/sections", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def add_section(consultation_id):
    consultation = _load_managed(consultation_id, editing=True)
    form = f.SectionForm(prefix="section")
    return _manage_form(
        consultation,
        form,
        "section_form",
        lambda form: services.add_section(
            current_user,
            consultation,
            heading=f.translated_data(form, "heading"),
            body=f.translated_data(form, "body"),
        ),
        error_field=form.heading_ar,
        success=_("The section is added."),
    )


@bp.route("/consultations/<int:consultation_id>/sections/import", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def import_sections(consultation_id):
    consultation = _load_managed(consultation_id, editing=True)
    form = f.ImportSectionsForm(prefix="import")
    if form.validate_on_submit():
        with force_locale(FORMAT_LOCALES[form.language.data]):
            preamble = _("Preamble")  # a heading of the text, in the text's language
        ok, report = perform(
            lambda: services.import_sections(
                current_user,
                consultation,
                text=form.text.data,
                language=form.language.data,
                preamble_heading=preamble,
            ),
            error_field=form.text,
        )
        if ok and report.complete:
            if report.replaced:
                message = ngettext(
                    "%(num)d section was created. Check and adjust it.",
                    "%(num)d sections were created. Check and adjust them.",
                    len(report.filled),
                )
            else:
                message = ngettext(
                    "%(num)d section received the pasted text. Check it.",
                    "%(num)d sections received the pasted text. Check them.",
                    len(report.filled),
                )
            flash(message, "success")
            return _manage_page(consultation)
        if ok:
            # Some parts did not match: the page says which, with the text still in the form
            # to correct and import again (what was filled is saved).
            return _render_manage(consultation, import_form=form, import_report=report)
    return _render_manage(consultation, import_form=form, status=400)


def _load_section(consultation, section_id):
    section = db.session.get(Section, section_id)
    if section is None or section.consultation_id != consultation.id:
        abort(404)
    return section


@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>", methods=["GET", "POST"])
@policy.requires(perms.can_create_consultation)
def edit_section(consultation_id, section_id):
    consultation = _load_managed(consultation_id, editing=True)
    section = _load_section(consultation, section_id)
    form = f.SectionForm()
    if request.method == "GET":
        f.fill_translated(form, "heading", section.heading)
        f.fill_translated(form, "body", section.body)
    if form.validate_on_submit():
        ok, _result = perform(
            lambda: services.update_section(
                current_user,
                section,
                heading=f.translated_data(form, "heading"),
                body=f.translated_data(form, "body"),
            ),
            error_field=form.heading_ar,
            success=_("The section is saved."),
        )
        if ok:
            return _manage_page(consultation)
    return render_template(
        "consultations/officer/section_form.html",
        form=form,
        consultation=consultation,
        section=section,
    ), 400 if form.errors else 200


@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>/delete", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def delete_section(consultation_id, section_id):
    consultation = _load_managed(consultation_id, editing=True)
    section = _load_section(consultation, section_id)
    if f.ActionForm().validate_on_submit():
        perform(
            lambda: services.delete_section(current_user, section),
            success=_("The section is deleted."),
        )
    return _manage_page(consultation)


@bp.route(
    "/consultations/<int:consultation_id>/sections/<int:section_id>/move/<any(up, down):direction>",
    methods=["POST"],
)
@policy.requires(perms.can_create_consultation)
def move_section(consultation_id, section_id, direction):
    consultation = _load_managed(consultation_id, editing=True)
    section = _load_section(consultation, section_id)
    if f.ActionForm().validate_on_submit():
        perform(
            lambda: services.move_section(current_user, section, -1 if direction == "up" else 1)
        )
    return _manage_page(consultation)


@bp.route(
    "/consultations/<int:consultation_id>/<any(schedule, unschedule):action>", methods=["POST"]
)
@policy.requires(perms.can_create_consultation)
def change_state(consultation_id, action):
    consultation = _load_managed(consultation_id)
    if f.ActionForm().validate_on_submit():
        if action == "schedule":
            perform(
                lambda: services.schedule_consultation(current_user, consultation),
                success=_(
                    "The consultation is published. It opens and closes on the dates you set."
                ),
            )
        else:
            perform(
                lambda: services.unschedule_consultation(current_user, consultation),
                success=_("The consultation is back to draft."),
            )
    return _manage_page(consultation)


@bp.route("/consultations/<int:consultation_id>/withdraw", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def withdraw(consultation_id):
    consultation = _load_managed(consultation_id)
    form = f.WithdrawForm(prefix="withdraw")
    return _manage_form(
        consultation,
        form,
        "withdraw_form",
        lambda form: services.withdraw_consultation(
            current_user, consultation, reason=form.reason.data
        ),
        error_field=form.reason,
        success=_("The consultation is withdrawn."),
    )


@bp.route("/consultations/<int:consultation_id>/close", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def close_early(consultation_id):
    consultation = _load_managed(consultation_id)
    form = f.CloseEarlyForm(prefix="close")
    return _manage_form(
        consultation,
        form,
        "close_form",
        lambda form: services.close_consultation_early(
            current_user, consultation, reason=f.translated_data(form, "reason")
        ),
        error_field=form.reason_ar,
        success=_("The consultation is closed. Its followers are told why."),
        fields_by_code={"not_open": None},
    )


@bp.route("/consultations/<int:consultation_id>/extend", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def extend(consultation_id):
    consultation = _load_managed(consultation_id)
    form = f.ExtendForm(prefix="extend")
    return _manage_form(
        consultation,
        form,
        "extend_form",
        lambda form: services.extend_consultation(
            current_user,
            consultation,
            closes_at=local_to_utc(form.closes_at.data),
            reason=f.translated_data(form, "reason"),
        ),
        error_field=form.closes_at,
        success=_("The closing date is moved. Its followers are told why."),
        fields_by_code={
            "reason_required": form.reason_ar,
            "reason_too_long": form.reason_ar,
            "not_open": None,
        },
    )


@bp.route("/consultations/<int:consultation_id>/corrections", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def add_correction(consultation_id):
    consultation = _load_managed(consultation_id)
    form = f.CorrectionForm(prefix="correction", sections=consultation.sections)
    return _manage_form(
        consultation,
        form,
        "correction_form",
        lambda form: services.add_correction(
            current_user,
            consultation,
            note=f.translated_data(form, "note"),
            section=_load_section(consultation, form.section_id.data)
            if form.section_id.data
            else None,
        ),
        error_field=form.note_ar,
        success=_("The correction is published."),
    )


@bp.route("/consultations/<int:consultation_id>/outcome", methods=["GET", "POST"])
@policy.requires(perms.can_create_consultation)
def outcome(consultation_id):
    consultation = _load_managed(consultation_id)
    policy.ensure(perms.can_write_outcome(current_user, consultation))
    form = f.outcome_form_class(consultation.sections)()
    report = consultation.outcome
    if request.method == "GET" and report is not None:
        f.fill_translated(form, "summary", report.summary)
        f.fill_translated(form, "final_text", report.final_text)
        form.final_text_url.data = report.final_text_url
        for item in report.sections:
            getattr(form, f"decision_{item.section_id}").data = item.decision
            f.fill_translated(form, f"heard_{item.section_id}", item.heard)
            f.fill_translated(form, f"reasons_{item.section_id}", item.reasons)
    if form.validate_on_submit():
        decisions = [
            services.SectionDecision(
                section=section,
                decision=f.decision_value(form, section),
                heard=f.translated_data(form, f"heard_{section.id}"),
                reasons=f.translated_data(form, f"reasons_{section.id}"),
            )
            for section in consultation.sections
            if f.decision_value(form, section)
        ]
        ok, _result = perform(
            lambda: services.save_outcome(
                current_user,
                consultation,
                summary=f.translated_data(form, "summary"),
                final_text=f.translated_data(form, "final_text"),
                final_text_url=form.final_text_url.data,
                decisions=decisions,
                publish=form.publish.data,
            ),
            error_field=form.summary_ar,
            success=_("The outcome report is published.")
            if form.publish.data
            else _("The outcome report is saved; it is not public yet."),
        )
        if ok:
            return _manage_page(consultation)
    return render_template(
        "consultations/officer/outcome.html", form=form, consultation=consultation
    ), 400 if form.errors else 200


@bp.route("/consultations/<int:consultation_id>/attachments", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def add_attachment(consultation_id):
    consultation = _load_managed(consultation_id, editing=True)
    form = f.AttachmentForm(prefix="attachment")
    return _manage_form(
        consultation,
        form,
        "attachment_form",
        lambda form: attachments.add_attachment(current_user, consultation, form.document.data),
        error_field=form.document,
        success=_("The document is attached."),
    )


@bp.route(
    "/consultations/<int:consultation_id>/attachments/<int:attachment_id>/delete", methods=["POST"]
)
@policy.requires(perms.can_create_consultation)
def delete_attachment(consultation_id, attachment_id):
    consultation = _load_managed(consultation_id, editing=True)
    attachment = next(
        (a for a in consultation.attachments if a.id == attachment_id), None
    ) or abort(404)
    if f.ActionForm().validate_on_submit():
        perform(
            lambda: attachments.delete_attachment(current_user, attachment),
            success=_("The document is removed."),
        )
    return _manage_page(consultation)


@bp.route("/consultations/<int:consultation_id>/questions", methods=["POST"])
@policy.requires(perms.can_create_consultation)
def add_question(consultation_id):
    consultation = _load_managed(consultation_id, editing=True)
    form = f.QuestionForm(prefix="question")
    return _manage_form(
        consultation,
        form,
        "question_form",
        lambda form: questionnaire.add_question(
            current_user,
            consultation,
            kind=form.kind.data,
            prompt=f.translated_data(form, "prompt"),
            option_lines=f.translated_data(form, "options"),
            scale_min=form.scale_min.data,
            scale_max=form.scale_max.data,
            required=form.required.data,
        ),
        error_field=form.kind,
        success=_("The question is added."),
    )


@bp.route(
    "/consultations/<int:consultation_id>/questions/<int:question_id>/delete", methods=["POST"]
)
@policy.requires(perms.can_create_consultation)
def delete_question(consultation_id, question_id):
    consultation = _load_managed(consultation_id, editing=True)
    question = next((q for q in consultation.questions if q.id == question_id), None) or abort(404)
    if f.ActionForm().validate_on_submit():
        perform(
            lambda: questionnaire.delete_question(current_user, question),
            success=_("The question is deleted."),
        )
    return _manage_page(consultation)
