from tests.api.seed import open_data, seeded  # noqa: F401 (fixtures)
