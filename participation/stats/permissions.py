"""Who may read the observatory: the civil-society committee's observers and administrators.
The public statistics page needs no permission."""

from participation.auth.permissions import is_administrator, is_observer


def can_view_observatory(user):
    return is_observer(user) or is_administrator(user)
