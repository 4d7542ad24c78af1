"""Moderation pages: citizens report and appeal; moderators work the queue, decide, block; the
public reads the transparency page; administrators set the screening rules."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import format_decimal, ngettext
from flask_login import current_user

from participation.auth.models import User
from participation.comments.models import Comment
from participation.moderation import permissions as perms
from participation.moderation import queries, services
from participation.moderation.forms import (
    ActionForm,
    AppealForm,
    BlockForm,
    BulkDecisionForm,
    BulkSignatureForm,
    DecisionForm,
    ReportForm,
    ScreeningForm,
    SignatureDecisionForm,
    report_form_for,
)
from participation.moderation.models import (
    COMMENT_STATUS_LABELS,
    DECISION_OUTCOME_LABELS,
    DECISION_REASON_LABELS,
    DECISION_REASONS,
    ITEM_REASON_LABELS,
    QUEUE_KIND_LABELS,
    MODERATOR_DECISIONS,
    WORD_LIST_LABELS,
    ModerationDecision,
    ModerationItem,
    WordList,
)
from participation.comments.targets import target_of
from participation.comments.views import back_to_thread, load_comment
from participation.core import policy
from participation.core.audit import list_audit_entries
from participation.core.filters import when
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES, current_language
from participation.core.models import utcnow
from participation.core.routing import query_int
from participation.core.templating import url_with_query
from participation.core.limits import limited, remote_address
from participation.core.views import page_number, perform
from participation.extensions import db
from participation.institutions.queries import list_institutions
from participation.petitions import holds
from participation.petitions import queries as petition_queries
from participation.petitions.models import HELD_LIMIT_LABELS
from participation.petitions.permissions import can_decide_signature, can_review_petition

bp = Blueprint("moderation", __name__, url_prefix="/<lang:lang_code>/moderation")
admin_bp = Blueprint("moderation_admin", __name__, url_prefix="/<lang:lang_code>/admin/moderation")


def backlog_notice():
    """The number of items waiting (comments, held signatures, petitions awaiting review) when
    it is over the notice threshold, else None (counted once per request)."""
    if "moderation_backlog" not in g:
        waiting = queries.count_waiting_items()
        g.moderation_backlog = (
            waiting if waiting >= current_app.config["MODERATION_BACKLOG_NOTICE"] else None
        )
    return g.moderation_backlog


@bp.app_context_processor
def _moderation_helpers():
    """For templates/comments/_thread.html (report forms) and base.html (the backlog notice)."""
    return {
        "comment_report_form": report_form_for,
        "moderation_backlog": backlog_notice,
        "waiting_time": waiting_time,
    }


def waiting_time(since, now=None):
    """How long something has waited, in the page's language: "2 days", rounded down to the
    largest whole unit. Our own messages rather than Babel's format_timedelta: CLDR has no
    Amazigh unit names, so zgh pages showed "47 s" and "1 min"."""
    minutes = max(0, int(((now or utcnow()) - since).total_seconds())) // 60
    if minutes < 1:
        return _("less than a minute")
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if minutes < 24 * 60:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d day", "%(num)d days", minutes // (24 * 60))


def _go(endpoint, **values):
    return redirect(url_for(endpoint, lang_code=current_language(), **values))


def _per_user():
    return f"reports-user:{current_user.id}" if current_user.is_authenticated else remote_address()


# Citizens: reports and appeals


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@limited("RATELIMIT_REPORT", key=_per_user)
@policy.authenticated
def report(comment_id):
    comment, target = load_comment(comment_id)
    policy.ensure(perms.can_report_comment(current_user, comment, target))
    form = ReportForm()
    if form.validate_on_submit():
        ok, _report = perform(
            lambda: services.report_comment(
                current_user, comment, reason=form.reason.data, details=form.details.data
            ),
            error_field=form.reason,
            success=_("Thank you. Moderators will look at this comment."),
        )
        if ok:
            return back_to_thread(target, comment)
    status = 400 if form.errors else 200
    return render_template(
        "moderation/report.html", form=form, comment=comment, target=target
    ), status


def _load_own_decision(decision_id):
    """A decision on one of the reader's comments; others do not exist for them."""
    decision = db.session.get(ModerationDecision, decision_id)
    if decision is None or decision.comment.author_id != current_user.id:
        abort(404)
    return decision


@bp.route("/decisions/<int:decision_id>/appeal", methods=["GET", "POST"])
@policy.authenticated
def appeal(decision_id):
    decision = _load_own_decision(decision_id)
    form = AppealForm()
    if form.validate_on_submit():
        ok, _appeal = perform(
            lambda: services.appeal_decision(current_user, decision, text=form.text.data),
            error_field=form.text,
            success=_(
                "Your appeal is sent. A moderator who did not take the decision will look at it again."
            ),
        )
        if ok:
            return _go("moderation.appeal", decision_id=decision.id)
    return render_template(
        "moderation/appeal.html",
        form=form,
        decision=decision,
        comment=decision.comment,
        target=target_of(decision.comment),
        can_appeal=perms.can_appeal_decision(current_user, decision),
        appeal=queries.get_appeal(decision.id),
        outcome=queries.get_appeal_outcome(decision.id),
        deadline=queries.appeal_deadline(decision),
        now=utcnow(),
    ), 400 if form.errors else 200


# Moderators: the queue, one comment, decisions


QUEUE_REASON_LABELS = {**ITEM_REASON_LABELS, **HELD_LIMIT_LABELS}


def _queue_filters():
    age = query_int("age")
    return queries.QueueFilters(
        kind=request.args.get("kind") if request.args.get("kind") in QUEUE_KIND_LABELS else None,
        reason=request.args.get("reason")
        if request.args.get("reason") in QUEUE_REASON_LABELS
        else None,
        institution_id=query_int("institution"),
        language=request.args.get("language")
        if request.args.get("language") in LANGUAGES
        else None,
        older_than_days=age if age in queries.AGE_CHOICES else None,
        petition_id=query_int("petition"),
    )


def _render_queue(form, signature_form=None, status=200):
    filters = _queue_filters()
    pagination, entries = queries.list_queue(filters, page=page_number())
    return render_template(
        "moderation/queue.html",
        pagination=pagination,
        entries=entries,
        filters=filters,
        form=form,
        signature_form=signature_form or BulkSignatureForm(),
        kinds=QUEUE_KIND_LABELS,
        reasons=QUEUE_REASON_LABELS,
        held_limit_labels=HELD_LIMIT_LABELS,
        can_review_petition=can_review_petition,
        institutions=[(i.id, i.display_name()) for i in list_institutions(include_inactive=True)],
        language_labels=LANGUAGE_LABELS,
        ages=[
            (days, ngettext("More than %(num)d day", "More than %(num)d days", days))
            for days in queries.AGE_CHOICES
        ],
        now=utcnow(),
    ), status


@bp.route("/")
@policy.requires(perms.can_view_moderation_queue)
def queue():
    return _render_queue(BulkDecisionForm())


@bp.route("/bulk", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def bulk_decide():
    form = BulkDecisionForm()
    if not form.validate_on_submit():
        return _render_queue(form, status=400)
    items = queries.list_items(form.items.data)
    ok, result = perform(
        lambda: services.decide_items(
            current_user,
            items,
            decision=form.decision.data,
            reason=form.reason.data,
            note=form.note.data,
        ),
        error_field=form.reason,
    )
    if not ok:
        return _render_queue(form, status=400)
    decided, left = result
    flash(
        ngettext("%(num)d comment decided.", "%(num)d comments decided.", len(decided)), "success"
    )
    if left:
        flash(
            ngettext(
                "%(num)d comment stays in the queue: another moderator is working on it, or you may not decide it.",
                "%(num)d comments stay in the queue: another moderator is working on them, or you may not decide them.",
                len(left),
            ),
            "warning",
        )
    return redirect(url_with_query("moderation.queue", request.args, lang_code=current_language()))


@bp.route("/signatures/bulk", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def bulk_decide_signatures():
    form = BulkSignatureForm()
    if not form.validate_on_submit():
        return _render_queue(BulkDecisionForm(formdata=None), form, 400)
    signatures = petition_queries.list_held_signatures(form.signatures.data)
    ok, result = perform(
        lambda: holds.decide_signatures(
            current_user,
            signatures,
            decision=form.signature_decision.data,
            note=form.signature_note.data,
        ),
        error_field=form.signature_decision,
    )
    if not ok:
        return _render_queue(BulkDecisionForm(formdata=None), form, 400)
    decided, left = result
    flash(
        ngettext("%(num)d signature decided.", "%(num)d signatures decided.", len(decided)),
        "success",
    )
    left = len(left) + len(set(form.signatures.data) - {s.id for s in signatures})
    if left:
        flash(
            ngettext(
                "%(num)d signature was not decided: it was decided already, another moderator is working on it, or you may not decide it.",
                "%(num)d signatures were not decided: they were decided already, another moderator is working on them, or you may not decide them.",
                left,
            ),
            "warning",
        )
    return redirect(url_with_query("moderation.queue", request.args, lang_code=current_language()))


def _load_signature(signature_id):
    entry = petition_queries.get_signature_entry(signature_id)
    return entry or abort(404)


def _render_signature(entry, form=None, status=200):
    return render_template(
        "moderation/signature.html",
        entry=entry,
        form=form or SignatureDecisionForm(),
        action_form=ActionForm(),
        can_decide=can_decide_signature(current_user, entry.signature, entry.petition),
        held_limit_labels=HELD_LIMIT_LABELS,
        decisions=petition_queries.list_signature_decisions(entry.petition.id, limit=10),
        now=utcnow(),
    ), status


@bp.route("/signatures/<int:signature_id>")
@policy.requires(perms.can_view_moderation_queue)
def signature(signature_id):
    return _render_signature(_load_signature(signature_id))


@bp.route("/signatures/<int:signature_id>/take", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def take_signature(signature_id):
    entry = _load_signature(signature_id)
    if ActionForm().validate_on_submit():
        ok, lock = perform(lambda: holds.take_signature(current_user, entry.signature))
        if ok:
            flash(
                _(
                    "You are working on this signature until %(time)s.",
                    time=when(lock.locked_until),
                ),
                "success",
            )
    return _go("moderation.signature", signature_id=signature_id)


@bp.route("/signatures/<int:signature_id>/unlock", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def unlock_signature(signature_id):
    entry = _load_signature(signature_id)
    if ActionForm().validate_on_submit():
        perform(
            lambda: holds.unlock_signature(current_user, entry.signature),
            success=_("Other moderators can take this signature again."),
        )
    return _go("moderation.signature", signature_id=signature_id)


@bp.route("/signatures/<int:signature_id>/decide", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def decide_signature(signature_id):
    entry = _load_signature(signature_id)
    form = SignatureDecisionForm()
    if form.validate_on_submit():
        ok, _record = perform(
            lambda: holds.decide_signature(
                current_user, entry.signature, decision=form.decision.data, note=form.note.data
            ),
            error_field=form.decision,
            success=_("The decision is recorded and the signer is informed."),
        )
        if ok:
            return _go("moderation.queue", kind="signature")
        entry = petition_queries.get_signature_entry(signature_id) or abort(404)
    return _render_signature(entry, form, 400)


@bp.route("/alerts")
@policy.requires(perms.can_view_moderation_queue)
def alerts():
    config = current_app.config
    return render_template(
        "moderation/alerts.html",
        alerts=petition_queries.list_signing_alerts(),
        window=config["SIGNING_ALERT_WINDOW_MINUTES"],
        network_threshold=config["SIGNING_ALERT_NETWORK_THRESHOLD"],
        domain_threshold=config["SIGNING_ALERT_DOMAIN_THRESHOLD"],
        public_domains=sorted(petition_queries.public_mail_domains()),
    )


def _load_for_moderation(comment_id):
    comment = db.get_or_404(Comment, comment_id)
    return comment, queries.get_comment_record(comment)


def _render_comment(comment, record, form=None, status=200):
    form = form or DecisionForm(item=record.item.id if record.item else "")
    return render_template(
        "moderation/comment.html",
        comment=comment,
        record=record,
        target=target_of(comment),
        form=form,
        action_form=ActionForm(),
        can_moderate=perms.can_moderate_comment(current_user, comment, record.open_appeal),
        status_labels=COMMENT_STATUS_LABELS,
        word_list_labels=WORD_LIST_LABELS,
        now=utcnow(),
    ), status


@bp.route("/comments/<int:comment_id>")
@policy.requires(perms.can_view_moderation_queue)
def comment(comment_id):
    comment, record = _load_for_moderation(comment_id)
    return _render_comment(comment, record)


@bp.route("/comments/<int:comment_id>/take", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def take(comment_id):
    comment, record = _load_for_moderation(comment_id)
    item = record.item or abort(404)
    if ActionForm().validate_on_submit():
        ok, taken = perform(lambda: services.take_item(current_user, item))
        if ok:
            flash(
                _("You are working on this comment until %(time)s.", time=when(taken.locked_until)),
                "success",
            )
    return _go("moderation.comment", comment_id=comment.id)


@bp.route("/comments/<int:comment_id>/release", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def release(comment_id):
    comment, record = _load_for_moderation(comment_id)
    item = record.item or abort(404)
    if ActionForm().validate_on_submit():
        perform(
            lambda: services.release_item(current_user, item),
            success=_("Other moderators can take this comment again."),
        )
    return _go("moderation.comment", comment_id=comment.id)


@bp.route("/comments/<int:comment_id>/decide", methods=["POST"])
@policy.requires(perms.can_view_moderation_queue)
def decide(comment_id):
    comment, record = _load_for_moderation(comment_id)
    form = DecisionForm()
    if form.validate_on_submit():
        item = db.session.get(ModerationItem, form.item_id()) if form.item_id() else None
        if item is not None and item.comment_id != comment.id:
            abort(400)
        ok, _decision = perform(
            lambda: services.decide_comment(
                current_user,
                comment,
                decision=form.decision.data,
                reason=form.reason.data,
                note=form.note.data,
                item=item,
            ),
            error_field=form.decision,
            success=_("The decision is recorded and the author is informed."),
        )
        if ok:
            return _go("moderation.queue")
        record = queries.get_comment_record(comment)
    return _render_comment(comment, record, form, 400)


# Blocking


@bp.route("/users/<int:user_id>")
@policy.requires(perms.can_view_user_moderation)
def user(user_id):
    return _render_user(db.get_or_404(User, user_id), BlockForm())


def _render_user(user, form, status=200):
    return render_template(
        "moderation/user.html",
        user=user,
        form=form,
        action_form=ActionForm(),
        comments=queries.list_user_comments(user, page=page_number()),
        status_labels=COMMENT_STATUS_LABELS,
        perms_moderation=perms,
        history=[
            e for e in list_audit_entries(target=user) if e.action.startswith("moderation.user_")
        ],
    ), status


@bp.route("/users/<int:user_id>/block", methods=["POST"])
@policy.requires(perms.can_view_user_moderation)
def block(user_id):
    user = db.get_or_404(User, user_id)
    policy.ensure(perms.can_block_user(current_user, user))
    form = BlockForm()
    if form.validate_on_submit():
        ok, _user = perform(
            lambda: services.block_user(current_user, user, reason=form.reason.data),
            error_field=form.reason,
            success=_(
                "The person is blocked: their comments are hidden and they can no longer post."
            ),
        )
        if ok:
            return _go("moderation.user", user_id=user.id)
    return _render_user(user, form, 400)


@bp.route("/users/<int:user_id>/unblock", methods=["POST"])
@policy.requires(perms.can_view_user_moderation)
def unblock(user_id):
    user = db.get_or_404(User, user_id)
    policy.ensure(perms.can_unblock_user(current_user, user))
    if ActionForm().validate_on_submit():
        perform(
            lambda: services.unblock_user(current_user, user), success=_("The block is lifted.")
        )
    return _go("moderation.user", user_id=user.id)


# The public transparency page


@bp.route("/transparency")
@policy.public
def transparency():
    return render_template(
        "moderation/transparency.html",
        months=queries.list_monthly_statistics(),
        decisions=list(MODERATOR_DECISIONS),
        outcome_labels=DECISION_OUTCOME_LABELS,
        reason_labels=DECISION_REASON_LABELS,
        number=format_decimal,
        reasons=list(dict.fromkeys(r for reasons in DECISION_REASONS.values() for r in reasons)),
    )


# Administrators: screening settings


@admin_bp.route("/screening", methods=["GET", "POST"])
@policy.requires(perms.can_manage_screening)
def screening():
    settings = queries.get_screening_settings()
    form = ScreeningForm(obj=settings)
    if request.method == "GET":
        for word_list in WordList:
            form[f"words_{word_list.value}"].data = settings.word_lists.get(word_list.value, "")
    if form.validate_on_submit():
        ok, _settings = perform(
            lambda: services.update_screening_settings(
                current_user,
                check_links=form.check_links.data,
                max_links=form.max_links.data or 0,
                check_repeats=form.check_repeats.data,
                repeat_window_hours=form.repeat_window_hours.data,
                repeat_min_length=form.repeat_min_length.data or 0,
                check_words=form.check_words.data,
                word_lists=form.word_lists(),
            ),
            error_field=form.max_links,
            success=_("The screening settings are saved."),
        )
        if ok:
            return _go("moderation_admin.screening")
    return render_template(
        "moderation/screening.html", form=form, settings=settings, word_list_labels=WORD_LIST_LABELS
    ), 400 if form.errors else 200
