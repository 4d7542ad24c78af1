"""What caches may keep: the one rule (SPEC §10).

An answer behind access control, or meant for one person, must never be stored by a shared cache
(a proxy or CDN would hand a draft's PDF or a signed-in page to the next visitor) nor kept on the
person's disk. It is `private, no-store` whatever its view chose when

- the route's access policy (core/policy.py) is anything but "public",
- the visitor is signed in, or
- the answer sets a cookie (checked when the session is saved, after every other hook).

Anonymous answers of public routes keep what their view chose (the API's `public, max-age`, public
PDFs); those of the shared pages (core/page_cache.py: the home page, the listings, a petition, a
consultation) are made `public, max-age=0, s-maxage=...` with an ETag and kept for the next
anonymous visitor, unless making them touched the session. Static files are the same for everyone
and keep their caching."""

from participation.core.visitors import visitor_is_signed_in

from participation.core.page_cache import share_anonymous_page

PRIVATE = "private, no-store"
SHARED_ASSET_ENDPOINTS = {"static"}


def keep_private(response):
    response.headers["Cache-Control"] = PRIVATE
    response.headers.pop("Expires", None)


def apply_cache_rule(app, request, response):
    """The after-request half of the rule: access policy and signed-in visitor (`app` and
    `request` the objects, not Flask's proxies: the hook takes them once)."""
    endpoint = request.endpoint
    if endpoint in SHARED_ASSET_ENDPOINTS:
        return response
    if response.status_code >= 500:
        # A failure is never kept (a cache would serve it after the recovery), and deciding so
        # needs no account: a 503 is answered while the database, which holds them, is away.
        keep_private(response)
        return response
    view = app.view_functions.get(endpoint)
    policy = getattr(view, "access_policy", None)  # None: no route matched (an error page)
    if policy not in (None, "public") or visitor_is_signed_in():
        keep_private(response)
    elif hasattr(view, "shared_page_generations"):
        share_anonymous_page(response)
    return response


def keep_cookie_setting_answers_private(response):
    """The session-saving half: an answer that sets a cookie belongs to one browser."""
    if "Set-Cookie" in response.headers:
        keep_private(response)
