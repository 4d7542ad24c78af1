from participation.auth.permissions import is_administrator


def can_manage_institutions(user):
    return is_administrator(user)


def can_edit_population(user):
    return is_administrator(user)


def can_load_territories(user):
    return is_administrator(user)
