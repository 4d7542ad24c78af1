"""Where the signatures come from (issue 16, item 13): the observatory's participation by region
and the public statistics' signatures by region are drawn as a tile map of the 12 regions beside
their tables, with the tables' numbers (small-number rule included)."""

import re
from html import unescape

import pytest

from participation.auth.models import Role
from participation.extensions import db
from participation.institutions.models import Region
from participation.stats.aggregates import refresh_statistics
from tests.factories import make_user
from tests.petition_world import deposited


@pytest.fixture
def signed(world):
    """A deposited petition signed by 6 people of the first region."""
    petition, people = deposited(signers=6)
    refresh_statistics()
    db.session.commit()
    return db.session.get(Region, people[0].identity.region_id)


def map_values(html, key):
    svg = re.search(rf'<svg[^>]*aria-labelledby="{key}-map-title[^>]*>.*?</svg>', html, re.S)
    assert svg, f"no map for {key}"
    return {
        unescape(title.split(":")[0]).strip(): unescape(value)
        for title, value in re.findall(
            r"<g class=\"region-map__tile[^\"]*\">\s*<title>(.*?)</title>"
            r'.*?class="region-map__value">(.*?)</text>',
            svg.group(0),
            re.S,
        )
    }


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_observatory_maps_participation_by_region(client, login, signed, lang):
    login(make_user(roles=[Role.OBSERVER]))
    html = client.get(f"/{lang}/observatory/").get_data(as_text=True)
    values = map_values(html, "participation-by-region")
    assert len(values) == 12
    assert values[signed.display_name(lang)] != "0"
    assert sum(1 for v in values.values() if v == "0") == 11


def test_a_region_filter_maps_that_region_alone(client, login, signed):
    login(make_user(roles=[Role.OBSERVER]))
    html = client.get("/fr/observatory/", query_string={"region": signed.id}).get_data(as_text=True)
    assert list(map_values(html, "participation-by-region")) == [signed.display_name("fr")]


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_public_statistics_map_signatures_by_region(client, signed, lang):
    html = client.get(f"/{lang}/stats").get_data(as_text=True)
    values = map_values(html, "signatures-by-region")
    assert values[signed.display_name(lang)] == "6"
    assert len(values) == 12
