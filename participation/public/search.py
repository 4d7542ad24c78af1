"""The platform-wide search (issue 16): one query over the public consultations, petitions and
OGP commitments. Each kind is read through its own area's read side (list_public_consultations,
list_public_petitions, list_matching_commitments), so what is public is defined once per area,
and the same Arabic-aware matching (core/search.py) finds a title in any of its languages."""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from participation.consultations.queries import ListingFilters, list_public_consultations
from participation.core.models import utcnow
from participation.core.search import clean_query, search_terms
from participation.ogp.queries import list_matching_commitments
from participation.petitions.queries import PetitionFilters, list_badges, list_public_petitions

# As the listings read their `q`: a longer query is refused rather than cut where it may mislead.
MAX_QUERY_LENGTH = 200
PER_GROUP = 5  # results shown per kind; the listing shows the rest ("see all")


@dataclass
class Group:
    kind: str  # "consultations", "petitions" or "commitments"
    total: int
    items: list
    badges: dict = field(default_factory=dict)  # petitions: {id: Badge}


@dataclass
class SearchQuery:
    text: str  # as typed, control characters removed: shown back in the search box
    error: str | None = None

    @property
    def searchable(self):
        return self.error is None and bool(search_terms(self.text))


def read_query(raw):
    """The query of the search box, or its translated error."""
    text = clean_query(raw)
    if len(text) > MAX_QUERY_LENGTH:
        return SearchQuery(text[:MAX_QUERY_LENGTH], error=_("This search is too long."))
    return SearchQuery(text)


def search_everywhere(text, *, per_group=PER_GROUP, now=None):
    """The public consultations, petitions and commitments matching `text`, in that order, each
    group with its total and its first `per_group` results; every matching commitment (the plan
    has 18, and their page lists them without a search)."""
    now = now or utcnow()
    consultations = list_public_consultations(ListingFilters(q=text), per_page=per_group, now=now)
    petitions = list_public_petitions(PetitionFilters(q=text), per_page=per_group, now=now)
    commitments = list_matching_commitments(text)
    return [
        Group("consultations", consultations.total, consultations.items),
        Group(
            "petitions",
            petitions.total,
            petitions.items,
            badges=list_badges(petitions.items, now=now),
        ),
        Group("commitments", len(commitments), commitments),
    ]
