"""The citizen-participation platform: application factory."""

import logging
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ROOT, load_config
from participation.core import database, i18n, page_cache, policy
from participation.core.caching import apply_cache_rule
from participation.core.errors import register_error_handlers
from participation.core.logs import (
    configure_logging,
    finish_request,
    forget_request,
    install_personal_data_filter,
    start_request,
)
from participation.core.mail import deliver_just_queued
from participation.core.metrics import observe_request
from participation.core.routing import DatabaseIdConverter
from participation.core.sessions import SessionInterface
from participation.core.security import SecurityHeaders, reject_nul_bytes
from participation.extensions import babel, csrf, db, login_manager, migrate, rate_limits

log = logging.getLogger(__name__)


def create_app(config=None):
    install_personal_data_filter()
    config = config if config is not None else load_config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=config.INSTANCE_PATH,
    )
    app.config.from_object(config)
    Path(app.instance_path).mkdir(
        parents=True, exist_ok=True
    )  # the SQLite file and .eml mail live here
    app.config["CONFIG_NAME"] = config.ENV_NAME
    configure_logging(app)
    page_cache.init_app(app)  # the shared pages' store, served by the middleware below
    # Stored shared pages are answered before Flask's request context (core/page_cache.py),
    # inside the security headers, which every answer gets.
    app.wsgi_app = SecurityHeaders(page_cache.SharedPages(app, app.wsgi_app), app.config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        # The client's address and scheme as the proxies saw them; the Host header is kept as sent
        # (nginx passes the client's) and checked against TRUSTED_HOSTS.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.url_map.converters["lang"] = i18n.LanguageConverter
    app.url_map.converters["int"] = DatabaseIdConverter
    app.session_interface = SessionInterface()
    app.url_map.strict_slashes = False

    _init_extensions(app)
    _register_blueprints(app)
    _register_language_handling(app)
    _register_request_hooks(app)  # first: the request id and timer; its after hook runs last
    register_error_handlers(app)
    _register_template_helpers(app)

    from participation.cli import register_cli

    register_cli(app)
    from participation.scheduler import install_in_process_jobs

    install_in_process_jobs(app)  # the embedded set-up's periodic jobs (SPEC §9)
    return app


def _init_extensions(app):
    import participation.models  # noqa: F401  (complete metadata before anything touches the db)
    import participation.personal_data  # noqa: F401  (every area's part of "download my data")

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"],
        default_timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    csrf.init_app(app)
    rate_limits.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    from participation.auth.loader import load_user

    login_manager.user_loader(load_user)


def _register_blueprints(app):
    from participation.admin.views import bp as admin_bp
    from participation.api.views import bp as api_bp
    from participation.auth.views import bp as auth_bp
    from participation.moderation.views import admin_bp as moderation_admin_bp
    from participation.moderation.views import bp as moderation_bp
    from participation.moderation.oversight import register_comment_overseer
    from participation.notifications.views import bp as notifications_bp
    from participation.comments.views import bp as comments_bp
    from participation.consultations.comment_targets import register_comment_targets
    from participation.consultations.views import bp as consultations_bp
    from participation.consultations.officer_views import bp as officer_bp
    from participation.institutions.views import bp as places_bp
    from participation.opendata.views import bp as opendata_bp
    from participation.petitions.comment_targets import register_petition_comment_target
    from participation.petitions.count_views import bp as petition_counts_bp
    from participation.petitions.officer_views import bp as petition_officer_bp
    from participation.petitions.views import bp as petitions_bp
    from participation.public.cached_pages import register_cached_pages
    from participation.public.metrics import register_metrics
    from participation.public.views import bp as public_bp
    from participation.ogp.views import bp as ogp_bp
    from participation.stats.views import bp as stats_bp
    from participation.translation_review.views import bp as translation_review_bp
    import participation.api.commitments  # noqa: F401  (adds its routes to the API blueprint)

    for blueprint in (
        public_bp,
        auth_bp,
        notifications_bp,
        admin_bp,
        api_bp,
        consultations_bp,
        officer_bp,
        comments_bp,
        moderation_bp,
        moderation_admin_bp,
        petitions_bp,
        petition_officer_bp,
        petition_counts_bp,
        ogp_bp,
        stats_bp,
        translation_review_bp,
        places_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(opendata_bp)
    register_comment_targets()
    register_petition_comment_target()
    register_comment_overseer()
    register_metrics(app)
    register_cached_pages()
    csrf.exempt(api_bp)  # read-only JSON API, no cookies-based state changes


def _register_language_handling(app):
    """The language part of the URL: taken out of the view's arguments by the request hook
    (`_before`), put back by url_for for every endpoint that expects it (a page builds dozens of
    URLs: g is read once per URL, and which endpoints expect a language is remembered)."""
    expecting = {}

    @app.url_defaults
    def _add_language(endpoint, values):
        if "lang_code" in values:
            return
        lang_code = getattr(g._get_current_object(), "lang_code", None)
        if not lang_code:
            return
        expects = expecting.get(endpoint)
        if expects is None:
            expects = expecting[endpoint] = app.url_map.is_endpoint_expecting(endpoint, "lang_code")
        if expects:
            values["lang_code"] = lang_code


def _register_request_hooks(app):
    """The platform's own work on every request, in one hook of each kind, in this order: what
    each step needs from the ones before it. Every hook Flask runs costs each request a dispatch,
    and every access through the `request` and `g` proxies about ten times a plain attribute's,
    so each hook takes the objects once (docs/benchmarks.md, fourth session)."""
    with app.app_context():
        write_intent = database.declares_write_intent(db.engine)  # SQLite only
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below instead, for unsafe methods only

    @app.before_request
    def _before():
        req, state = request._get_current_object(), g._get_current_object()
        start_request(req, state)  # first: the request id exists for every later step
        if req.view_args and "lang_code" in req.view_args:
            state.lang_code = req.view_args.pop("lang_code")  # see _register_language_handling
        if write_intent:
            database.declare_write_intent(req.method, state)
        config = app.config
        if config["WTF_CSRF_ENABLED"] and req.method in config["WTF_CSRF_METHODS"]:
            csrf.protect(apply_exemptions=True)
        reject_nul_bytes(req)
        return policy.second_factor_gate(app, req)

    @app.after_request
    def _after(response):
        req, state = request._get_current_object(), g._get_current_object()
        apply_cache_rule(app, req, response)
        try:
            deliver_just_queued()
        except Exception:  # delivery is retried by `flask outbox send`; never fail the page
            log.exception("inline mail delivery failed")
            db.session.rollback()
        observe_request(req, response, getattr(state, "request_started", None))
        finish_request(req, state, response)  # last: the answer is final
        return response

    @app.teardown_request
    def _teardown(_error):
        state = g._get_current_object()
        if write_intent:
            database.reset_write_intent(state)
        forget_request(state)


def _register_template_helpers(app):
    from flask_babel import get_locale

    from participation.core.filters import register_filters
    from participation.core.templating import template_globals
    from participation.core.urls import external_url
    from participation.core import svgmap

    app.context_processor(template_globals)
    # The roles' predicates for every template (`perms.is_moderator(current_user)`): registered
    # here, not in the kernel's template_globals, because the kernel imports no area.
    from participation.auth import permissions as role_predicates

    app.jinja_env.globals["perms"] = role_predicates
    register_filters(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["external_url"] = external_url
    # Global, not in template_globals: the statistics' blocks are macros imported without context.
    app.jinja_env.globals["region_tiles"] = svgmap.region_tiles
    app.jinja_env.globals["region_tiles_of"] = svgmap.region_tiles_of
