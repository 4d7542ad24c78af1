"""Posting, replying, editing, deleting and "useful" votes. Threads are shown by the pages of the
areas that own the targets (templates/comments/_thread.html); every action here sends the reader
back there, to the comment it touched."""

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from participation.auth.forms import ConfirmForm
from participation.comments import permissions as perms
from participation.comments import services
from participation.comments.forms import (
    CommentForm,
    EditForm,
    ReplyForm,
    reply_form_for,
    thread_comment_form,
)
from participation.comments.models import Comment, CommentStatus
from participation.comments.queries import get_thread, page_of
from participation.comments.targets import resolve_target
from participation.core import policy
from participation.core.limits import limited, remote_address
from participation.core.views import page_number, perform
from participation.extensions import db

bp = Blueprint("comments", __name__, url_prefix="/<lang:lang_code>/comments")


@bp.app_context_processor
def _thread_forms():
    """Forms for templates/comments/_thread.html, which other areas' pages include."""
    return {"new_comment_form": thread_comment_form, "comment_reply_form": reply_form_for}


def thread_for_request(target):
    """The thread for the page being shown: its reader, ?page= and ?order= (the sort form)."""
    return get_thread(
        target, current_user, page=page_number(), order=request.args.get("order", "oldest")
    )


def _per_user():
    if current_user.is_authenticated:
        return f"comments-user:{current_user.id}"
    return remote_address()


# Comments and replies share one budget per signed-in person.
posting_limit = limited("RATELIMIT_COMMENT", scope="comments-posting", key=_per_user)


def _load_target(target_type, target_id):
    """The target, or 404 when it does not exist or the reader may not see it (drafts)."""
    target = resolve_target(target_type, target_id)
    if target is None or not target.is_visible_to(current_user):
        abort(404)
    return target


def load_comment(comment_id):
    comment = db.session.get(Comment, comment_id) or abort(404)
    target = _load_target(comment.target_type, comment.target_id)
    if not perms.can_see_comment(current_user, comment, target):
        abort(404)
    return comment, target


def back_to_thread(target, comment):
    return redirect(target.link(comment_id=comment.id, page=page_of(comment, current_user)))


def _published(comment):
    if comment.status == CommentStatus.PENDING:
        flash(
            _("Your comment is saved. It will be published when a moderator approves it."),
            "success",
        )
    else:
        flash(_("Your comment is published."), "success")


def _form_again(form, target, *, parent=None):
    """The form with what the person wrote and why it was refused: nothing typed is lost."""
    return render_template("comments/form_error.html", form=form, target=target, parent=parent), 400


@bp.route("/<target_type>/<int:target_id>", methods=["POST"])
@posting_limit
@policy.authenticated
def post_comment(target_type, target_id):
    target = _load_target(target_type, target_id)
    policy.ensure(perms.can_comment(current_user, target))
    form = CommentForm()
    if form.validate_on_submit():
        ok, comment = perform(
            lambda: services.post_comment(
                current_user, target, body=form.body.data, stance=form.stance.data or None
            )
        )
        if ok:
            _published(comment)
            return back_to_thread(target, comment)
    return _form_again(form, target)


@bp.route("/<int:comment_id>/reply", methods=["POST"])
@posting_limit
@policy.authenticated
def reply(comment_id):
    parent, target = load_comment(comment_id)
    policy.ensure(perms.can_reply(current_user, parent, target))
    form = ReplyForm()
    if form.validate_on_submit():
        ok, comment = perform(
            lambda: services.post_comment(current_user, target, body=form.body.data, parent=parent)
        )
        if ok:
            _published(comment)
            return back_to_thread(target, comment)
    return _form_again(form, target, parent=parent)


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@policy.authenticated
def edit_comment(comment_id):
    comment, target = load_comment(comment_id)
    policy.ensure(perms.is_comment_author(current_user, comment) and not comment.is_deleted)
    form = EditForm(data={"body": comment.body_source})
    if form.validate_on_submit():
        ok, _result = perform(
            lambda: services.edit_comment(current_user, comment, body=form.body.data),
            error_field=form.body,
            success=_("Your comment is changed."),
        )
        if ok:
            return back_to_thread(target, comment)
    elif not form.errors and not perms.can_edit_comment(current_user, comment):
        flash(
            _(
                "This comment can no longer be changed: the time for changes is over, or a moderator approved it as it is. You can still delete it."
            ),
            "warning",
        )
        return back_to_thread(target, comment)
    status = 400 if form.errors else 200
    return render_template("comments/edit.html", form=form, comment=comment, target=target), status


@bp.route("/<int:comment_id>/delete", methods=["POST"])
@policy.authenticated
def delete_comment(comment_id):
    comment, target = load_comment(comment_id)
    policy.ensure(perms.can_delete_comment(current_user, comment))
    if ConfirmForm().validate_on_submit():
        perform(
            lambda: services.delete_comment(current_user, comment),
            success=_("Your comment is deleted."),
        )
    return back_to_thread(target, comment)


@bp.route("/<int:comment_id>/useful", methods=["POST"])
@policy.authenticated
def toggle_useful(comment_id):
    comment, target = load_comment(comment_id)
    policy.ensure(perms.can_vote_useful(current_user, comment, target))
    if ConfirmForm().validate_on_submit():
        ok, marked = perform(lambda: services.toggle_useful_vote(current_user, comment))
        if ok:
            flash(
                _("You marked this comment as useful.")
                if marked
                else _("You took back your “useful” mark."),
                "success",
            )
    return back_to_thread(target, comment)
