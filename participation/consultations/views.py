"""Public pages: the listing with filters and search, a consultation, a section, following."""

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user

from participation.comments.queries import count_comments, count_stances
from participation.comments.targets import resolve_target
from participation.comments.views import thread_for_request
from participation.consultations.phases import consultation_phases
from participation.consultations import permissions as perms
from participation.consultations import exports, queries, questionnaire, services
from participation.consultations.attachments import stored_path
from participation.consultations.comment_targets import comment_totals
from participation.consultations.forms import ActionForm
from participation.consultations.models import SCOPE_LABELS, STATE_LABELS, Scope
from participation.consultations.queries import PUBLIC_FILTER_STATES, SORTS, ListingFilters
from participation.core import policy
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES
from participation.core.models import utcnow
from participation.core.page_cache import LISTINGS, shared_page
from participation.core.routing import query_int
from participation.core.views import page_number, perform
from participation.institutions.queries import list_institutions, list_regions

bp = Blueprint("consultations", __name__, url_prefix="/<lang:lang_code>/consultations")


@bp.route("/")
@policy.public
@shared_page(LISTINGS)
def index():
    filters = ListingFilters(
        state=request.args.get("state") or None,
        institution_id=query_int("institution"),
        region_id=query_int("region"),
        topic=(request.args.get("topic") or "")[:60] or None,
        language=request.args.get("language")
        if request.args.get("language") in LANGUAGES
        else None,
        q=(request.args.get("q") or "")[:200],
        sort=request.args.get("sort") if request.args.get("sort") in SORTS else "newest",
    )
    pagination = queries.list_public_consultations(filters, page=page_number())
    return render_template(
        "consultations/index.html",
        pagination=pagination,
        filters=filters,
        totals=comment_totals(pagination.items),
        states=[(s.value, STATE_LABELS[s]) for s in PUBLIC_FILTER_STATES],
        institutions=list_institutions(),
        regions=list_regions(),
        topics=services.list_topics(),
        language_labels=LANGUAGE_LABELS,
        now=utcnow(),
    )


def _load_visible(consultation_id):
    consultation = queries.get_consultation(consultation_id)
    if consultation is None or not perms.can_view_consultation(current_user, consultation):
        abort(404)  # drafts of other institutions do not exist for the reader
    return consultation


@bp.route("/<int:consultation_id>")
@bp.route("/<int:consultation_id>-<slug>")
@policy.public
@shared_page(lambda consultation_id, **_: f"consultation:{consultation_id}")
def detail(consultation_id, slug=None):
    consultation = _load_visible(consultation_id)
    if slug != consultation.slug:
        return redirect(
            url_for(
                "consultations.detail", consultation_id=consultation.id, slug=consultation.slug
            ),
            301,
        )
    section_ids = [s.id for s in consultation.sections]
    target = resolve_target("consultation", consultation.id)
    return render_template(
        "consultations/detail.html",
        consultation=consultation,
        now=utcnow(),
        phases=consultation_phases(consultation),
        section_counts=count_comments("section", section_ids),
        section_stances=count_stances("section", section_ids),
        scope_label=SCOPE_LABELS[Scope(consultation.scope)],
        following=queries.is_following(current_user, consultation),
        can_follow=perms.can_follow_consultation(current_user, consultation),
        can_export=perms.can_export_consultation(current_user, consultation),
        # Anonymous readers see no form (see petitions.views.detail): no CSRF token made.
        action_form=ActionForm() if current_user.is_authenticated else None,
        target=target,
        thread=thread_for_request(target),
    )


@bp.route("/<int:consultation_id>-<slug>/sections/<int:section_id>")
@policy.public
def section(consultation_id, slug, section_id):
    consultation = _load_visible(consultation_id)
    section = queries.get_section(consultation, section_id) or abort(404)
    if slug != consultation.slug:
        return redirect(
            url_for(
                "consultations.section",
                consultation_id=consultation.id,
                slug=consultation.slug,
                section_id=section.id,
            ),
            301,
        )
    target = resolve_target("section", section.id)
    return render_template(
        "consultations/section.html",
        consultation=consultation,
        section=section,
        now=utcnow(),
        stances=count_stances("section", [section.id]).get(section.id, {}),
        target=target,
        thread=thread_for_request(target),
    )


@bp.route("/<int:consultation_id>/follow", methods=["POST"])
@policy.authenticated
def follow(consultation_id):
    consultation = _load_visible(consultation_id)
    policy.ensure(perms.can_follow_consultation(current_user, consultation))
    if ActionForm().validate_on_submit():
        if request.form.get("action") == "unfollow":
            perform(
                lambda: services.unfollow_consultation(current_user, consultation),
                success=_("You no longer follow this consultation."),
            )
        else:
            perform(
                lambda: services.follow_consultation(current_user, consultation),
                success=_(
                    "You follow this consultation: we will e-mail you when it opens, closes and when the outcome is published."
                ),
            )
    return redirect(
        url_for("consultations.detail", consultation_id=consultation.id, slug=consultation.slug)
    )


@bp.route("/<int:consultation_id>/documents/<int:attachment_id>")
@policy.public
def attachment(consultation_id, attachment_id):
    consultation = _load_visible(consultation_id)
    document = next((a for a in consultation.attachments if a.id == attachment_id), None) or abort(
        404
    )
    path = stored_path(document)
    if not path.is_file():
        abort(404)
    # Only a document anyone may read may be kept by caches; a draft's is for its officers alone.
    max_age = 3600 if perms.can_view_consultation(AnonymousUserMixin(), consultation) else None
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=document.original_name,
        max_age=max_age,
    )


@bp.route("/<int:consultation_id>-<slug>/questionnaire", methods=["GET", "POST"])
@policy.public
def questionnaire_page(consultation_id, slug):
    consultation = _load_visible(consultation_id)
    if not consultation.questions:
        abort(404)
    form = ActionForm()
    answer_set = questionnaire.get_answer_set(current_user, consultation)
    errors = {}
    if request.method == "POST":
        policy.ensure(perms.can_answer_questionnaire(current_user, consultation))
        if form.validate_on_submit():
            raw = {q.id: request.form.getlist(f"q{q.id}") for q in consultation.questions}
            ok, _answers = perform(
                lambda: questionnaire.save_answers(current_user, consultation, raw),
                refusal=questionnaire.AnswerError,
                on_refusal=lambda error: errors.update({error.question.id: str(error.message)}),
                success=_(
                    "Your answers are saved. You can change them until the consultation closes."
                ),
            )
            if ok:
                return redirect(
                    url_for(
                        "consultations.questionnaire_page",
                        consultation_id=consultation.id,
                        slug=consultation.slug,
                    )
                )
        answers = {str(q.id): request.form.getlist(f"q{q.id}") for q in consultation.questions}
    else:
        answers = answer_set.answers if answer_set else {}
    show_results = questionnaire.results_visible(consultation)
    return render_template(
        "consultations/questionnaire.html",
        consultation=consultation,
        form=form,
        answers=answers,
        errors=errors,
        can_answer=perms.can_answer_questionnaire(current_user, consultation),
        results=questionnaire.list_results(consultation) if show_results else None,
        respondents=questionnaire.count_answer_sets(consultation) if show_results else None,
        now=utcnow(),
    ), 400 if errors else 200


@bp.route("/<int:consultation_id>/export/<any(comments, answers):kind>.<any(csv, json):fmt>")
@policy.authenticated
def export(consultation_id, kind, fmt):
    consultation = _load_visible(consultation_id)
    policy.ensure(perms.can_export_consultation(current_user, consultation))
    # Committed before the body is built: the audit record of a personal-data export.
    _ok, rows = perform(
        lambda: exports.export_rows(current_user, consultation, kind),
        on_refusal=lambda refused: abort(403),
    )
    body = exports.to_csv(rows) if fmt == "csv" else exports.to_json(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=consultation-{consultation.id}-{kind}.{fmt}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
