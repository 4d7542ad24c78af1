"""Sign-in throttling (SPEC §10), counted in the rate-limit storage (Redis in production).

- RATELIMIT_LOGIN, per (account, address): a guesser is stopped where they guess, and nobody else.
- RATELIMIT_LOGIN_ADDRESS, per address over every account: one address spraying many accounts.
- RATELIMIT_LOGIN_ACCOUNT, failed passwords per account from every address: beyond it the account
  is "under backoff" and a password alone stops being enough, except in a browser that has signed
  in to the account before (a trusted-device cookie, as in OWASP's "device cookies"):
  - with two-factor authentication, a right password and a valid code always sign in; a wrong
    password gets the same code page as a right one, where every code is refused, so the answers
    do not tell a right password;
  - without it, elsewhere than in a trusted browser, right and wrong passwords get the same
    refusal, and the owner gets in by resetting the password from the e-mail, which proves the
    mailbox and makes that browser a trusted one.
  Strangers can thus slow an account down but never lock its owner out.
- TWO_FACTOR_CODE_ATTEMPTS per pending sign-in: the session is a client-side cookie that can be
  copied and replayed, so attempts are counted server-side under a random id of the pending
  sign-in, which is void once the cap is reached or the sign-in succeeds.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from cryptography.fernet import InvalidToken
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from participation.auth.models import User
from participation.auth.services import normalise_email
from participation.core.crypto import decrypt, encrypt
from participation.core.limits import RateLimits, parse_many, remote_address
from participation.core.models import utcnow
from participation.extensions import db

DEVICE_COOKIE = "trusted_device"
DEVICE_COOKIE_ACCOUNTS = 5  # accounts remembered per browser (a shared family computer)
FAILURES_SCOPE = "login-failures"


def _account(email):
    return normalise_email(email)[:320]


def account_address_key():
    return f"login:{_account(request.form.get('email'))}|{remote_address()}"


def record_failed_password(email):
    strategy = RateLimits.strategy()
    for item in parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"]):
        strategy.hit(item, FAILURES_SCOPE, _account(email))


def under_backoff(email):
    strategy = RateLimits.strategy()
    return not all(
        strategy.test(item, FAILURES_SCOPE, _account(email))
        for item in parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])
    )


# Trusted browsers ------------------------------------------------------------------------------


def _device_serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="participation.trusted-device")


def _device_mark(email):
    """A keyed digest: the cookie names accounts without carrying their addresses."""
    key = current_app.secret_key.encode()
    return hmac.new(key, b"trusted-device:" + _account(email).encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def _trusted_marks():
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return []
    max_age = current_app.config["TRUSTED_DEVICE_DAYS"] * 86400
    try:
        marks = _device_serializer().loads(value, max_age=max_age)
    except BadSignature:
        return []
    return [mark for mark in marks if isinstance(mark, str)] if isinstance(marks, list) else []


def device_trusted(email):
    return _device_mark(email) in _trusted_marks()


def trust_device(response, email):
    mark = _device_mark(email)
    marks = [mark, *(m for m in _trusted_marks() if m != mark)][:DEVICE_COOKIE_ACCOUNTS]
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(marks),
        max_age=config["TRUSTED_DEVICE_DAYS"] * 86400,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


# Pending sign-ins (password given, code awaited) ------------------------------------------------


def _storage():
    return RateLimits.strategy().storage


def _pending_seconds():
    return current_app.config["TWO_FACTOR_LOGIN_MINUTES"] * 60


def _key(kind, pending):
    return f"participation/two-factor/{kind}/{pending.get('id', '')}"


def new_pending_sign_in(user, next_url, *, refuse_codes=False):
    """What the session keeps until the code. `refuse_codes` (a wrong password under backoff)
    travels sealed: encrypted with the pending sign-in's id, the same length either way, so the
    cookie (signed, so unchanged, but readable) looks the same as after a right password. Sealed
    in the cookie rather than kept in the rate-limit storage, it holds on every node and while
    Redis is away (the storage then falls back to one process's memory: docs/degradation.md)."""
    pending = {
        "id": secrets.token_urlsafe(16),
        "user": user.id,
        "until": (utcnow() + timedelta(seconds=_pending_seconds())).timestamp(),
        "next": next_url,
    }
    pending["seal"] = encrypt(f"{pending['id']}:{int(refuse_codes)}")
    return pending


def _attempts(pending):
    return _storage().get(_key("attempts", pending))


def pending_user(pending):
    """The account a pending sign-in is for, or None when it expired, was voided or is malformed."""
    if (
        not pending.get("id")
        or not isinstance(pending.get("user"), int)
        or pending.get("until", 0) <= utcnow().timestamp()
    ):
        return None
    if _attempts(pending) >= current_app.config["TWO_FACTOR_CODE_ATTEMPTS"]:
        return None
    user = db.session.get(User, pending["user"])
    return user if user is not None and user.is_active else None


def count_code_attempt(pending):
    """Count one code; True while the pending sign-in may go on after it."""
    attempts = _storage().incr(_key("attempts", pending), _pending_seconds() + 60)
    return attempts < current_app.config["TWO_FACTOR_CODE_ATTEMPTS"]


def codes_refused(pending):
    """True when the password given was wrong under backoff, or when the seal is missing or is
    not this pending sign-in's (fail closed)."""
    try:
        sealed = decrypt(pending.get("seal", ""))
    except (InvalidToken, ValueError, TypeError):
        return True
    return sealed != f"{pending.get('id')}:0"


def void_pending(pending):
    _storage().incr(
        _key("attempts", pending),
        _pending_seconds() + 60,
        amount=current_app.config["TWO_FACTOR_CODE_ATTEMPTS"],
    )
