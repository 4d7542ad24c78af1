"""Schema fuzz run (schemathesis 4): every operation of the OpenAPI document, served by the app
itself over WSGI, on a seeded data set, through schemathesis' engine with its examples, coverage and
fuzzing phases, valid and invalid parameters. No answer may be a server error, and every answer
must conform to the document: a documented status code, content type, headers and response schema;
methods the document does not list answer 405 with `Allow` (the coverage phase sends them). Path
ids are generated, then pinned to seeded objects so the query parameters are also fuzzed against
real answers (a commitment with an evidence link among them). Runs in the normal suite with 10
generated examples per operation and mode; API_FUZZ_EXAMPLES sets another count (CI's PostgreSQL
run uses 30).

The engine rather than schemathesis' pytest plugin, whose lazy-fixture subtests do not run on this
pytest version: the app and its seeded database are per-test fixtures, like everywhere else."""

import os

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.engine import Status, events, from_schema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_API": "1000000 per minute"}  # the run itself must not meet the limit


@pytest.fixture
def api_schema(app, seeded):
    from participation.extensions import db
    from participation.ogp import queries as ogp_queries
    from participation.ogp.services import add_evidence_link, load_commitments
    from tests.factories import make_user

    load_commitments()
    tracker = make_user(roles=["administrator"])
    label = {"ar": "تقرير التقييم", "fr": "Rapport d'évaluation", "zgh": "ⴰⵏⵎⵓⵍ"}
    add_evidence_link(
        tracker, ogp_queries.get_commitment(15), url="https://example.org/rapport.pdf", label=label
    )
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def run_engine(schema, **parameters):
    """The failures of one engine run, as readable lines."""
    schema.config.checks.update(included_check_names=CHECKS)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    schema.config.generation.update(
        modes=["positive", "negative"], max_examples=EXAMPLES, deterministic=True, database="none"
    )
    schema.config.update(
        continue_on_failure=True,
        workers=1,
        parameters={f"path.{name}": value for name, value in parameters.items()} or None,
    )
    failures = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                failures += [
                    f"{event.label}: {check.name}: {check.failure_info.failure.title} {check.failure_info.failure.message}"
                    for check in checks
                    if check.status == Status.FAILURE
                ]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {event.info}")
    return sorted(set(failures))


def test_every_operation_survives_the_fuzz_run(app, seeded, api_schema):
    assert run_engine(api_schema) == []
    real_ids = {
        "consultation_id": seeded.consultation.id,
        "petition_id": seeded.deposited.id,
        "number": 15,
    }
    assert run_engine(api_schema, **real_ids) == []


def test_every_operation_documents_its_answer_to_a_nul_character(client, seeded, api_schema):
    """NUL is refused before any query (PostgreSQL cannot hold it in text): a 400 every operation
    documents, whatever the parameter's name."""
    real_ids = {
        "consultation_id": seeded.consultation.id,
        "petition_id": seeded.deposited.id,
        "number": 15,
    }
    operations = [result for result in api_schema.get_all_operations() if isinstance(result, Ok)]
    for operation in (result.ok() for result in operations):
        case = operation.Case(
            path_parameters={p.name: real_ids[p.name] for p in operation.path_parameters},
            query={"q": "a\x00b"},
        )
        response = case.call()
        assert response.status_code == 400, operation.label
        case.validate_response(
            response,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_headers_conformance,
                response_schema_conformance,
            ],
        )
    # Every documented operation but the document itself (schemathesis leaves its own source out;
    # test_openapi.py validates that answer).
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert len(operations) == len(documented) - 1
