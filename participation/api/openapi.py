"""The OpenAPI 3.1 document of /api/v1, built from the application's URL map: a path is documented
only when its route exists, and tests check that every /api/v1 route is documented and that real
answers match these schemas (plus a schemathesis fuzz run). The OGP commitments' part
(COMMITMENTS_PATHS and COMMITMENTS_SCHEMAS, routes in participation/api/commitments.py) joins the
document with their routes."""

import re

from participation.consultations.queries import PUBLIC_FILTER_STATES
from participation.institutions.models import CommuneKind, InstitutionKind
from participation.ogp.models import CommitmentStatus
from participation.petitions.deadlines import ClockStatus
from participation.petitions.models import (
    AdditionReason,
    Category,
    Level,
    RemovalReason,
    StepKind,
)
from participation.petitions.queries import PUBLIC_STATE_VALUES

API_PREFIX = "/api/v1/"
VERSION = "1.0.0"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    extra = {"enum": [*schema["enum"], None]} if "enum" in schema else {}
    return {**schema, "type": [schema["type"], "null"], **extra}


def obj(properties, *, optional=()):
    """A closed object: every property listed is present unless named in `optional`."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def listing(item):
    return obj(
        {
            "data": {"type": "array", "items": ref(item)},
            "page": INT1,
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": INT0,
        }
    )


STRING = {"type": "string"}
INT0 = {"type": "integer", "minimum": 0}
INT1 = {"type": "integer", "minimum": 1}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
SHA256_HEX = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
BOOL = {"type": "boolean"}
LANG = ref("LanguageText")

SCHEMAS = {
    "LanguageText": {
        "description": "A translatable text keyed by language; only the languages the text exists in are present.",
        "type": "object",
        "properties": {"ar": STRING, "fr": STRING, "zgh": STRING},
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "string",
                "description": "Stable code: invalid_parameter, not_found, method_not_allowed, rate_limited, bad_request, server_error.",
            },
            "message": {
                "type": "string",
                "description": "For people, in the language of Accept-Language (ar, fr, zgh), else Arabic.",
            },
            "parameter": {
                "type": "string",
                "description": "The query parameter at fault (invalid_parameter only).",
            },
        },
        "required": ["error", "message"],
        "additionalProperties": False,
    },
    "Province": obj(
        {
            "id": INT1,
            "iso_code": STRING,
            "kind": {"type": "string", "enum": ["prefecture", "province"]},
            "name": LANG,
            "population": nullable(INT0),
        }
    ),
    "Region": obj(
        {
            "id": INT1,
            "code": STRING,
            "iso_code": STRING,
            "name": LANG,
            "population": nullable(INT0),
            "population_year": nullable({"type": "integer"}),
            "provinces": {"type": "array", "items": ref("Province")},
        }
    ),
    "RegionList": listing("Region"),
    "Commune": obj(
        {
            "id": INT1,
            "code": {
                "type": "string",
                "description": "HCP census code, e.g. 01.511.01.0",
                "pattern": "^[0-9][0-9.]{0,15}$",
            },
            "province_id": {
                **INT1,
                "description": "Its prefecture or province (the provinces of /api/v1/regions)",
            },
            "kind": {"type": "string", "enum": sorted(k.value for k in CommuneKind)},
            "name": LANG,
            "population": nullable(INT0),
            "population_year": nullable({"type": "integer"}),
            "has_arrondissements": BOOL,
        }
    ),
    "CommuneList": listing("Commune"),
    "Institution": obj(
        {
            "id": INT1,
            "kind": {"type": "string", "enum": sorted(k.value for k in InstitutionKind)},
            "name": LANG,
            "acronym": nullable(STRING),
            "region": nullable(STRING),
        }
    ),
    "InstitutionList": listing("Institution"),
    "Stances": obj({"agree": INT0, "disagree": INT0, "neutral": INT0}),
    "Section": obj(
        {
            "id": INT1,
            "position": {"type": "integer"},
            "heading": LANG,
            "body": LANG,
            "comment_count": INT0,
            "stances": ref("Stances"),
        }
    ),
}

_CONSULTATION = {
    "id": INT1,
    "title": LANG,
    "summary": LANG,
    "institution_id": INT1,
    "state": {"type": "string", "enum": sorted(s.value for s in PUBLIC_FILTER_STATES)},
    "scope": {"type": "string", "enum": ["national", "region", "province"]},
    "region": nullable(STRING),
    "topics": {"type": "array", "items": STRING},
    "opens_at": nullable(DATETIME),
    "closes_at": nullable(DATETIME),
    "comment_count": INT0,
}
_PETITION = {
    "id": INT1,
    "title": LANG,
    "state": {"type": "string", "enum": PUBLIC_STATE_VALUES},
    "kind": obj(
        {
            "key": STRING,
            "category": {"type": "string", "enum": [c.value for c in Category]},
            "level": {"type": "string", "enum": [v.value for v in Level]},
            "name": LANG,
        }
    ),
    "addressee": obj({"institution_id": nullable(INT1), "name": LANG}),
    "region_id": nullable(INT1),
    "signature_count": INT0,
    "signatures_required": nullable(INT1),
    "published_at": nullable(DATETIME),
    "closes_at": nullable(DATETIME),
    "deposited_at": nullable(DATETIME),
    "decided_at": nullable(DATETIME),
}
SCHEMAS.update(
    {
        "Consultation": obj(_CONSULTATION),
        "ConsultationList": listing("Consultation"),
        "ClosingDateChange": obj(
            {
                "kind": {
                    "type": "string",
                    "enum": ["closed_early", "extended"],
                    "description": "Closed early by the institution, or its closing date moved later.",
                },
                "changed_at": DATETIME,
                "previous_closes_at": DATETIME,
                "closes_at": DATETIME,
                "reason": LANG,
            }
        ),
        "ConsultationDetail": obj(
            {
                **_CONSULTATION,
                "sections": {"type": "array", "items": ref("Section")},
                "closing_date_changes": {
                    "type": "array",
                    "items": ref("ClosingDateChange"),
                    "description": "Changes of the closing date, oldest first; closes_at is the current one.",
                },
            }
        ),
        "Comment": obj(
            {
                "id": INT1,
                "section_id": {
                    **nullable(INT1),
                    "description": "The section commented on; null for the consultation as a whole.",
                },
                "parent_id": {
                    **nullable(INT1),
                    "description": "The comment answered (it may not be public).",
                },
                "depth": {"type": "integer", "minimum": 0, "maximum": 3},
                "author": {
                    "type": "string",
                    "description": "The author's display name (no other personal data).",
                },
                "created_at": DATETIME,
                "edited_at": nullable(DATETIME),
                "stance": nullable({"type": "string", "enum": ["agree", "disagree", "neutral"]}),
                "official_answer": BOOL,
                "institution_id": {
                    **nullable(INT1),
                    "description": "The institution of an official answer.",
                },
                "useful_votes": INT0,
                "text": {
                    "type": "string",
                    "description": "What the author wrote (Markdown subset).",
                },
                "html": {"type": "string", "description": "The same, rendered and sanitised."},
            }
        ),
        "CommentList": listing("Comment"),
        "Petition": obj(_PETITION),
        "PetitionList": listing("Petition"),
        "ProcessingStep": obj(
            {
                "kind": {"type": "string", "enum": [k.value for k in StepKind]},
                "occurred_on": DATE,
                "body": LANG,
                "measures": LANG,
                "admissible": nullable(BOOL),
                "ground": nullable(STRING),
            }
        ),
        "DeadlineClock": obj(
            {
                "key": STRING,
                "start_on": nullable(DATE),
                "due_on": nullable(DATE),
                "done_on": nullable(DATE),
                "status": {"type": "string", "enum": [s.value for s in ClockStatus]},
            }
        ),
        "RegionCount": obj(
            {
                "region_id": {**nullable(INT1), "description": "null: signers living abroad"},
                "region": nullable(STRING),
                "signature_count": {
                    **nullable(INT1),
                    "description": "null: withheld to protect the signatories' privacy, "
                    "at least 1 and fewer than fewer_than",
                },
                "fewer_than": {
                    **nullable(INT1),
                    "description": "set when signature_count is withheld (the statistics' "
                    "small-number rule), else null",
                },
            }
        ),
        "PetitionDetail": obj(
            {
                **_PETITION,
                "demands": LANG,
                "memorandum": LANG,
                "committee_size": INT0,
                "rejection_ground": nullable(STRING),
                "rejection_explanation": nullable(STRING),
                "signatures_by_region": {"type": "array", "items": ref("RegionCount")},
                "steps": {"type": "array", "items": ref("ProcessingStep")},
                "deadlines": {"type": "array", "items": ref("DeadlineClock")},
            }
        ),
        "PetitionCount": obj({"signature_count": INT0, "updated_at": nullable(DATETIME)}),
        # The count log (issue 17, docs/verifiable-counts.md): no personal data, only receipt hashes.
        "ReceiptChange": obj(
            {
                "receipt_hash": SHA256_HEX,
                "reason": {
                    "type": "string",
                    "enum": sorted(
                        {r.value for r in AdditionReason} | {r.value for r in RemovalReason}
                    ),
                },
            }
        ),
        "CountLogEntry": obj(
            {
                "sequence": INT1,
                "recorded_at": {
                    "type": "string",
                    "description": "UTC, ISO 8601 to the microsecond, as hashed in the entry",
                },
                "event": {
                    "type": "string",
                    "description": "tick (the daily job) or the petition's new state",
                },
                "count": INT0,
                "root": {**SHA256_HEX, "description": "Merkle root over the counted receipts"},
                "previous_hash": {
                    **SHA256_HEX,
                    "description": "entry_hash of the previous entry; 64 zeros for the first",
                },
                "entry_hash": SHA256_HEX,
                "added": {"type": "array", "items": ref("ReceiptChange")},
                "removed": {"type": "array", "items": ref("ReceiptChange")},
            }
        ),
        "CountLog": obj(
            {
                "petition_id": INT1,
                "specification": {
                    "type": "string",
                    "description": "e.g. participation-count-log/1",
                },
                "entries": {"type": "array", "items": ref("CountLogEntry")},
                "current": obj(
                    {
                        "signature_count": INT0,
                        "receipt_hashes": {"type": "array", "items": SHA256_HEX},
                        "removed_since_last_entry": {
                            "type": "array",
                            "items": ref("ReceiptChange"),
                        },
                    }
                ),
            }
        ),
        "Stats": obj(
            {
                name: INT0
                for name in (
                    "registered_people",
                    "consultations_open",
                    "consultations_published",
                    "consultations_with_outcome",
                    "comments",
                    "questionnaire_answers",
                    "petitions_published",
                    "petitions_open",
                    "petitions_deposited",
                    "petitions_answered",
                    "signatures",
                )
            }
        ),
        "OpenAPIDocument": {"type": "object", "required": ["openapi", "info", "paths"]},
    }
)

PARAMETERS = {
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
    },
    "per_page": {
        "name": "per_page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
}


def _query(name, schema, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _path_id(name):
    return {"name": name, "in": "path", "required": True, "schema": ID}


PAGING = [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}]


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def get(summary, schema, *, parameters=(), max_age, tag):
    """One GET operation: its answer, the conditional 304, and the JSON errors it can give."""
    parameters = list(parameters)
    responses = {
        "200": {
            "description": summary,
            "headers": {
                "Cache-Control": {
                    "schema": {"type": "string"},
                    "description": f"public, max-age={max_age}",
                },
                "ETag": {"schema": {"type": "string"}},
            },
            "content": {"application/json": {"schema": ref(schema)}},
        },
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        # Any request can hold a NUL character, which is refused before any query.
        "400": _error(
            "A query parameter is malformed or out of range (error: invalid_parameter), or the request holds a NUL character (error: bad_request)"
        ),
        "429": _error("Rate limit exceeded (RATELIMIT_API)"),
    }
    if any(p.get("in") == "path" for p in parameters):
        responses["404"] = _error("No public object with this id (error: not_found)")
    operation = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS = {
    "/api/v1/openapi.json": get("This document", "OpenAPIDocument", max_age=3600, tag="meta"),
    "/api/v1/regions": get(
        "The 12 regions and their prefectures and provinces",
        "RegionList",
        parameters=PAGING,
        max_age=3600,
        tag="reference",
    ),
    "/api/v1/communes": get(
        "The communes, by census code (source: Haut-Commissariat au Plan, RGPH 2024, CC BY 4.0)",
        "CommuneList",
        parameters=[
            *PAGING,
            _query("province", ID, "Prefecture or province id (see /api/v1/regions)"),
        ],
        max_age=3600,
        tag="reference",
    ),
    "/api/v1/institutions": get(
        "Active institutions",
        "InstitutionList",
        parameters=[
            *PAGING,
            _query(
                "kind",
                {"type": "string", "enum": sorted(k.value for k in InstitutionKind)},
                "Institution kind",
            ),
        ],
        max_age=300,
        tag="reference",
    ),
    "/api/v1/stats": get(
        "Headline numbers of the platform", "Stats", max_age=300, tag="statistics"
    ),
    "/api/v1/consultations": get(
        "Published consultations, newest first",
        "ConsultationList",
        parameters=[
            *PAGING,
            _query(
                "state",
                {"type": "string", "enum": sorted(s.value for s in PUBLIC_FILTER_STATES)},
                "State (computed from the dates)",
            ),
            _query("institution", ID, "Institution id"),
            _query("region", ID, "Region id (national consultations concern every region)"),
            _query("q", {"type": "string"}, "Words to search for (first 200 characters)"),
        ],
        max_age=60,
        tag="consultations",
    ),
    "/api/v1/consultations/{consultation_id}": get(
        "One consultation with its sections, comment and stance counts",
        "ConsultationDetail",
        parameters=[_path_id("consultation_id")],
        max_age=60,
        tag="consultations",
    ),
    "/api/v1/consultations/{consultation_id}/comments": get(
        "Public comments and replies on a consultation and its sections, oldest first",
        "CommentList",
        parameters=[_path_id("consultation_id"), *PAGING],
        max_age=60,
        tag="consultations",
    ),
    "/api/v1/petitions": get(
        "Public petitions and motions, newest first",
        "PetitionList",
        parameters=[
            *PAGING,
            _query("state", {"type": "string", "enum": PUBLIC_STATE_VALUES}, "State"),
            _query("kind", {"type": "string"}, "Kind key, e.g. petition_head_of_government"),
            _query("addressee", ID, "Addressee institution id"),
            _query("region", ID, "Region id of a territorial petition"),
        ],
        max_age=30,
        tag="petitions",
    ),
    "/api/v1/petitions/{petition_id}": get(
        "One petition: counts by region, the addressee's dated steps and the legal deadline clocks",
        "PetitionDetail",
        parameters=[_path_id("petition_id")],
        max_age=30,
        tag="petitions",
    ),
    "/api/v1/petitions/{petition_id}/count": get(
        "The signature count alone (cheap, cached 5 s)",
        "PetitionCount",
        parameters=[_path_id("petition_id")],
        max_age=5,
        tag="petitions",
    ),
    "/api/v1/petitions/{petition_id}/log": get(
        "The public count log (docs/verifiable-counts.md): entries with their Merkle roots, "
        "chain and changes, and the receipt hashes counted now, for tools/verify_counts.py",
        "CountLog",
        parameters=[_path_id("petition_id")],
        max_age=60,
        tag="petitions",
    ),
}

# --- OGP commitments (participation/ogp; routes in participation/api/commitments.py) ---------------
# Documented here so the document stays in one place; enabled by their routes' registration.
_COMMITMENT = {
    "number": INT1,
    "theme": obj({"key": STRING, "name": LANG}),
    "title": LANG,
    "description": LANG,
    "status": {"type": "string", "enum": sorted(s.value for s in CommitmentStatus)},
    "lead_institution_id": nullable(INT1),
    "milestones_total": INT0,
    "milestones_done": INT0,
    "updated_at": DATETIME,
}
COMMITMENTS_SCHEMAS = {
    "Milestone": obj(
        {"title": LANG, "due_on": nullable(DATE), "done": BOOL, "done_on": nullable(DATE)}
    ),
    "Evidence": obj({"label": LANG, "url": STRING}),
    "ProgressNote": obj(
        {
            "id": INT1,
            "noted_on": DATE,
            "text": LANG,
            "author": nullable(STRING),
            "corrects": nullable(INT1),
            "created_at": DATETIME,
        }
    ),
    "CommitmentSummary": obj(_COMMITMENT),
    "Commitment": obj(
        {
            **_COMMITMENT,
            "milestones": {"type": "array", "items": ref("Milestone")},
            "evidence": {"type": "array", "items": ref("Evidence")},
            "progress_notes": {"type": "array", "items": ref("ProgressNote")},
        }
    ),
    "CommitmentList": listing("CommitmentSummary"),
}
COMMITMENTS_PATHS = {
    "/api/v1/commitments": get(
        "The 18 commitments of the 2018–2020 OGP action plan",
        "CommitmentList",
        parameters=PAGING,
        max_age=300,
        tag="commitments",
    ),
    "/api/v1/commitments/{number}": get(
        "One commitment with milestones, evidence and progress notes",
        "Commitment",
        parameters=[_path_id("number")],
        max_age=300,
        tag="commitments",
    ),
}
# -----------------------------------------------------------------------------------------------


def openapi_path(rule):
    """/api/v1/petitions/<int:petition_id> -> /api/v1/petitions/{petition_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_paths(url_map):
    return sorted(
        {
            openapi_path(rule.rule)
            for rule in url_map.iter_rules()
            if rule.rule.startswith(API_PREFIX)
        }
    )


def build_document(url_map):
    known = {**PATHS, **COMMITMENTS_PATHS}
    paths = {path: known[path] for path in api_paths(url_map) if path in known}
    schemas = dict(SCHEMAS)
    if any(path in COMMITMENTS_PATHS for path in paths):
        schemas.update(COMMITMENTS_SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Participation open-data API",
            "version": VERSION,
            "description": (
                "Read-only open data of Morocco's citizen-participation platform: no login, no personal data. "
                "Lists are paginated (page, per_page up to 100) in the envelope {data, page, per_page, total}. "
                "Translatable texts are objects keyed by language (ar, fr, zgh). Errors are JSON with a stable code."
            ),
            "license": {
                "name": "Open data licence, see the open-data page",
                "identifier": "CC-BY-4.0",
            },
        },
        "paths": paths,
        "components": {"schemas": schemas, "parameters": PARAMETERS},
    }
