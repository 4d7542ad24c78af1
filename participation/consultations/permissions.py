"""Who may do what with consultations. Drafts belong to their institution's officers only."""

from participation.auth.models import Role
from participation.auth.permissions import has_role, is_citizen, is_observer, is_officer_of
from participation.consultations.models import ConsultationState as S


def can_create_consultation(user):
    return has_role(user, Role.OFFICER) and user.officer_institution_id is not None


def can_view_consultation(user, consultation, now=None):
    if consultation is None:
        return False
    if consultation.state != S.DRAFT:
        return True
    return is_officer_of(user, consultation.institution)


def can_manage_consultation(user, consultation):
    """The owning institution's officers run a consultation through its lifecycle."""
    return consultation is not None and is_officer_of(user, consultation.institution)


def can_edit_consultation(user, consultation):
    """Only drafts are freely editable; an open one gets dated corrections instead."""
    return can_manage_consultation(user, consultation) and consultation.state == S.DRAFT


def can_correct_consultation(user, consultation, now=None):
    return (
        can_manage_consultation(user, consultation) and consultation.effective_state(now) == S.OPEN
    )


def can_close_consultation(user, consultation, now=None):
    """Closing early, with a public reason: only while open (a scheduled one is withdrawn)."""
    return (
        can_manage_consultation(user, consultation) and consultation.effective_state(now) == S.OPEN
    )


def can_extend_consultation(user, consultation, now=None):
    """Moving the closing date later, with a public reason: only while open. Not after closing:
    the questionnaire's results are public from then on (questionnaire.results_visible) and the
    followers were told it closed, so a late answer could follow the others' results; a closed
    consultation that needs more time is a new consultation."""
    return (
        can_manage_consultation(user, consultation) and consultation.effective_state(now) == S.OPEN
    )


def can_write_outcome(user, consultation, now=None):
    return (
        can_manage_consultation(user, consultation)
        and consultation.effective_state(now) == S.CLOSED
    )


def can_follow_consultation(user, consultation):
    return is_citizen(user) and consultation is not None and consultation.state != S.DRAFT


def can_answer_questionnaire(user, consultation, now=None):
    return (
        is_citizen(user)
        and consultation is not None
        and bool(consultation.questions)
        and consultation.effective_state(now) == S.OPEN
    )


def can_export_consultation(user, consultation):
    """The owning institution gets everything; observers get the same without personal data."""
    return can_manage_consultation(user, consultation) or (
        is_observer(user) and consultation is not None and consultation.state != S.DRAFT
    )


def export_includes_personal_data(user, consultation):
    return can_manage_consultation(user, consultation)
