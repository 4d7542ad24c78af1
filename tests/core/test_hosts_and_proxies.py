"""Findings 3 and 15 of the December review: links in e-mails come from PUBLIC_BASE_URL, never from
the request's Host header; requests for unknown hosts are refused (TRUSTED_HOSTS); behind a
reverse proxy (TRUSTED_PROXIES hops) per-address controls key on the real client."""

import re
from pathlib import Path

import pytest

import participation
from config import ROOT, load_config
from tests.factories import make_user

PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 40,
    "CIN_HASH_KEY": "hash-key",
    "CIN_ENCRYPTION_KEYS": "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZC11c2U=",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1/none",
    "PUBLIC_BASE_URL": "https://participation.ma",
}


def _forgot(client, email, host=None):
    """The forgotten-password form, fetched and sent with `host` as the Host header."""
    headers = {"Host": host} if host else {}
    page = client.get("/fr/account/password/forgot", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "csrf_token": token.group(1) if token else ""}
    return client.post("/fr/account/password/forgot", data=data, headers=headers)


def test_a_request_for_an_unknown_host_is_refused_and_queues_nothing(app, client, outbox):
    user = make_user()
    response = _forgot(client, user.email, host="attacker.example")
    assert response.status_code == 400
    assert outbox(to_address=user.email) == []


def test_reset_links_use_the_public_address_even_when_every_host_is_admitted(app, client, outbox):
    """The host check is one control; the link's origin is another, which must hold on its own
    (a deployment that widens TRUSTED_HOSTS must not start mailing attackers' hosts)."""
    app.config["TRUSTED_HOSTS"] = None
    user = make_user()
    assert _forgot(client, user.email, host="attacker.example").status_code == 200
    [mail] = outbox(to_address=user.email)
    links = re.findall(r"https?://[^\s/]+", mail.body_text)
    assert links, mail.body_text
    assert set(links) == {"http://participation.test"}, mail.body_text


def test_the_share_links_use_the_public_address(app, client):
    app.config["TRUSTED_HOSTS"] = None
    page = client.get("/fr/", headers={"Host": "attacker.example"}).get_data(as_text=True)
    assert "attacker.example" not in page


def test_no_code_builds_an_absolute_link_from_the_request():
    """Structural: only core/urls.external_url makes absolute links, from PUBLIC_BASE_URL."""
    offenders = []
    sources = [
        *Path(participation.__file__).parent.rglob("*.py"),
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "templates").rglob("*.txt"),
    ]
    for path in sources:
        if path.name == "urls.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (
            "_external=True",
            "_external = True",
            "host_url",
            "url_root",
            "request.host",
        ):
            if pattern in text:
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_production_refuses_to_start_without_a_public_address(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    config = load_config("production")
    assert config.TRUSTED_HOSTS == ["participation.ma"]
    assert config.TRUSTED_PROXIES == 0
    monkeypatch.setenv("PUBLIC_BASE_URL", "participation.ma")  # not an absolute address
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        load_config("production")
    monkeypatch.delenv("PUBLIC_BASE_URL")
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        load_config("production")


def test_trusted_hosts_can_be_listed(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TRUSTED_HOSTS", "participation.ma, www.participation.ma,.gov.ma")
    assert load_config("production").TRUSTED_HOSTS == [
        "participation.ma",
        "www.participation.ma",
        ".gov.ma",
    ]


def _api_statuses(client, forwarded_for):
    return [
        client.get("/api/v1/petitions", headers={"X-Forwarded-For": address}).status_code
        for address in forwarded_for
    ]


SCHEMES_SEEN = []


def _record_schemes(app):
    from flask import request

    app.before_request(lambda: SCHEMES_SEEN.append(request.scheme))


class TestBehindOneProxy:
    @pytest.fixture
    def config_overrides(self):
        return {"TRUSTED_PROXIES": 1, "RATELIMIT_API": "2 per minute"}

    def test_each_client_has_its_own_limits(self, app, client):
        # Three clients behind the same proxy: none is limited by the others' requests.
        assert _api_statuses(
            client, ["203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.3"]
        ) == [200, 200, 200, 200]
        assert _api_statuses(client, ["203.0.113.1"]) == [429]

    def test_only_the_last_hop_is_believed(self, app, client):
        # A client cannot escape its limit by adding addresses of its own in front of the proxy's.
        statuses = [
            client.get(
                "/api/v1/petitions", headers={"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.9"}
            ).status_code
            for n in range(3)
        ]
        assert statuses == [200, 200, 429]

    @pytest.mark.parametrize("extend_app", [_record_schemes], ids=["recording schemes"])
    def test_the_scheme_is_the_proxys(self, app, client):
        SCHEMES_SEEN.clear()
        client.get("/fr/", headers={"X-Forwarded-Proto": "https"})
        assert SCHEMES_SEEN == ["https"]


class TestExposedDirectly:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_API": "2 per minute"}

    def test_forwarded_headers_are_ignored(self, app, client):
        # Without a proxy, X-Forwarded-For is whatever the client writes: it must not pick the key.
        assert _api_statuses(client, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [
            200,
            200,
            429,
        ]
