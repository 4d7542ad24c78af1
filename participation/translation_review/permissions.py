"""Who may use the translators' desk (SPEC §1, §7). Translators review the interface messages;
administrators see the desk and export the proposals for the maintainers. Neither reaches any
personal data through it. Anonymous users answer False."""

from participation.auth.permissions import is_administrator, is_translator


def can_view_translation_desk(user):
    return is_translator(user) or is_administrator(user)


def can_review_translations(user):
    """Mark an entry reviewed, flag it, propose a text."""
    return is_translator(user)


def can_export_translation_proposals(user):
    return is_administrator(user)
