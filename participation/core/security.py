"""Security headers (SPEC §10). No inline script is ever needed: scripts are files under static/."""

from flask import abort

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


HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
_NAMES = frozenset(name.lower() for name in SECURITY_HEADERS) | {HSTS[0].lower()}
_HEADERS = list(SECURITY_HEADERS.items())
_HEADERS_WITH_HSTS = _HEADERS + [HSTS]


class SecurityHeaders:
    """WSGI middleware: every answer of the application gets each security header its view did
    not set, Strict-Transport-Security when the site is served over HTTPS (SESSION_COOKIE_SECURE),
    and `Cache-Control: no-store` when it is a page (text/html) that says nothing of caching.

    Added to the WSGI header list as prepared tuples, after Flask has built it, rather than to
    each response's Headers in an after_request hook: werkzeug checks and copies every header
    it holds, which cost every request about 5 % of a trivial answer's instructions."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, self.secured(headers), exc_info)

        return self.wsgi_app(environ, start)

    def secured(self, headers):
        present, content_type = set(), ""
        for name, value in headers:
            name = name.lower()
            present.add(name)
            if name == "content-type":
                content_type = value
        wanted = _HEADERS_WITH_HSTS if self.config["SESSION_COOKIE_SECURE"] else _HEADERS
        if present.isdisjoint(_NAMES):
            headers = headers + wanted
        else:
            headers = headers + [(n, v) for n, v in wanted if n.lower() not in present]
        if "cache-control" not in present and _mimetype(content_type) == "text/html":
            # Pages can show personal data: never keep them in shared caches.
            headers.append(("Cache-Control", "no-store"))
        return headers


def _mimetype(content_type):
    return content_type.partition(";")[0].strip().lower()


def reject_nul_bytes(request):
    """NUL characters are never legitimate in a form or URL, and PostgreSQL refuses them in text:
    answer 400 before they reach a query (otherwise: a 500). The query string and the form are
    parsed only when the request has them (no Content-Type: werkzeug parses no form either)."""
    if "\x00" in request.path:
        abort(400)
    environ = request.environ
    if environ.get("QUERY_STRING") and _has_nul(request.args):
        abort(400)
    if environ.get("CONTENT_TYPE") and _has_nul(request.form):
        abort(400)


def _has_nul(multidict):
    return any("\x00" in value for values in multidict.listvalues() for value in values)
