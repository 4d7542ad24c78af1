"""Imports every area's declarations of the personal data it holds (core/personal_data.py), so
that the download and account deletion cover them all (create_app, the tests)."""

from participation.auth import personal_data as auth_data  # noqa: F401
from participation.comments import personal_data as comment_data  # noqa: F401
from participation.consultations import personal_data as consultation_data  # noqa: F401
from participation.moderation import personal_data as moderation_data  # noqa: F401
from participation.notifications import personal_data as notification_data  # noqa: F401
from participation.ogp import personal_data as ogp_data  # noqa: F401
from participation.petitions import personal_data as petition_data  # noqa: F401
from participation.translation_review import personal_data as translation_review_data  # noqa: F401
