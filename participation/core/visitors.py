"""Whether the visitor is signed in, asked on every request (the cache rule, the staff
two-factor gate), mostly by anonymous visitors who carry no cookie at all."""

from flask import request, session
from flask_login import current_user


def visitor_is_signed_in():
    """current_user.is_authenticated, without loading the user when Flask-Login's answer is
    known: an empty session (no `_user_id`, and nothing for its session protection to check or
    mark) and no cookie at all (so no remember cookie) give the anonymous user. The session is
    read either way, so the answer varies on the Cookie header as before (Vary: Cookie).
    Otherwise, or when a view already loaded the user, current_user answers."""
    visit = session._get_current_object()
    if visit.get("_user_id") is None and not visit and not request.cookies:
        return False
    return current_user.is_authenticated
