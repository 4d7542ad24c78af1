"""Times are stored in UTC, typed and shown in Morocco's legal time, with one time-zone database.

The bug this guards against (issue 13, item 1): the input side converted with the operating
system's zoneinfo (tzdata 2025b on the servers' Debian 12, still +01 after 20 September 2026)
and the pages with Flask-Babel, which rebases with pytz (2026f: +00). An officer typed 18:00,
17:00 UTC was stored, and every page showed 17:00.

Morocco's clock, as the IANA database has it since release 2026c:
- +01, with +00 during Ramadan, until 20 September 2026; Ramadan 2026 ran on +00 from
  15 February 02:00 UTC (the clock went back from 03:00 to 02:00) to 22 March 02:00 UTC
  (forward from 02:00 to 03:00);
- permanent +00 from 20 September 2026 01:00 UTC (back from 02:00 to 01:00). December 2026 and
  Ramadan 2027 are therefore on +00: older databases (2025b) still move the clock on
  7 February and 14 March 2027, and put December 2026 at +01.
The expected strings below are written out by hand, not computed with the code under test.
"""

import ast
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import tzdata
from flask_babel import force_locale

from participation.auth.models import Role
from participation.consultations.models import Consultation
from participation.core.filters import day, month, morocco_iso, when
from participation.core.timezones import (
    MOROCCO,
    local_to_utc,
    morocco_date,
    utc_to_local_naive,
)
from participation.extensions import db
from tests.factories import make_institution, make_user

ROOT = Path(__file__).resolve().parents[2]
LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "zgh": "zgh_MA"}
UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# Month names of the months used below, and how each locale joins a date and a time.
MONTH_NAMES = {
    "ar": {1: "يناير", 2: "فبراير", 3: "مارس", 9: "شتنبر", 12: "دجنبر"},
    "fr": {1: "janvier", 2: "février", 3: "mars", 9: "septembre", 12: "décembre"},
    "zgh": {1: "ⵉⵏⵏⴰⵢⵔ", 2: "ⴱⵕⴰⵢⵕ", 3: "ⵎⴰⵕⵚ", 9: "ⵛⵓⵜⴰⵏⴱⵉⵔ", 12: "ⴷⵓⵊⴰⵏⴱⵉⵔ"},
}
JOINS = {"ar": "، ", "fr": ", ", "zgh": " "}

# (instant in UTC, what Morocco's clock reads then, offset)
INSTANTS = [
    pytest.param(utc(2025, 12, 7, 12), (2025, 12, 7, "13:00"), 1, id="december-2025-plus-one"),
    pytest.param(utc(2026, 12, 7, 12), (2026, 12, 7, "12:00"), 0, id="december-2026-plus-zero"),
    pytest.param(utc(2026, 12, 7, 23, 30), (2026, 12, 7, "23:30"), 0, id="december-2026-late"),
    pytest.param(utc(2026, 3, 1, 12), (2026, 3, 1, "12:00"), 0, id="inside-ramadan-2026"),
    pytest.param(utc(2027, 2, 20, 12), (2027, 2, 20, "12:00"), 0, id="inside-ramadan-2027"),
    pytest.param(utc(2027, 1, 1, 6, 1), (2027, 1, 1, "06:01"), 0, id="new-year-2027"),
    # Ramadan 2026 begins: back from 03:00 to 02:00.
    pytest.param(utc(2026, 2, 15, 1, 59), (2026, 2, 15, "02:59"), 1, id="before-ramadan-2026"),
    pytest.param(utc(2026, 2, 15, 2, 0), (2026, 2, 15, "02:00"), 0, id="ramadan-2026-first-minute"),
    pytest.param(utc(2026, 2, 15, 2, 59), (2026, 2, 15, "02:59"), 0, id="ramadan-2026-first-hour"),
    # Ramadan 2026 ends: forward from 02:00 to 03:00.
    pytest.param(utc(2026, 3, 22, 1, 59), (2026, 3, 22, "01:59"), 0, id="end-of-ramadan-2026"),
    pytest.param(
        utc(2026, 3, 22, 2, 0), (2026, 3, 22, "03:00"), 1, id="after-ramadan-first-minute"
    ),
    pytest.param(utc(2026, 3, 22, 2, 59), (2026, 3, 22, "03:59"), 1, id="after-ramadan-first-hour"),
    # Permanent +00: back from 02:00 to 01:00.
    pytest.param(utc(2026, 9, 20, 0, 59), (2026, 9, 20, "01:59"), 1, id="last-minute-at-plus-one"),
    pytest.param(utc(2026, 9, 20, 1, 0), (2026, 9, 20, "01:00"), 0, id="permanent-first-minute"),
    pytest.param(utc(2026, 9, 20, 1, 59), (2026, 9, 20, "01:59"), 0, id="permanent-first-hour"),
    # Where an outdated database would still move the clock for Ramadan 2027.
    pytest.param(utc(2027, 2, 7, 2, 0), (2027, 2, 7, "02:00"), 0, id="no-change-7-feb-2027"),
    pytest.param(utc(2027, 3, 14, 2, 0), (2027, 3, 14, "02:00"), 0, id="no-change-14-mar-2027"),
]

# Instants whose clock reading was already shown an hour earlier (the clock went back).
SECOND_TIME_ROUND = {
    utc(2026, 2, 15, 2, 0),
    utc(2026, 2, 15, 2, 59),
    utc(2026, 9, 20, 1, 0),
    utc(2026, 9, 20, 1, 59),
}


def expected_when(lang, year, month_number, day_number, clock):
    return f"{day_number} {MONTH_NAMES[lang][month_number]} {year}{JOINS[lang]}{clock}"


def test_the_zone_is_read_from_the_pinned_tz_database():
    # Releases before 2026c keep Morocco at +01 after 20 September 2026.
    assert tzdata.IANA_VERSION >= "2026c"
    assert MOROCCO.key == "Africa/Casablanca"
    assert MOROCCO.utcoffset(datetime(2026, 12, 7, 12)) == timedelta(0)


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("instant, local, offset", INSTANTS)
def test_times_are_shown_on_moroccos_clock(app, lang, instant, local, offset):
    year, month_number, day_number, clock = local
    with force_locale(LOCALES[lang]):
        assert when(instant) == expected_when(lang, year, month_number, day_number, clock)
        assert day(instant) == f"{day_number} {MONTH_NAMES[lang][month_number]} {year}"
    sign = f"+0{offset}:00"
    assert morocco_iso(instant) == f"{year}-{month_number:02}-{day_number:02}T{clock}{sign}"
    assert morocco_date(instant) == date(year, month_number, day_number)


@pytest.mark.parametrize("instant, local, offset", INSTANTS)
def test_a_time_shown_is_read_back_as_the_same_instant(instant, local, offset):
    year, month_number, day_number, clock = local
    typed = datetime(year, month_number, day_number, *map(int, clock.split(":")))
    assert utc_to_local_naive(instant) == typed
    if instant in SECOND_TIME_ROUND:
        # The hour after the clock goes back is shown twice; a typed time is read as the first.
        assert local_to_utc(typed) == instant - timedelta(hours=1)
    else:
        assert local_to_utc(typed) == instant


@pytest.mark.parametrize(
    "typed, stored",
    [
        (datetime(2025, 12, 7, 18), utc(2025, 12, 7, 17)),  # +01
        (datetime(2026, 12, 7, 18), utc(2026, 12, 7, 18)),  # +00
        (datetime(2027, 2, 20, 18), utc(2027, 2, 20, 18)),  # +00, Ramadan 2027
        # 02:30 on 22 March 2026 never showed (02:00 became 03:00): read with the offset before.
        (datetime(2026, 3, 22, 2, 30), utc(2026, 3, 22, 2, 30)),
    ],
)
def test_typed_local_times_are_stored_in_utc(typed, stored):
    assert local_to_utc(typed) == stored


def test_moroccos_date_is_not_the_utc_date():
    late = utc(2025, 12, 31, 23, 30)  # +01: already 2026 in Casablanca
    assert morocco_date(late) == date(2026, 1, 1)
    # naive is UTC, as stored (SQLite's aggregates), not the server's zone
    assert morocco_date(datetime(2025, 12, 31, 23, 30)) == date(2026, 1, 1)


@pytest.mark.parametrize("lang", LOCALES)
def test_dates_and_months_accept_calendar_dates(app, lang):
    with force_locale(LOCALES[lang]):
        assert day(date(2026, 9, 15)) == f"15 {MONTH_NAMES[lang][9]} 2026"
        assert MONTH_NAMES[lang][9] in month(date(2026, 9, 1))
        assert when(None) == day(None) == ""


@pytest.mark.parametrize("lang", LOCALES)
def test_a_month_never_breaks_between_its_name_and_its_year(app, lang):
    with force_locale(LOCALES[lang]):
        shown = month(date(2026, 12, 1))
    assert shown == f"{MONTH_NAMES[lang][12]}\u00a02026"


def test_arabic_dates_have_no_latin_comma(app):
    with force_locale("ar_MA"):
        shown = when(utc(2027, 1, 1, 6, 1))
    assert shown == "1 يناير 2027، 06:01"
    assert "," not in shown


@pytest.fixture
def officer(app, login):
    user = make_user(roles=[Role.OFFICER], institution=make_institution())
    login(user)
    return user


@pytest.mark.parametrize("lang", LOCALES)
def test_an_officer_s_typed_times_come_back_as_typed(client, post_form, officer, lang):
    response = post_form(
        f"/{lang}/institution/consultations/new",
        {
            "title_fr": "Projet de décret",
            "title_ar": "مشروع مرسوم",
            "scope": "national",
            "region_id": "0",
            "province_id": "0",
            "opens_at": "2025-12-07T18:00",
            "closes_at": "2026-12-07T18:00",
            "moderation_mode": "post",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.opens_at == utc(2025, 12, 7, 17)  # Morocco was at +01
    assert consultation.closes_at == utc(2026, 12, 7, 18)  # and has been at +00 since September

    listing = client.get(f"/{lang}/institution/consultations").get_data(as_text=True)
    assert expected_when(lang, 2025, 12, 7, "18:00") in listing
    assert expected_when(lang, 2026, 12, 7, "18:00") in listing
    edit = client.get(f"/{lang}/institution/consultations/{consultation.id}/edit")
    prefilled = dict(re.findall(r'id="(opens_at|closes_at)"[^>]* value="([^"]*)"', edit.text))
    assert datetime.fromisoformat(prefilled["opens_at"]) == datetime(2025, 12, 7, 18)
    assert datetime.fromisoformat(prefilled["closes_at"]) == datetime(2026, 12, 7, 18)


# Structural: one database, one formatting module. Flask-Babel's date functions and filters rebase
# with pytz; the system's zoneinfo may be older than the pinned tzdata; the server's own clock
# (date.today(), naive now(), astimezone() without a zone) is not Morocco's.
BABEL_DATE_FUNCTIONS = {
    "format_datetime",
    "format_date",
    "format_time",
    "format_skeleton",
    "format_interval",
    "to_user_timezone",
    "to_utc",
    "get_timezone",
}
FORMATTING_MODULE = Path("participation/core/filters.py")
ZONE_MODULE = Path("participation/core/timezones.py")


def _modules():
    for path in sorted((ROOT / "participation").rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _time_handling_problems(relative, tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module, names = node.module or "", {alias.name for alias in node.names}
            if module == "flask_babel" and names & BABEL_DATE_FUNCTIONS:
                yield node.lineno, f"flask_babel.{sorted(names & BABEL_DATE_FUNCTIONS)}"
            if (module == "babel.dates" or (module == "babel" and "dates" in names)) and (
                relative != FORMATTING_MODULE
            ):
                yield node.lineno, "babel.dates"
            if module.startswith("pytz"):
                yield node.lineno, "pytz"
            if module == "zoneinfo" and relative != ZONE_MODULE:
                yield node.lineno, "zoneinfo outside core/timezones.py"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in {"pytz", "zoneinfo", "babel.dates"}:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            no_arguments = not node.args and not node.keywords
            if name == "astimezone" and no_arguments:
                yield node.lineno, "astimezone() (the server's zone)"
            if name in {"today", "utcnow"} and isinstance(owner, ast.Name):
                if owner.id in {"date", "datetime"}:
                    yield node.lineno, f"{owner.id}.{name}()"
            if name == "now" and no_arguments and getattr(owner, "id", None) == "datetime":
                yield node.lineno, "datetime.now() without a zone"
            if name == "date" and isinstance(owner, ast.Call):
                called = getattr(owner.func, "id", getattr(owner.func, "attr", None))
                if called == "utcnow":
                    yield node.lineno, "utcnow().date() (the UTC date, not Morocco's)"


def test_times_are_converted_and_formatted_in_one_place():
    problems = [
        f"{relative}:{line}: {what}"
        for relative, tree in _modules()
        for line, what in _time_handling_problems(relative, tree)
    ]
    assert problems == []


def test_the_structural_check_sees_the_old_mistakes():
    old = ast.parse(
        "from flask_babel import format_datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "import pytz\n"
        "from datetime import date\n"
        "today = date.today()\n"
        "here = moment.astimezone()\n"
        "day = utcnow().date()\n"
    )
    found = [what for _line, what in _time_handling_problems(Path("participation/x.py"), old)]
    assert len(found) == 6, found


def test_templates_format_times_with_the_platform_filters(app):
    flask_babel_filters = re.compile(r"\|\s*(datetimeformat|dateformat|timeformat)\b")
    used = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in flask_babel_filters.finditer(path.read_text(encoding="utf-8"))
    ]
    assert used == []
    # and a template that tried would fail to compile rather than show pytz's time
    assert not {"datetimeformat", "dateformat", "timeformat"} & set(app.jinja_env.filters)
    assert app.jinja_env.filters["when"] is when
