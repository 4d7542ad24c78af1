"""Demo content and large seeds, never imported by production code (tests/core/test_demo_isolation.py).

- `seed` (`flask seed-demo`): territories, demo institutions, one account per role, and content in
  every state for each area: consultations, petitions, moderation, the OGP tracker. Running it
  again keeps existing rows and gives the demo accounts fresh passwords (printed), so the printed
  list always works.
- `large.seed_large` (`flask stats seed-large`, bench/dashboard.py): a large, plausible data set.

These modules set states directly to make history (a consultation whose outcome was published
last year); otherwise they go through the areas' public services and queries.
"""

from participation.consultations.topics import load_default_topics
from participation.demo.accounts import (
    INSTITUTIONS,
    ensure_communal_council,
    ensure_institution,
    seed_accounts,
)
from participation.demo.consultations import seed_consultations
from participation.demo.moderation import seed_moderation
from participation.demo.notifications import seed_notifications
from participation.demo.ogp import seed_commitments
from participation.demo.petitions import seed_petitions
from participation.institutions.services import load_communes, load_territories
from participation.petitions.rules import load_petition_kinds


def seed(password_for):
    load_territories()
    load_communes()
    load_default_topics()
    institutions = [ensure_institution(kind, region, names) for kind, region, names in INSTITUTIONS]
    ensure_communal_council()
    load_petition_kinds()
    printed, by_local, extra = seed_accounts(institutions, password_for)
    seed_consultations(
        ministry=institutions[3],
        regional_council=institutions[5],
        officer=by_local["officer"],
        citizens=[by_local["citizen"], *extra],
    )
    seed_petitions(
        initiator=by_local["citizen"],
        moderator=by_local["moderator"],
        officer=by_local["officer.hog"],
        extra_signers=extra,
    )
    seed_moderation(moderator=by_local["moderator"], citizens=[by_local["citizen"], *extra])
    seed_commitments(observer=by_local["observer"])
    seed_notifications(citizen=by_local["citizen"])
    return printed
