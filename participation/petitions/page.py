"""What a petition's page shows every reader alike (its count and state, the counts by region,
the reconciliation and the count log, the thresholds, the deadlines and the phases), each read
only when first asked for. The page's template reads them inside its cached fragments
(core/page_cache.cached_fragment, docs/caching.md), so a page whose fragments are stored runs
none of their queries: a signed-in reader's page costs its personal parts only."""

from functools import cached_property

from participation.institutions.queries import list_regions
from participation.petitions import countlog, queries, services
from participation.petitions.deadlines import deadline_clocks
from participation.petitions.phases import petition_phases
from participation.petitions.thresholds import required_signatures


class PetitionFacts:
    def __init__(self, petition, now):
        self.petition, self.now = petition, now

    @cached_property
    def count(self):
        return queries.count_signatures(self.petition.id) if self.petition.published_at else 0

    @cached_property
    def state(self):
        return self.petition.effective_state(self.now, signatures=self.count)

    @cached_property
    def state_label(self):
        return self.petition.effective_label(self.now, signatures=self.count)

    @cached_property
    def threshold(self):
        return required_signatures(self.petition.kind, services.get_territory(self.petition))

    @cached_property
    def clocks(self):
        return deadline_clocks(self.petition)

    @cached_property
    def phases(self):
        return petition_phases(
            self.petition, signatures=self.count, clocks=self.clocks, now=self.now
        )

    @cached_property
    def by_region(self):
        return queries.list_public_region_counts([self.petition.id]).get(self.petition.id, [])

    @cached_property
    def regions(self):
        return {region.id: region for region in list_regions()}

    @cached_property
    def reconciliation(self):
        return queries.get_reconciliation(self.petition.id)

    @cached_property
    def count_log(self):
        return countlog.list_recent_entries(self.petition.id)

    @cached_property
    def count_log_events(self):
        return countlog.event_labels()
