"""Access policies for routes.

Every view function carries exactly one policy decorator from this module; a structural test walks
the URL map and fails on any route without one. Object-level checks (is this officer allowed to
touch *this* institution?) happen in the view after loading the object, with the same predicate the
service re-checks, using `ensure()`.

Staff two-factor authentication is not a policy among others: with REQUIRE_STAFF_2FA, one gate
(`second_factor_gate`, run before every request) stops any request by a staff account without it,
whatever the route's policy, so that no route can forget it (tests/core/test_second_factor_gate.py
walks the URL map).
"""

from functools import wraps

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.core.i18n import current_language
from participation.core.visitors import visitor_is_signed_in


def _mark(view, policy):
    view.access_policy = policy
    return view


def public(view):
    """Anyone, including anonymous visitors, may call this route."""
    return _mark(view, "public")


def anonymous_only(view):
    """Pages for signing in or up: a signed-in user is sent to their profile."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            return redirect(url_for("auth.profile", lang_code=current_language()))
        return view(*args, **kwargs)

    return _mark(wrapper, "anonymous_only")


def login_redirect():
    return redirect(url_for("auth.login", lang_code=current_language(), next=request.full_path))


def authenticated(view):
    """Any signed-in user; object-level checks, if any, are done in the view with ensure()."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        return view(*args, **kwargs)

    return _mark(wrapper, "authenticated")


def signed_in_session(view):
    """Like `authenticated`, for the busiest POST (signing) only: it asks whether the session names
    a user without loading that user through Flask-Login (an ORM object per request). The view must
    check the session id itself, as the user loader does (see petitions/signers.py), and treat a
    session it does not accept like an anonymous one, with `login_redirect()`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not session.get("_user_id"):
            return login_redirect()
        return view(*args, **kwargs)

    return _mark(wrapper, "signed_in_session")


def requires(predicate):
    """A signed-in user for whom predicate(user) holds; others get 403 (anonymous: the login page)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_redirect()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access_predicate = predicate
        return _mark(wrapper, f"requires:{predicate.__name__}")

    return decorator


# What a staff account without two-factor authentication may still reach: signing in, setting
# the second factor up, signing out, and the static files those pages need.
SECOND_FACTOR_EXEMPT = frozenset(
    {"static", "auth.login", "auth.login_code", "auth.two_factor", "auth.logout"}
)


def second_factor_missing(user):
    """With REQUIRE_STAFF_2FA, an account holding any staff role must have two-factor
    authentication turned on. `user` is Flask-Login's user or the signing path's signer record."""
    return bool(
        current_app.config["REQUIRE_STAFF_2FA"]
        and getattr(user, "is_authenticated", False)
        and user.roles
        and not user.totp_enabled
    )


def second_factor_required():
    """The answer to a request the gate stops: the two-factor set-up page (a JSON 403 on the API)."""
    if request.blueprint == "api":
        abort(403)
    flash(
        _("Staff accounts must turn on two-factor authentication before using these pages."),
        "warning",
    )
    return redirect(url_for("auth.two_factor", lang_code=current_language()), code=303)


def second_factor_gate(app, request):
    """Before every request (`app` and `request` the objects, not Flask's proxies): every request
    by a staff account without two-factor authentication, to any route but SECOND_FACTOR_EXEMPT,
    goes to the set-up page instead. The signing route (`signed_in_session`) does not load the
    user through Flask-Login: its view applies `second_factor_missing` to the signer record it
    reads anyway (petitions/signers.py)."""
    if not app.config["REQUIRE_STAFF_2FA"] or request.endpoint in SECOND_FACTOR_EXEMPT:
        return None
    view = app.view_functions.get(request.endpoint)
    if view is not None and getattr(view, "access_policy", None) == "signed_in_session":
        return None
    if visitor_is_signed_in() and second_factor_missing(current_user):
        return second_factor_required()
    return None


def ensure(allowed):
    """Abort with 403 unless an object-level predicate allowed the action."""
    if not allowed:
        abort(403)
