"""Where the signatures come from (issue 16, item 13): the petition page draws a tile map of the
12 regions beside its table, with the same numbers, the small-number rule applied (the one of
petitions.queries.list_public_region_counts)."""

import re
from html import unescape

import pytest

from participation.extensions import db
from participation.institutions.models import Region
from participation.petitions import signing
from tests.factories import make_identity, make_user
from tests.petition_world import citizen, open_petition, provinces_of_regions


@pytest.fixture
def signed(world):
    petition, _initiator, _members = open_petition()
    first, second = provinces_of_regions(2)
    abroad = make_user()
    make_identity(abroad, cin="ZZ900002", province=None)
    people = [citizen(first) for _ in range(6)] + [citizen(second) for _ in range(2)] + [abroad]
    for person in people:
        signing.sign_petition(person, petition, consent=True)
    db.session.commit()
    return (
        petition,
        db.session.get(Region, first.region_id),
        db.session.get(Region, second.region_id),
    )


def tiles(html):
    svg = re.search(r'<figure class="region-map">.*?</figure>', html, re.S).group(0)
    return {
        unescape(re.sub(r"\s+", " ", title).strip()): (kind, unescape(value))
        for kind, title, value in re.findall(
            r'<g class="region-map__tile region-map__tile--(\w+)">\s*<title>(.*?)</title>'
            r'.*?class="region-map__value">(.*?)</text>',
            svg,
            re.S,
        )
    }, svg


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_map_shows_each_region_s_number_with_the_table(client, signed, lang):
    petition, first, second = signed
    html = client.get(f"/{lang}/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    drawn, svg = tiles(html)
    assert len(drawn) == 12
    assert 'role="img"' in svg and "<desc" in svg
    by_name = {title.split(":")[0]: kv for title, kv in drawn.items()}
    assert by_name[first.display_name(lang)] == ("4", "6")  # the largest: darkest shade
    kind, shown = by_name[second.display_name(lang)]
    assert kind == "masked" and "2" not in shown and "5" in shown  # "< 5", hatched
    assert sum(1 for kind, value in drawn.values() if value == "0") == 10
    # The table stays beside it, with the same figures.
    table = html.split('id="by-region-caption"')[1].split("</table>")[0]
    assert html.index('class="region-map"') < html.index('id="by-region-caption"')
    assert len(re.findall(r"<tr><td>", table)) == 3
