"""Links: absolute ones for e-mails (which may be rendered outside a request), readable slugs."""

import re

from flask import current_app, url_for


def external_url(endpoint, **values):
    """An absolute link on the platform's public address (PUBLIC_BASE_URL), for e-mails and share
    buttons. Never built from the request: its Host header is the client's to choose, and a reset
    link pointing at another host would hand the token to that host."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        endpoint, _external=False, **values
    )


def slugify(text, max_length=60, default="consultation"):
    """A readable URL part in any script: 'Projet de loi n° 12' -> 'projet-de-loi-n-12'."""
    slug = re.sub(r"[^\w]+", "-", (text or "").lower()).strip("-_")
    return slug[:max_length].strip("-") or default
