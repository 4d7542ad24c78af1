"""A petition's signatures by region follow the statistics' small-number rule (issue 16, item 11):
a region with 1 to STATS_MIN_GROUP - 1 signatures shows "< 5", on the petition page, in the API and
in the open data, all read from petitions.queries.list_public_region_counts."""

import re

import pytest

from participation.core.small_numbers import MASKED
from participation.extensions import db
from participation.petitions import queries, signing
from tests.factories import make_identity, make_user
from tests.petition_world import citizen, open_petition, provinces_of_regions


@pytest.fixture
def signed(world):
    """An open petition signed from three places: 6 people of one region, 2 of another, 1 abroad."""
    petition, _initiator, _members = open_petition()
    first, second = provinces_of_regions(2)
    abroad = make_user()
    make_identity(abroad, cin="ZZ900001", province=None)
    people = [citizen(first) for _ in range(6)] + [citizen(second) for _ in range(2)] + [abroad]
    for person in people:
        signing.sign_petition(person, petition, consent=True)
    db.session.commit()
    return petition, first.region_id, second.region_id


def test_small_counts_are_withheld_largest_first(signed):
    petition, first, second = signed
    assert queries.list_public_region_counts([petition.id]) == {
        petition.id: [(first, 6), (0, MASKED), (second, MASKED)]
    }
    assert queries.count_signatures_by_region(petition.id) == {first: 6, second: 2, 0: 1}


def test_the_setting_moves_the_threshold(app, signed):
    petition, first, second = signed
    app.config["STATS_MIN_GROUP"] = 2
    assert queries.list_public_region_counts([petition.id])[petition.id] == [
        (first, 6),
        (second, 2),
        (0, MASKED),
    ]


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_petition_page_shows_small_counts_as_fewer_than(client, signed, lang):
    petition, _first, _second = signed
    html = client.get(f"/{lang}/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    table = html.split('id="by-region-caption"')[1].split("</table>")[0]
    cells = re.findall(r"<tr><td>.*?</td><td>(.*?)</td></tr>", table)
    assert len(cells) == 3
    assert cells[1] == cells[2] != cells[0]
    assert "5" in cells[1] and "2" not in cells[1] and "1" not in cells[1]
    assert "2" not in "".join(re.sub(r"<[^>]+>", "", cell) for cell in cells[1:])
    note = html.split("</table>")[1].split("</p>")[0]
    assert cells[1] in note  # the note says what "< 5" means


def test_the_page_has_no_note_when_nothing_is_withheld(client, world):
    petition, _initiator, _members = open_petition()
    for _ in range(5):
        signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    html = client.get(f"/fr/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert "<td>5</td>" in html and "&lt; 5" not in html


def test_the_api_withholds_the_same_counts(client, signed):
    petition, first, second = signed
    rows = client.get(f"/api/v1/petitions/{petition.id}").get_json()["signatures_by_region"]
    assert [(r["region_id"], r["signature_count"], r["fewer_than"]) for r in rows] == [
        (first, 6, None),
        (None, None, 5),
        (second, None, 5),
    ]
