"""Ids in URLs: a number no INTEGER key can hold names nothing (404), never a database overflow."""

import re

from participation.core.routing import MAX_ID


def _paths(app, number):
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            path = re.sub(r"<int:\w+>", str(number), rule.rule.replace("<lang:lang_code>", "fr"))
            yield rule, re.sub(r"<[\w:]+>", "x", path)


def test_ids_beyond_an_integer_key_are_not_found_on_every_route(client, app):
    outcomes = {}
    for rule, path in _paths(app, 99999999999999999999):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            outcomes[f"{method} {path}"] = client.open(path, method=method).status_code
    assert outcomes, outcomes
    assert all(status in (404, 405) for status in outcomes.values()), outcomes


def test_the_largest_integer_key_still_routes(app):
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/api/v1/petitions/{MAX_ID}/count")
    assert endpoint == "api.petition_count"
    assert values["petition_id"] == MAX_ID
