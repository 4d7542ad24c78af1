"""One-time recovery codes for two-factor authentication (the phone is lost or broken).

A set of RECOVERY_CODE_COUNT codes is shown once, when two-factor authentication is turned on or
when the person asks for a new set (which deletes the old one). Only a keyed hash of each code
is stored (HMAC-SHA-256 with the application's secret key), so a copy of the database does not
give working codes. A code is used up when it signs in.
"""

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app

from participation.auth.models import RecoveryCode
from participation.core.models import utcnow
from participation.extensions import db

RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits that are not easily mistaken for one another (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUP, GROUPS = 5, 2  # "k7m2p-xq9rt": 10 characters, about 50 bits


def new_code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * GROUPS))
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(code):
    """What the person typed, without spaces or hyphens, in lower case."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def looks_like_recovery_code(code):
    normalised = normalise_code(code)
    return len(normalised) == GROUP * GROUPS and all(ch in ALPHABET for ch in normalised)


def hash_code(code):
    key = current_app.secret_key.encode()
    return hmac.new(
        key, b"recovery-code:" + normalise_code(code).encode(), hashlib.sha256
    ).hexdigest()


def replace_codes(user):
    """Delete the user's codes and store a new set; returns the codes, to be shown once."""
    delete_codes(user)
    codes = [new_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_code(code)) for code in codes)
    db.session.flush()
    return codes


def delete_codes(user):
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def use_code(user, code):
    """Mark the code used and return True when it is one of the user's unused codes. One
    conditional UPDATE: two requests racing with the same code cannot both win."""
    if not looks_like_recovery_code(code):
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(RecoveryCode.id)
    ).first()
    return used is not None


def count_unused_codes(user):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
