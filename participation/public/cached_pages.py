"""What the shared pages show, for the page cache's invalidation (core/page_cache.py,
docs/caching.md): after a commit that changed one of these models, the generations named here are
bumped and the stored answers that depend on them are not served again.

- SITE, shown by every page: the site switches (signing paused, the banner), the reference data
  the pages name (regions, provinces, institutions, petition kinds, topics);
- LISTINGS, the home page and the two listings: any petition or consultation;
- "petition:<id>", its page: the petition, its committee, its processing steps, its comments;
- "consultation:<id>", its page: the consultation, its sections, corrections, closing date
  changes, attachments, questions, outcome report, and the comments on it ("section:<id>" for the
  comments on a section, which the consultation page shows as counts only: those age out).

Signatures are not here, on purpose: signing is the hot path and writes nothing to the cache; the
count on a page ages out within the count's freshness (PAGE_CACHE_SECONDS +
PAGE_CACHE_SHARED_SECONDS <= 5 s). Neither are follows, votes on comments (a comment's useful
count is a column of the comment) or anything else no shared page shows."""

from participation.comments.models import Comment
from participation.consultations import models as consultations
from participation.core.page_cache import LISTINGS, SITE, track
from participation.core.switches import SiteSwitch
from participation.institutions.models import Institution, Province, Region
from participation.petitions import models as petitions


def _site(_instance):
    return (SITE,)


def _petition(petition):
    return (LISTINGS, f"petition:{petition.id}")


def _of_petition(instance):
    return (f"petition:{instance.petition_id}",)


def _consultation(consultation):
    return (LISTINGS, f"consultation:{consultation.id}")


def _of_consultation(instance):
    return (f"consultation:{instance.consultation_id}",)


def _comment(comment):
    return (f"{comment.target_type}:{comment.target_id}",)


def register_cached_pages():
    for model in (SiteSwitch, Region, Province, Institution, petitions.PetitionKind):
        track(model, _site)
    track(consultations.Topic, _site)
    track(petitions.Petition, _petition)
    for model in (petitions.CommitteeMember, petitions.ProcessingStep):
        track(model, _of_petition)
    track(consultations.Consultation, _consultation)
    for model in (
        consultations.Section,
        consultations.Correction,
        consultations.ClosingDateChange,
        consultations.Attachment,
        consultations.Question,
        consultations.OutcomeReport,
    ):
        track(model, _of_consultation)
    track(Comment, _comment)
