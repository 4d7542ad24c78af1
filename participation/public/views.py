from datetime import datetime, timezone

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from participation.consultations.queries import ListingFilters, list_public_consultations
from participation.core import policy
from participation.core.page_cache import LISTINGS, shared_page
from participation.core.models import utcnow
from participation.core.i18n import preferred_language
from participation.core.limits import limited
from participation.institutions.queries import list_institutions, list_regions
from participation.ogp.plan import theme_name
from participation.public.health import ProbesAnswerAnyHost, alive, readiness
from participation.public.search import read_query, search_everywhere

bp = Blueprint("public", __name__)


@bp.record_once
def _answer_probes_on_any_host(state):
    state.app.wsgi_app = ProbesAnswerAnyHost(state.app, state.app.wsgi_app)


@bp.route("/")
@policy.public
def root():
    """Send visitors to their language: saved preference, then the browser's, then Arabic."""
    response = redirect(url_for("public.home", lang_code=preferred_language(current_user)))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.route("/<lang:lang_code>/")
@policy.public
@shared_page(LISTINGS)
def home():
    open_now = list_public_consultations(ListingFilters(state="open", sort="closing"), per_page=3)
    return render_template(
        "public/home.html",
        open_consultations=open_now.items,
        now=utcnow(),
        institutions=list_institutions(),
        regions=list_regions(),
        today=datetime.now(timezone.utc),
    )


@bp.route("/<lang:lang_code>/about/fonts")
@policy.public
def fonts():
    return render_template("public/fonts.html")


@bp.route("/<lang:lang_code>/search")
@policy.public
@limited("RATELIMIT_API", methods=("GET",))
def search():
    """One search box for the public consultations, petitions and commitments (not in the shared
    page cache: each query is its own page)."""
    query = read_query(request.args.get("q"))
    return render_template(
        "public/search.html",
        query=query,
        groups=search_everywhere(query.text) if query.searchable else None,
        now=utcnow(),
        theme_name=theme_name,
    )


@bp.route("/healthz")
@policy.public
def health():
    """The process answers; no database (see public/health.py)."""
    return _uncached(alive())


@bp.route("/readyz")
@policy.public
def ready():
    """The node can serve: database, Redis if configured, schema at the migrations' head."""
    ready, checks = readiness()
    return _uncached(jsonify(status="ready" if ready else "not ready", checks=checks)), (
        200 if ready else 503
    )


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response
