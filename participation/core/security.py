"""Security headers (SPEC §10). No inline script is ever needed: scripts are files under static/."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Pages can show personal data: never keep them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def add_hsts(response):
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def reject_nul_bytes(request):
    """NUL characters are never legitimate in a form or URL, and PostgreSQL refuses them in text:
    answer 400 before they reach a query (otherwise: a 500)."""
    from flask import abort

    if "\x00" in request.path:
        abort(400)
    for multidict in (request.args, request.form):
        for values in multidict.listvalues():
            if any("\x00" in value for value in values):
                abort(400)
