"""Schema fuzz run (schemathesis 4): every operation of the OpenAPI document, served by the app
itself over WSGI, gets generated valid and invalid parameters on a seeded data set. No answer may be
a server error, and every answer must conform to the document (documented status code, content
type, headers and response schema). Path ids are fuzzed, then pinned to seeded objects so the query
parameters are also fuzzed against real answers. Runs in the normal suite; the example count keeps
it short.

Hypothesis is driven directly (`operation.as_strategy` under `@given`) rather than through
schemathesis' pytest plugin, whose lazy-fixture subtests do not run on this pytest version; the
app and its seeded database are per-test fixtures, like everywhere else in the suite."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 30


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_API": "1000000 per minute"}  # the run itself must not meet the limit


def run(operation, mode, **pinned):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, **pinned))
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()


def test_every_operation_survives_the_fuzz_run(app, seeded):
    from participation.extensions import db
    from participation.ogp.services import load_commitments

    load_commitments()
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    real_ids = {"consultation_id": seeded.consultation.id, "petition_id": seeded.deposited.id, "number": 15}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        run(operation, GenerationMode.POSITIVE)
        if len(operation.path_parameters) or len(operation.query):  # nothing to break without parameters
            run(operation, GenerationMode.NEGATIVE)
        if len(operation.path_parameters):
            run(operation, GenerationMode.POSITIVE, path_parameters={p.name: real_ids[p.name] for p in operation.path_parameters})
    # Every documented operation but the document itself (schemathesis leaves its own source out;
    # test_openapi.py validates that answer).
    documented = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert sorted(op.path for op in operations) == sorted(set(documented) - {"/api/v1/openapi.json"})
