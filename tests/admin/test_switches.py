import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.audit import AuditEntry
from participation.core.switches import is_on
from participation.extensions import db
from tests.factories import make_user


def test_administrator_pauses_signing_and_shows_a_banner(client, login, post_form, app):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    response = post_form(
        "/fr/admin/switches",
        {
            "key": "banner",
            "banner-enabled": "y",
            "banner-message_fr": "Maintenance ce soir à 22 h.",
        },
    )
    assert response.status_code == 302
    assert "Maintenance ce soir" in client.get("/fr/").get_data(as_text=True)
    assert (
        post_form(
            "/fr/admin/switches", {"key": "pause_signing", "pause_signing-enabled": "y"}
        ).status_code
        == 302
    )
    assert is_on("pause_signing")
    assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["switch.set", "switch.set"]
    assert post_form("/fr/admin/switches", {"key": "nonsense"}).status_code == 400


@pytest.mark.parametrize("roles", [[], [Role.MODERATOR], [Role.OFFICER], [Role.OBSERVER]])
def test_only_administrators(client, login, roles):
    login(make_user(roles=roles))
    assert client.get("/fr/admin/switches").status_code == 403


def test_petition_creation_can_be_paused(app, territories):
    from participation.core.errors import DomainError
    from participation.core.switches import SiteSwitch
    from participation.petitions import services
    from participation.petitions.models import PetitionKind
    from participation.petitions.rules import load_petition_kinds
    from tests.petition_world import citizen, data

    load_petition_kinds()
    db.session.add(SiteSwitch(key="pause_petition_creation", enabled=True))
    db.session.commit()
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    with pytest.raises(DomainError):
        services.create_petition(citizen(), kind, data())


def test_switches_are_cached_per_process_and_a_change_here_is_seen_at_once(
    app, client, login, post_form
):
    from participation.core.switches import SiteSwitch, banner

    app.config["SWITCH_CACHE_SECONDS"] = 3600
    assert not is_on("pause_signing")
    assert banner() is None
    db.session.add(SiteSwitch(key="pause_signing", enabled=True))  # another worker's change
    db.session.commit()
    assert not is_on("pause_signing")  # not read again within the cache time
    login(make_user(roles=[Role.ADMINISTRATOR]))
    post_form(
        "/fr/admin/switches",
        {"key": "banner", "banner-enabled": "y", "banner-message_fr": "Maintenance."},
    )
    assert is_on("pause_signing")
    assert banner() == {"fr": "Maintenance."}  # a change in this process clears it
