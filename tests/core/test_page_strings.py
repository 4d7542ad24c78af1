"""No English left on the pages (issue 13, item 2): the strings of every template reach the catalogs,
and WTForms' own validator messages are translated in the three languages, Amazigh included (WTForms
and Flask-WTF ship no zgh catalog)."""

import configparser
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from flask_babel import force_locale, gettext
from wtforms import DecimalField, StringField
from wtforms.validators import Length, NumberRange

from participation.core.forms import Form
from participation.core.i18n import FORMAT_LOCALES
from participation.core.models import utcnow
from participation.extensions import db
from tests.conftest import csrf_token
from tests.factories import make_consultation, make_institution

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("ar", "fr", "zgh")
TIFINAGH = re.compile("[\u2d30-\u2d7f]")
ARABIC = re.compile("[\u0600-\u06ff]")


def _jinja_options():
    """The options babel.cfg gives the Jinja extractor, with errors made loud."""
    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    options = dict(config["jinja2: templates/**.html"])
    options["silent"] = "false"
    return options


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")),
)
def test_every_template_is_read_by_the_extractor(template):
    """Jinja's extractor silently skips a template it cannot parse (one using `{% do %}` when the
    extension is not declared), and its strings then never reach the catalogs."""
    list(extract_from_file("jinja2", str(ROOT / template), options=_jinja_options()))


OUTCOME_STRINGS = [
    "You said, we did: the outcome report",
    "Decisions, section by section",
    "Section",
    "Read the final text",
]


def _main(html):
    return unescape(re.search(r"<main.*</main>", html, re.S).group(0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_outcome_report_is_in_the_page_language(client, app, lang):
    from participation.consultations.models import OutcomeReport, SectionOutcome

    consultation = make_consultation(
        institution=make_institution(),
        state="outcome_published",
        closes_at=utcnow() - timedelta(days=1),
        opens_at=utcnow() - timedelta(days=9),
    )
    report = OutcomeReport(
        consultation_id=consultation.id,
        summary={"ar": "ملخص", "fr": "Résumé", "zgh": "ⴰⴳⵣⵣⵓⵍ"},
        final_text_url="https://www.sgg.gov.ma/",
        published_at=utcnow(),
    )
    report.sections = [
        SectionOutcome(section_id=s.id, decision="accepted", reasons={lang: "—"})
        for s in consultation.sections
    ]
    db.session.add(report)
    db.session.commit()
    page = _main(
        client.get(f"/{lang}/consultations/{consultation.id}-{consultation.slug}").get_data(
            as_text=True
        )
    )
    for english in ["You said, we did", "Published on", "section by section", "Read the final"]:
        assert english not in page
    if lang != "fr":  # "Section" and "Décision" are French too
        assert not re.search(r"\b(Section|Decision|Reasons)\b", page)
    with force_locale(FORMAT_LOCALES[lang]):
        for english in OUTCOME_STRINGS:
            assert gettext(english) in page


def _register(client, lang, **fields):
    data = {
        "email": "new@example.org",
        "display_name": "Amina",
        "password": "a long and unusual passphrase 93",
        "password_confirm": "a long and unusual passphrase 93",
        "language": lang,
        "csrf_token": csrf_token(client, f"/{lang}/account/register"),
    }
    data.update(fields)
    response = client.post(f"/{lang}/account/register", data=data)
    return _main(response.get_data(as_text=True))


def _error_summary(page):
    return re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_error_summary_heading_is_in_the_page_language(client, lang):
    summary = _error_summary(_register(client, lang, display_name="A"))
    heading = re.search(r"<h2>(.*?)</h2>", summary, re.S).group(1)
    assert "Please correct" not in heading
    with force_locale(FORMAT_LOCALES[lang]):
        assert heading == gettext("Please correct the following:")


@pytest.mark.parametrize("lang", ["zgh", "ar"])
def test_a_too_short_field_is_reported_in_the_page_script(client, lang):
    summary = _error_summary(_register(client, lang, display_name="A"))
    message = re.findall(r"</a>:\s*(.*?)</li>", summary, re.S)[0].strip()
    assert "Field must be" not in message
    assert not re.search("[A-Za-z]", message), message
    script = TIFINAGH if lang == "zgh" else ARABIC
    assert script.search(message), message
    assert "2" in message and "80" in message


def test_a_too_short_field_is_reported_in_french(client):
    summary = _error_summary(_register(client, "fr", display_name="A"))
    assert "Field must be" not in summary
    assert "2" in summary and "80" in summary


class _Built(Form):
    class Meta:
        csrf = False

    short = StringField(validators=[Length(min=3)])
    long = StringField(validators=[Length(max=2)])
    exact = StringField(validators=[Length(min=2, max=2)])
    between = StringField(validators=[Length(min=2, max=4)])
    at_least = DecimalField(validators=[NumberRange(min=5)])
    at_most = DecimalField(validators=[NumberRange(max=1)])
    inside = DecimalField(validators=[NumberRange(min=1, max=2)])
    decimal = DecimalField()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_built_in_message_the_platform_can_show_is_translated(app, lang):
    from werkzeug.datastructures import MultiDict

    data = MultiDict(
        {
            "short": "a",
            "long": "abc",
            "exact": "a",
            "between": "a",
            "at_least": "1",
            "at_most": "3",
            "inside": "9",
            "decimal": "x",
        }
    )
    with app.test_request_context(f"/{lang}/"), force_locale(FORMAT_LOCALES[lang]):
        form = _Built(formdata=data)
        assert not form.validate()
        messages = [str(m) for errors in form.errors.values() for m in errors]
    assert len(messages) == len(data)
    for message in messages:
        assert not message.startswith(("Field ", "Number ", "Not a valid")), message
        if lang == "zgh":
            assert TIFINAGH.search(message) and not re.search("[A-Za-z]{2,}", message), message
        if lang == "ar":
            assert ARABIC.search(message), message
