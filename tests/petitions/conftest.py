from datetime import datetime

import pytest

from participation.api import petitions as api_petitions
from participation.opendata import dumps
from participation.petitions import models, permissions, queries, signing, views
from tests.petition_world import held_by_ip, world  # noqa: F401 (fixtures)


class Clock:
    now: datetime | None = None

    def __call__(self):
        assert self.now is not None, "set clock.now first"
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """One fixed instant for every surface that shows a petition's state (the page, the API, the
    dumps, the signing rules): set `clock.now`."""
    fixed = Clock()
    for module in (models, permissions, queries, signing, views, api_petitions, dumps):
        monkeypatch.setattr(module, "utcnow", fixed)
    return fixed
