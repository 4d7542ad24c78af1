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


def load_user(session_id):
    """Flask-Login's user loader; a rotated token ends the session."""
    credentials = parse_session_id(session_id)
    if credentials is None:
        return None
    user_id, token = credentials
    user = db.session.scalar(sa.select(User).where(User.id == user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user
