import sqlalchemy as sa

from participation.auth.models import User
from participation.core.routing import MAX_ID
from participation.extensions import db


def parse_session_id(session_id):
    """Session ids are "<user id>:<session token>": (user id, token), or None when malformed."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token or int(user_id) > MAX_ID:  # beyond an INTEGER key: nobody
        return None
    return int(user_id), token


def valid_session(users, user_id, token):
    """SQL: the account `user_id` of a live session: its token is `token` (a rotated token ends
    the session) and it is not deleted (User.is_active). `users` is the users table; the user
    loader and the signing path's own query (petitions/signers.py) both filter with it."""
    return sa.and_(
        users.c.id == user_id, users.c.session_token == token, users.c.deleted_at.is_(None)
    )


def load_user(session_id):
    """Flask-Login's user loader."""
    credentials = parse_session_id(session_id)
    if credentials is None:
        return None
    user_id, token = credentials
    return db.session.scalar(sa.select(User).where(valid_session(User.__table__, user_id, token)))
