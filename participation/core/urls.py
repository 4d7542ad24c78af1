"""Absolute links for e-mails, which may be rendered outside a request (CLI, workers)."""
from flask import current_app, url_for


def external_url(endpoint, **values):
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, _external=False, **values)
    return url_for(endpoint, _external=True, **values)
