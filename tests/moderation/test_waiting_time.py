"""How long something has waited, in words of the page's language: the platform's own messages,
because CLDR has no Amazigh unit names (zgh pages showed "47 s" and "1 min")."""

from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from participation.moderation.views import waiting_time

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
EXPECTED = {
    "ar": ["أقل من دقيقة", "دقيقتان", "3 ساعات", "يوم واحد", "15 يومًا"],
    "fr": ["moins d'une minute", "2 minutes", "3 heures", "1 jour", "15 jours"],
    "zgh": ["ⴷⵔⵓⵙ ⵏ ⵢⴰⵜ ⵜⵓⵙⴷⵉⴷⵜ", "2 ⵏ ⵜⵓⵙⴷⵉⴷⵉⵏ", "3 ⵏ ⵜⵙⵔⴰⴳⵉⵏ", "1 ⵡⴰⵙⵙ", "15 ⵏ ⵡⵓⵙⵙⴰⵏ"],
}
WAITED = [
    timedelta(seconds=47),
    timedelta(minutes=2, seconds=59),
    timedelta(hours=3, minutes=59),
    timedelta(hours=47),
    timedelta(days=15, hours=1),
]


@pytest.mark.parametrize("lang", EXPECTED)
def test_waiting_times_are_words_of_the_page_language(app, lang):
    with app.test_request_context(), force_locale(lang):
        shown = [waiting_time(NOW - waited, now=NOW) for waited in WAITED]
    assert shown == EXPECTED[lang]
