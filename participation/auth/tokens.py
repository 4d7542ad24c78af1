"""Single-use, expiring e-mail tokens (verification, password reset).

Only a SHA-256 of the token is stored, so a database leak gives no usable links. Opening a link
(GET) only inspects the token; it is consumed by the POST of the confirmation form, with an atomic
UPDATE ... WHERE used_at IS NULL so two concurrent POSTs cannot both succeed.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.auth.models import AccountToken
from participation.core.errors import DomainError
from participation.core.models import utcnow
from participation.extensions import db


class TokenError(DomainError):
    pass


TOKEN_MESSAGES = {
    "invalid": _l("This link is not valid. Check that you copied it completely."),
    "expired": _l("This link has expired. Ask for a new one below."),
    "used": _l("This link has already been used."),
}


def _refuse(code):
    return TokenError(TOKEN_MESSAGES[code], code=code)


def _digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user, purpose, lifetime):
    """Create a token for `user`, replacing any unused one of the same purpose."""
    db.session.execute(
        sa.delete(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_digest(raw),
            expires_at=utcnow() + lifetime,
        )
    )
    return raw


def revoke_tokens(user):
    """Every unused token of the account stops working (they are deleted: "not valid")."""
    db.session.execute(
        sa.delete(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )


def inspect_token(raw, purpose):
    """The token's row if it can still be used; raise TokenError otherwise. Changes nothing."""
    if not raw or len(raw) > 200:
        raise _refuse("invalid")
    token = db.session.scalar(
        sa.select(AccountToken).where(
            AccountToken.token_hash == _digest(raw), AccountToken.purpose == purpose
        )
    )
    if token is None:
        raise _refuse("invalid")
    if token.used_at is not None:
        raise _refuse("used")
    if token.expires_at <= utcnow():
        raise _refuse("expired")
    return token


def consume_token(raw, purpose):
    token = inspect_token(raw, purpose)
    claimed = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise _refuse("used")
    return token


def hours(n):
    return timedelta(hours=n)


def minutes(n):
    return timedelta(minutes=n)
