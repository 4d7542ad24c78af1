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
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return redirect(target)
    return redirect(url_for(default_endpoint, lang_code=current_language(), **values))


def page_number():
    return query_page()


def perform(
    action, *, error_field=None, success=None, keep=None, refusal=DomainError, on_refusal=None
):
    """Run a view's one service call and end the request's transaction: views commit and roll back
    only through here (tests/core/test_structure.py).

    On success: commit, flash `success`, return (True, result). When `keep(result)` is false the
    view abandons the step (a sign-in waiting for its second factor): roll back, return (False,
    result). On a `refusal` (a DomainError unless narrowed, e.g. to a subclass that carries one
    problem per field): roll back, then `on_refusal(error)` when given, its answer returned as
    (False, answer) (a page to show instead of the form, say); else show the translated message on
    `error_field` (or as a flash message) and return (False, None). Other errors propagate.
    """
    try:
        result = action()
    except refusal as error:
        db.session.rollback()
        if on_refusal is not None:
            return False, on_refusal(error)
        if error_field is not None:
            error_field.errors.append(str(error.message))
        else:
            flash(str(error.message), "error")
        return False, None
    if keep is not None and not keep(result):
        db.session.rollback()
        return False, result
    if db.session().in_transaction():  # else nothing was read or written through the session
        db.session.commit()
    if success:
        flash(success, "success")
    return True, result


def committed_when_done(chunks):
    """A streamed body whose writes are committed when the stream ends, finished or abandoned by
    the client (an export's audit entry, recorded once the last row is sent or the client left)."""
    try:
        yield from chunks
    finally:
        db.session.commit()
