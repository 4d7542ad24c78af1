"""Validating real API answers against the OpenAPI document's schemas (shared by the API tests
and the areas whose answers the API serves)."""

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def validator_for(document, schema):
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=_spec())
    )
    return Draft202012Validator(
        {**schema, "$id": "urn:answer"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def response_schema(document, path, status):
    """The answer schema of a documented path and status, with #/components refs resolvable."""
    content = document["paths"][path]["get"]["responses"][str(status)]["content"][
        "application/json"
    ]["schema"]
    name = content["$ref"].rsplit("/", 1)[1]
    return {"$ref": f"urn:openapi#/components/schemas/{name}"}
