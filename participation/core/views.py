"""Small helpers shared by the views of every area."""
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for

from participation.core.errors import DomainError
from participation.core.i18n import current_language
from participation.core.routing import query_page
from participation.extensions import db


def safe_next(default_endpoint, target=None, **values):
    """Redirect to `target` or ?next= when it is a path on this site, else to the default page."""
    target = target or request.args.get("next") or request.form.get("next")
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return redirect(target)
    return redirect(url_for(default_endpoint, lang_code=current_language(), **values))


def page_number():
    return query_page()


def perform(action, *, error_field=None, success=None):
    """Run a view's one service call and end the request's transaction.

    On success: commit, flash `success`, return (True, result). On a DomainError: roll back,
    show its translated message on `error_field` (or as a flash message), return (False, None).
    """
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        if error_field is not None:
            error_field.errors.append(str(error.message))
        else:
            flash(str(error.message), "error")
        return False, None
    if db.session().in_transaction():  # else nothing was read or written through the session
        db.session.commit()
    if success:
        flash(success, "success")
    return True, result
