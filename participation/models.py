"""Imports every model module so the metadata is complete (migrations, tests, create_app)."""

from participation.auth import models as auth_models  # noqa: F401
from participation.core import audit, mail, notifications, switches  # noqa: F401
from participation.institutions import models as institution_models  # noqa: F401
from participation.comments import models as comment_models  # noqa: F401
from participation.moderation import models as moderation_models  # noqa: F401
from participation.consultations import models as consultation_models  # noqa: F401
from participation.petitions import models as petition_models  # noqa: F401
from participation.ogp import models as ogp_models  # noqa: F401
from participation.stats import models as stats_models  # noqa: F401
from participation.translation_review import models as translation_review_models  # noqa: F401
