"""The API's data set (tests/api/seed.py), seeded once for each test module: `seeded` gives each
test a copy of its own."""

from tests.api.seed import open_data, seeded  # noqa: F401 (fixtures)
