"""Configuration classes, chosen by the PARTICIPATION_CONFIG environment variable.

Everything that differs between machines comes from environment variables, read when the
application is created (never at import time), so one code base serves the embedded SQLite
set-up and production on PostgreSQL.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import argon2

ROOT = Path(__file__).resolve().parent


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name, default):
    return int(_env(name, default))


def _env_bool(name, default):
    return str(_env(name, default)).lower() in {"1", "true", "yes", "on"}


def _env_list(name):
    value = _env(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def _host_of(url):
    """The host name of an absolute http(s) URL, or None when it is not one."""
    parsed = urlsplit(url or "")
    return parsed.hostname if parsed.scheme in {"http", "https"} and parsed.hostname else None


def _trusted_hosts(public_base_url, *extra):
    """TRUSTED_HOSTS as configured, or else the public address's host (plus `extra`)."""
    return _env_list("TRUSTED_HOSTS") or [
        host for host in (_host_of(public_base_url), *extra) if host
    ]


class Config:
    ENV_NAME = "base"

    def __init__(self):
        instance = Path(_env("INSTANCE_PATH", ROOT / "instance"))
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _env("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = _normalise_database_url(
            _env("DATABASE_URL", f"sqlite:///{instance / 'participation.db'}")
        )
        # Statement parameters (names, addresses, encrypted CINs) are left out of SQLAlchemy's errors.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
        self.SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
        self.REDIS_URL = _env("REDIS_URL")
        # In-process counters without limits' expiry thread (participation/core/limit_storage.py).
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "sweeping-memory://"
        # Sign-in (participation/auth/throttle.py): per account and address; per address over all
        # accounts; failed passwords per account from every address before the backoff.
        self.RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute;50 per hour")
        self.RATELIMIT_LOGIN_ADDRESS = _env("RATELIMIT_LOGIN_ADDRESS", "30 per minute;300 per hour")
        self.RATELIMIT_LOGIN_ACCOUNT = _env("RATELIMIT_LOGIN_ACCOUNT", "20 per hour;100 per day")
        self.TRUSTED_DEVICE_DAYS = _env_int("TRUSTED_DEVICE_DAYS", 180)
        # Password hashing (argon2id): the library's recommended costs (RFC 9106's low-memory profile).
        self.ARGON2_TIME_COST = _env_int(
            "ARGON2_TIME_COST", argon2.profiles.RFC_9106_LOW_MEMORY.time_cost
        )
        self.ARGON2_MEMORY_COST = _env_int(
            "ARGON2_MEMORY_COST", argon2.profiles.RFC_9106_LOW_MEMORY.memory_cost
        )  # KiB
        self.ARGON2_PARALLELISM = _env_int(
            "ARGON2_PARALLELISM", argon2.profiles.RFC_9106_LOW_MEMORY.parallelism
        )
        self.RATELIMIT_REGISTER = _env("RATELIMIT_REGISTER", "5 per minute;30 per hour")
        self.RATELIMIT_PASSWORD_RESET = _env("RATELIMIT_PASSWORD_RESET", "5 per minute;20 per hour")
        self.RATELIMIT_VERIFY = _env("RATELIMIT_VERIFY", "10 per minute")
        self.RATELIMIT_RECEIPT_LOOKUP = _env(
            "RATELIMIT_RECEIPT_LOOKUP", "10 per minute;100 per day"
        )
        self.RATELIMIT_TWO_FACTOR = _env("RATELIMIT_TWO_FACTOR", "5 per minute;30 per hour")
        # Identity form submissions, per address and per account: each one can say whether a CIN is taken.
        self.RATELIMIT_IDENTITY = _env("RATELIMIT_IDENTITY", "5 per minute;30 per day")
        self.RATELIMIT_API = _env(
            "RATELIMIT_API", "120 per minute;3000 per hour"
        )  # per client, whole /api/v1
        # Signing over these limits is not refused: the signature is held as suspect for review.
        self.SIGNING_LIMIT_PER_ACCOUNT = _env(
            "SIGNING_LIMIT_PER_ACCOUNT", "20 per hour;100 per day"
        )
        self.SIGNING_LIMIT_PER_IP = _env("SIGNING_LIMIT_PER_IP", "60 per hour;500 per day")
        self.SIGNATURE_COUNTER_SHARDS = _env_int("SIGNATURE_COUNTER_SHARDS", 16)
        # Site switches (pause signing, banner) are read from the database at most this often per
        # process; 0 reads them on every use.
        self.SWITCH_CACHE_SECONDS = _env_int("SWITCH_CACHE_SECONDS", 2)
        # Shared page cache (participation/core/page_cache.py, docs/caching.md): anonymous answers
        # of the home page, the listings, petitions and consultations are kept PAGE_CACHE_SECONDS
        # in the application (0: not at all) and PAGE_CACHE_SHARED_SECONDS by nginx (s-maxage);
        # together at most 5 s, the freshness of a signature count. Redis (PAGE_CACHE_URL, by
        # default REDIS_URL) shares them between workers and nodes; without it each worker keeps
        # at most PAGE_CACHE_MAX_ENTRIES in its memory.
        self.PAGE_CACHE_SECONDS = _env_int("PAGE_CACHE_SECONDS", 2)
        self.PAGE_CACHE_SHARED_SECONDS = _env_int("PAGE_CACHE_SHARED_SECONDS", 2)
        self.PAGE_CACHE_URL = _env("PAGE_CACHE_URL", self.REDIS_URL)
        self.PAGE_CACHE_MAX_ENTRIES = _env_int("PAGE_CACHE_MAX_ENTRIES", 256)
        self.RATELIMIT_SIGN = _env(
            "RATELIMIT_SIGN", "30 per minute"
        )  # abuse of the endpoint itself: 429
        # A deadline clock shows "due soon" when fewer days than this are left.
        self.DEADLINE_DUE_SOON_DAYS = _env_int("DEADLINE_DUE_SOON_DAYS", 5)
        # Signatories' personal data (names, CIN, address) is anonymised this many days after the
        # petition ends (expired, withdrawn, declared inadmissible or answered); counts stay.
        self.SIGNATORY_RETENTION_DAYS = _env_int("SIGNATORY_RETENTION_DAYS", 365)
        # The tick appends a petition's count log entry at most this often (docs/verifiable-counts.md).
        self.COUNT_LOG_INTERVAL_HOURS = _env_int("COUNT_LOG_INTERVAL_HOURS", 24)
        self.SIGNER_NOTIFICATION_BATCH = _env_int("SIGNER_NOTIFICATION_BATCH", 500)
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
        self.MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 1024 * 1024)
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "https")
        # Every link in an e-mail starts with this address, never with the request's Host header
        # (which a client chooses); production refuses to start without it.
        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
        # Host names requests may be addressed to (comma-separated; a leading dot admits
        # subdomains); others get a 400. Unset: the public address's host (see _trusted_hosts).
        self.TRUSTED_HOSTS = _trusted_hosts(self.PUBLIC_BASE_URL)
        # Reverse proxies in front of the application (nginx: 1). Their X-Forwarded-For and
        # X-Forwarded-Proto are believed for that many hops, so per-address limits, signing holds
        # and network alerts see the client, not the proxy; 0 (direct exposure) believes none.
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        self.BABEL_DEFAULT_LOCALE = "ar"
        self.BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
        # Identity data (SPEC §2): the CIN is kept as a keyed hash and encrypted at rest.
        self.CIN_HASH_KEY = _env("CIN_HASH_KEY")
        self.CIN_ENCRYPTION_KEYS = _env(
            "CIN_ENCRYPTION_KEYS"
        )  # comma-separated Fernet keys, newest first
        self.CIN_PATTERN = _env("CIN_PATTERN", r"^[A-Z]{1,2}[0-9]{1,8}$")
        self.IDENTITY_VERIFIER = _env(
            "IDENTITY_VERIFIER", "participation.auth.identity:DeclarativeVerifier"
        )
        self.MINIMUM_AGE = _env_int("MINIMUM_AGE", 18)
        self.EMAIL_TOKEN_HOURS = _env_int("EMAIL_TOKEN_HOURS", 48)
        self.RESET_TOKEN_MINUTES = _env_int("RESET_TOKEN_MINUTES", 60)
        self.PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
        # Staff accounts can always use two-factor authentication; with this setting they must.
        self.REQUIRE_STAFF_2FA = _env_bool("REQUIRE_STAFF_2FA", False)
        self.TOTP_ISSUER = _env("TOTP_ISSUER", "Participation.ma")
        self.TWO_FACTOR_LOGIN_MINUTES = _env_int("TWO_FACTOR_LOGIN_MINUTES", 5)
        self.TWO_FACTOR_CODE_ATTEMPTS = _env_int(
            "TWO_FACTOR_CODE_ATTEMPTS", 5
        )  # per pending sign-in
        # Consultation attachments: PDF only, checked by content, stored outside static/.
        self.ATTACHMENT_DIR = _env("ATTACHMENT_DIR", str(instance / "attachments"))
        self.ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
        self.ATTACHMENT_MAX_COUNT = _env_int("ATTACHMENT_MAX_COUNT", 10)
        # Comments (SPEC §5): body length counted on what the author typed, edit window, posting limit.
        self.COMMENT_MAX_LENGTH = _env_int("COMMENT_MAX_LENGTH", 2000)
        self.COMMENT_EDIT_WINDOW_MINUTES = _env_int("COMMENT_EDIT_WINDOW_MINUTES", 15)
        self.RATELIMIT_COMMENT = _env("RATELIMIT_COMMENT", "10 per minute;200 per day")
        # Moderation (SPEC §5): reports that hide a comment pending review, appeals, queue locks,
        # the age at which a waiting item is overdue and the backlog that shows a notice.
        self.MODERATION_REPORT_THRESHOLD = _env_int("MODERATION_REPORT_THRESHOLD", 3)
        self.MODERATION_APPEAL_WINDOW_DAYS = _env_int("MODERATION_APPEAL_WINDOW_DAYS", 14)
        self.MODERATION_LOCK_MINUTES = _env_int("MODERATION_LOCK_MINUTES", 15)
        self.MODERATION_OVERDUE_HOURS = _env_int("MODERATION_OVERDUE_HOURS", 48)
        self.MODERATION_BACKLOG_NOTICE = _env_int("MODERATION_BACKLOG_NOTICE", 50)
        self.RATELIMIT_REPORT = _env("RATELIMIT_REPORT", "10 per minute;50 per day")
        # The translators' desk (SPEC §7): reviews, flags, proposals and exports, per person.
        self.RATELIMIT_TRANSLATION_REVIEW = _env(
            "RATELIMIT_TRANSLATION_REVIEW", "30 per minute;1000 per day"
        )
        # Trending alerts for moderators (SPEC §4 anti-abuse): a petition gets an alert when, within
        # the window, more than the threshold of its signatures come from one network (/24, /48) or
        # one e-mail domain; the big public mail providers are not a signal and are left out.
        self.SIGNING_ALERT_WINDOW_MINUTES = _env_int("SIGNING_ALERT_WINDOW_MINUTES", 60)
        self.SIGNING_ALERT_NETWORK_THRESHOLD = _env_int("SIGNING_ALERT_NETWORK_THRESHOLD", 30)
        self.SIGNING_ALERT_DOMAIN_THRESHOLD = _env_int("SIGNING_ALERT_DOMAIN_THRESHOLD", 30)
        self.SIGNING_ALERT_PUBLIC_DOMAINS = _env(
            "SIGNING_ALERT_PUBLIC_DOMAINS",
            "gmail.com,googlemail.com,hotmail.com,hotmail.fr,live.com,live.fr,msn.com,outlook.com,outlook.fr,"
            "yahoo.com,yahoo.fr,ymail.com,icloud.com,me.com,aol.com,gmx.com,gmx.fr,proton.me,protonmail.com,"
            "menara.ma,iam.ma",
        )
        # Observers' dashboards and public statistics (SPEC §6): aggregates about fewer people than
        # this are shown as "< N"; a consultation still without its outcome report this many days
        # after closing is overdue; `flask tick` refreshes the monthly figures at this interval.
        self.STATS_MIN_GROUP = _env_int("STATS_MIN_GROUP", 5)
        self.STATS_OUTCOME_OVERDUE_DAYS = _env_int("STATS_OUTCOME_OVERDUE_DAYS", 90)
        self.STATS_REFRESH_MINUTES = _env_int("STATS_REFRESH_MINUTES", 10)
        # Mail (SPEC §9): an outbox table, delivered by a backend.
        self.MAIL_BACKEND = _env("MAIL_BACKEND", "file")  # file | console | smtp
        self.MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(instance / "mail"))
        self.MAIL_FROM = _env("MAIL_FROM", "Participation <no-reply@participation.ma>")
        self.MAIL_DELIVER_INLINE = _env_bool("MAIL_DELIVER_INLINE", True)
        self.MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
        self.SMTP_HOST = _env("SMTP_HOST", "localhost")
        self.SMTP_PORT = _env_int("SMTP_PORT", 25)
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
        self.SMTP_SSL = _env_bool("SMTP_SSL", False)
        self.SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 20)
        # Logs (participation/core/logs.py): json (one object per line), text, or off (leave the
        # process's logging alone); INFO writes one line per request.
        self.LOG_FORMAT = _env("LOG_FORMAT", "text")
        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO").upper()
        # Prometheus metrics (participation/public/metrics.py): /metrics answers only a request
        # bearing this token (Authorization: Bearer ...); unset, it is a 404.
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        # Where the periodic commands record their runs for /metrics (participation/core/metrics.py).
        self.METRICS_JOB_DIR = _env("METRICS_JOB_DIR", str(instance / "metrics" / "jobs"))
        # The embedded set-up runs the periodic jobs in-process (participation/scheduler.py): tick
        # and outbox send every JOBS_INTERVAL_SECONDS, the open-data dumps when older than
        # OPEN_DATA_DUMP_MINUTES. Production leaves them to systemd timers (deploy/systemd).
        self.JOBS_IN_PROCESS = _env_bool("JOBS_IN_PROCESS", False)
        self.JOBS_INTERVAL_SECONDS = _env_int("JOBS_INTERVAL_SECONDS", 60)
        self.OPEN_DATA_DUMP_MINUTES = _env_int("OPEN_DATA_DUMP_MINUTES", 60)


def _normalise_database_url(url):
    """Accept the usual postgres:// and postgresql:// forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Fixed development keys: only ever used by DevelopmentConfig and TestingConfig.
_DEV_FERNET_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZC11c2U="


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self):
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or "development-secret-key-not-for-production"
        self.CIN_HASH_KEY = self.CIN_HASH_KEY or "development-cin-hash-key"
        self.CIN_ENCRYPTION_KEYS = self.CIN_ENCRYPTION_KEYS or _DEV_FERNET_KEY
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "http")
        self.PUBLIC_BASE_URL = self.PUBLIC_BASE_URL or "http://127.0.0.1:5000"
        self.TRUSTED_HOSTS = _trusted_hosts(self.PUBLIC_BASE_URL, "127.0.0.1", "localhost")
        self.JOBS_IN_PROCESS = _env_bool("JOBS_IN_PROCESS", True)


class TestingConfig(DevelopmentConfig):
    ENV_NAME = "testing"
    TESTING = True

    def __init__(self):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = _normalise_database_url(
            _env("TEST_DATABASE_URL", "sqlite:///" + str(Path(self.INSTANCE_PATH) / "test.db"))
        )
        self.MAIL_BACKEND = "file"
        self.SERVER_NAME = None
        self.PUBLIC_BASE_URL = _env("TEST_PUBLIC_BASE_URL", "http://participation.test")
        self.TRUSTED_HOSTS = _trusted_hosts(self.PUBLIC_BASE_URL, "127.0.0.1", "localhost")
        self.SWITCH_CACHE_SECONDS = _env_int(
            "SWITCH_CACHE_SECONDS", 0
        )  # tests change switches in the database directly
        self.LOG_FORMAT = _env("LOG_FORMAT", "off")  # pytest captures the records itself
        self.JOBS_IN_PROCESS = False  # a test that wants the scheduler turns it on itself
        # Hundreds of sign-ins and registrations: the cheapest costs argon2 accepts, not 64 MiB each.
        self.ARGON2_TIME_COST, self.ARGON2_MEMORY_COST, self.ARGON2_PARALLELISM = 1, 8, 1


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self):
        super().__init__()
        missing = [
            name
            for name in (
                "SECRET_KEY",
                "CIN_HASH_KEY",
                "CIN_ENCRYPTION_KEYS",
                "DATABASE_URL",
                "PUBLIC_BASE_URL",
            )
            if not _env(name)
        ]
        if missing:
            raise RuntimeError(
                "Production configuration refuses to start without: " + ", ".join(missing)
            )
        if len(self.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters in production")
        if _host_of(self.PUBLIC_BASE_URL) is None:
            raise RuntimeError(
                "PUBLIC_BASE_URL must be an absolute http(s) address, e.g. https://participation.ma"
            )
        self.TRUSTED_HOSTS = _trusted_hosts(self.PUBLIC_BASE_URL)
        self.MAIL_DELIVER_INLINE = _env_bool("MAIL_DELIVER_INLINE", False)
        self.MAIL_BACKEND = _env("MAIL_BACKEND", "smtp")
        self.REQUIRE_STAFF_2FA = _env_bool("REQUIRE_STAFF_2FA", True)
        self.LOG_FORMAT = _env("LOG_FORMAT", "json")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name=None):
    name = name or _env("PARTICIPATION_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"Unknown PARTICIPATION_CONFIG {name!r}; use one of {sorted(CONFIGS)}")
