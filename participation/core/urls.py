"""Links: absolute ones for e-mails (which may be rendered outside a request), readable slugs."""
import re

from flask import current_app, url_for


def external_url(endpoint, **values):
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, _external=False, **values)
    return url_for(endpoint, _external=True, **values)


def slugify(text, max_length=60, default="consultation"):
    """A readable URL part in any script: 'Projet de loi n° 12' -> 'projet-de-loi-n-12'."""
    slug = re.sub(r"[^\w]+", "-", (text or "").lower()).strip("-_")
    return slug[:max_length].strip("-") or default
