"""Who may do what with the OGP commitments tracker. Reading is public; observers (the
civil-society committee) and administrators keep the record. Anonymous users answer False."""

from participation.auth.permissions import is_administrator, is_observer


def can_track_commitments(user):
    """Change a status, add and mark milestones, add evidence links and progress notes."""
    return is_observer(user) or is_administrator(user)
