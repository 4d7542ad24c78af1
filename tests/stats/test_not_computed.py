"""Before the first refresh of the pre-aggregated figures (a new platform, or the minutes before
the tick's first run), the statistics pages say the figures are not computed yet instead of
showing zeros (issue 16, item 2); the live tables are shown all the same."""

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape

from participation.auth.models import Role
from participation.extensions import db
from participation.stats.aggregates import refresh_statistics
from participation.stats.dashboards import PRE_AGGREGATED
from tests.factories import make_user
from tests.petition_world import deposited


def not_computed(lang):
    """The page's sentence for a table not computed yet, as a page in `lang` writes it."""
    with force_locale(lang):
        return str(escape(gettext("These figures are not computed yet.")))


def blocks_of(html):
    """{table key: whether the block shows its table} of a statistics page."""
    return {
        key: f'id="{key}-caption"' in html
        for key in (*PRE_AGGREGATED, "headline", "signatures-by-region")
        if f'id="{key}-heading"' in html
    }


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_public_page_says_the_monthly_figures_are_not_computed_yet(world, client, lang):
    deposited(signers=6)
    html = client.get(f"/{lang}/stats").get_data(as_text=True)
    shown = blocks_of(html)
    assert shown == {
        "headline": True,
        "participation-by-month": False,
        "signatures-by-region": True,
    }
    assert not_computed(lang) in html

    refresh_statistics()
    db.session.commit()
    html = client.get(f"/{lang}/stats").get_data(as_text=True)
    assert all(blocks_of(html).values())
    assert not_computed(lang) not in html


def test_the_observatory_says_which_tables_are_not_computed_yet(world, client, login):
    deposited(signers=6)
    login(make_user(roles=[Role.OBSERVER]))
    html = client.get("/fr/observatory/").get_data(as_text=True)
    shown = blocks_of(html)
    assert {key for key, table in shown.items() if not table} == PRE_AGGREGATED
    assert html.count(not_computed("fr")) == len(PRE_AGGREGATED)

    refresh_statistics()
    db.session.commit()
    html = client.get("/fr/observatory/").get_data(as_text=True)
    assert all(blocks_of(html).values()) and not_computed("fr") not in html
