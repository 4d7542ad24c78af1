"""The observatory's pages: who may see them, filters (and bad filter values), CSV downloads; the
public statistics page in every language; a constant number of queries at two data sizes."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.models import Region
from participation.petitions.models import Signature, SignatureCounter
from participation.stats.aggregates import refresh_statistics
from participation.stats.periods import add_months, month_of
from tests.factories import make_institution, make_user
from tests.petition_world import deposited
from tests.query_counts import QueryCounter

OBSERVATORY = "/fr/observatory/"
THIS_MONTH = month_of(utcnow())


@pytest.mark.parametrize(
    "roles, status",
    [
        ((), 403),
        ((Role.OFFICER,), 403),
        ((Role.MODERATOR,), 403),
        ((Role.OBSERVER,), 200),
        ((Role.ADMINISTRATOR,), 200),
    ],
)
def test_only_observers_and_administrators_see_the_observatory(app, client, login, roles, status):
    login(make_user(roles=roles))
    assert client.get(OBSERVATORY).status_code == status
    assert client.get("/fr/observatory/participation-by-month.csv").status_code == status
    navigation = client.get("/fr/stats").get_data(as_text=True)
    assert ('href="/fr/observatory/"' in navigation) == (status == 200)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(OBSERVATORY)
    assert response.status_code == 302
    assert "/fr/account/login" in response.headers["Location"]


@pytest.fixture
def observer(app, login):
    user = make_user(roles=[Role.OBSERVER])
    login(user)
    return user


def _signatures_in(signers=6):
    """A deposited petition signed by `signers` people of the first region."""
    petition, people = deposited(signers=signers)
    refresh_statistics()
    db.session.commit()
    return petition, people


def test_the_observatory_shows_every_section_with_charts_tables_and_csv_links(
    world, client, observer
):
    _signatures_in()
    html = client.get(OBSERVATORY).get_data(as_text=True)
    for anchor in ('id="participation"', 'id="consultations"', 'id="petitions"', 'id="moderation"'):
        assert anchor in html
    assert html.count('role="img"') >= 10
    assert "<caption" in html  # with an id: the scroll region around the table names it
    assert 'href="/fr/observatory/participation-by-region.csv?start=' in html
    assert "<script" not in html.split("</header>")[1]


def test_filter_by_region_and_download_csv(world, client, observer):
    petition, people = _signatures_in()
    region = db.session.get(Region, people[0].identity.region_id)
    other = db.session.scalar(sa.select(Region).where(Region.id != region.id).order_by(Region.code))
    period = {
        "start": add_months(THIS_MONTH, -2).strftime("%Y-%m"),
        "end": THIS_MONTH.strftime("%Y-%m"),
    }
    response = client.get(
        "/fr/observatory/participation-by-region.csv", query_string={**period, "region": region.id}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    header, row = rows
    signatures = row[header.index("Signatures")]
    assert signatures == "6"
    assert row[0] == region.display_name("fr")
    response = client.get(
        "/fr/observatory/participation-by-region.csv", query_string={**period, "region": other.id}
    )
    header, row = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert row[header.index("Signatures")] == "0"
    html = client.get(OBSERVATORY, query_string={**period, "region": region.id}).get_data(
        as_text=True
    )
    assert (
        f'<option selected value="{region.id}">' in html or f'value="{region.id}" selected' in html
    )


def test_small_numbers_are_masked_in_the_csv(world, client, observer):
    _signatures_in(signers=3)
    body = client.get("/fr/observatory/participation-by-month.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    this_month = rows[-1]
    assert this_month[0] == THIS_MONTH.strftime("%Y-%m")
    assert this_month[rows[0].index("Signatures")] == "< 5"


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13"},
        {"start": "march"},
        {"end": "2026-1"},
        {"start": "2017-12"},
        {"end": "2999-01"},
        {"start": "2026-06", "end": "2026-01"},
        {"start": "2018-01", "end": "2028-01"},
        {"region": "abc"},
        {"region": "99999"},
        {"institution": "-1"},
        {"institution": "1e9"},
    ],
)
def test_bad_filters_give_a_translated_message(app, client, observer, query):
    response = client.get(OBSERVATORY, query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field__error"' in html
    for english in (
        "Enter a month",
        "Choose one of",
        "The period",
        "The end of the period",
        "Statistics start",
    ):
        assert english not in html  # translated
    assert (
        client.get("/fr/observatory/participation-by-month.csv", query_string=query).status_code
        == 400
    )


def test_unknown_tables_are_not_found(app, client, observer):
    assert client.get("/fr/observatory/nothing.csv").status_code == 404
    assert client.get("/fr/observatory/participation-nothing.csv").status_code == 404
    assert client.get("/fr/stats/nothing.csv").status_code == 404


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_public_statistics_page_in_every_language(world, client, lang):
    deposited(signers=6)
    refresh_statistics()
    db.session.commit()
    response = client.get(f"/{lang}/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="headline"' in html
    assert 'id="signatures-by-region"' in html
    assert 'id="participation-by-month"' in html
    assert html.count('role="img"') >= 3
    assert f'href="/{lang}/stats"' in html  # the footer link
    body = client.get(f"/{lang}/stats/signatures-by-region.csv").get_data(as_text=True)
    assert ",6," in body
    assert body.startswith("\ufeff")


def _grow(petition, people, count):
    """`count` more signatures and comments rows, written straight to the database."""
    now = utcnow()
    start = db.session.scalar(sa.select(sa.func.max(Signature.id))) or 0
    users = [make_user(commit=False) for _ in range(count)]
    db.session.add_all(
        [
            Signature(
                petition_id=petition.id,
                user_id=user.id,
                cin_hash=f"grow-{start}-{n}",
                region_id=people[0].identity.region_id,
                province_id=people[0].identity.province_id,
                status="counted",
                created_at=now - timedelta(days=n % 300),
            )
            for n, user in enumerate(users)
        ]
    )
    db.session.add(
        SignatureCounter(
            petition_id=petition.id,
            province_key=people[0].identity.province_id,
            shard=99,
            region_key=people[0].identity.region_id,
            count=count,
        )
    )
    db.session.commit()
    refresh_statistics(everything=True)
    db.session.commit()


def test_the_pages_do_a_constant_number_of_queries(world, client, observer):
    make_institution()
    petition, people = _signatures_in()
    paths = [
        OBSERVATORY,
        f"{OBSERVATORY}?region={people[0].identity.region_id}",
        "/fr/stats",
        "/fr/observatory/petitions-legal-deadlines.csv",
    ]

    def counts():
        result = {}
        for path in paths:
            client.get(path)
            db.session.expire_all()  # the test shares its session with the requests: start each one cold
            with QueryCounter(db.engine) as counter:
                assert client.get(path).status_code == 200
            result[path] = counter.count
        return result

    small = counts()
    _grow(petition, people, 300)
    assert counts() == small
