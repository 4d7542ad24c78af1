import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from participation.auth.models import User
from participation.extensions import db


def load_user(session_id):
    """Session ids are "<user id>:<session token>"; a rotated token ends the session."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    # With the identity profile in the same query: signing, the busiest request, reads it.
    user = db.session.scalar(sa.select(User).where(User.id == int(user_id)).options(joinedload(User.identity)))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user
