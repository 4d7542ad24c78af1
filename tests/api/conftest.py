import pytest

from tests.api.seed import seed_open_data
from tests.petition_world import world  # noqa: F401 (fixture)


@pytest.fixture
def seeded(world):  # noqa: F811
    return seed_open_data()
