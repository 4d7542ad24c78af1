"""/metrics for Prometheus (SPEC §9), and the figures the areas give it at scrape time.

Behind a token rather than on a separate bind. A separate listener would be one per gunicorn
worker (so a port each) or one in gunicorn's master, which loads no application and has no
database session for the scrape-time figures; a second process per node would be one more unit
to run and watch. /metrics is a route of the application instead, on the port the load balancer
already checks: any worker answers for all the node's workers (multiprocess mode, see
participation/core/metrics.py), and the figures below are computed in that request's context.
It answers only `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time; without the
token, with a wrong one, or when METRICS_TOKEN is unset, it is the ordinary 404 page, so the route
is not even seen to exist. Prometheus scrapes each node's gunicorn address directly; nginx need
not (and should not) pass /metrics from the Internet.

The figures from the database are computed in participation/public/monitoring.py.
"""

import hmac

from flask import Blueprint, abort, current_app, make_response, request

from participation.core import policy
from participation.core.metrics import exposition, register_scrape_collector
from participation.public import monitoring

bp = Blueprint("metrics", __name__)


def token_accepted(expected, authorization):
    """Whether the Authorization header is `Bearer <expected>` (constant time; no token, no)."""
    if not expected:
        return False
    given = (authorization or "").encode("utf-8")
    return hmac.compare_digest(given, f"Bearer {expected}".encode("utf-8"))


@bp.route("/metrics")
@policy.public  # the bearer token is checked by the view; everyone else gets the 404 page
def metrics():
    if not token_accepted(
        current_app.config["METRICS_TOKEN"], request.headers.get("Authorization")
    ):
        abort(404)
    body, content_type = exposition()
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store"  # never kept by a proxy
    return response


def register_metrics(app):
    """Called by the app factory: the route and the areas' scrape-time figures."""
    app.register_blueprint(bp)
    register_scrape_collector("signatures", monitoring.signature_families)
    register_scrape_collector("outbox", monitoring.outbox_families)
    register_scrape_collector("moderation", monitoring.moderation_families)
