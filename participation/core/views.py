"""Small helpers shared by the views of every area."""
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for

from participation.core.i18n import current_language


def safe_next(default_endpoint, **values):
    """Redirect to ?next= when it is a path on this site, else to the default page."""
    target = request.args.get("next") or request.form.get("next")
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return redirect(target)
    return redirect(url_for(default_endpoint, lang_code=current_language(), **values))


def rate_limit(setting):
    """A limit string read from configuration when the request comes, not at import time."""
    return lambda: current_app.config[setting]


def page_number():
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1
