from participation.auth.permissions import is_administrator


def can_set_switches(user):
    return is_administrator(user)
