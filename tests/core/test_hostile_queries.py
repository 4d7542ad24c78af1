"""No query string makes a page fail (issue 11, finding 9): words that url_for reads as its own
keyword arguments (`_method`, `_external`, `endpoint`...), query parameters named like a route's
own path parameters, numbers beyond every database integer in paging and filters, and file parts
sent in place of a form's text fields. Every GET route of the URL map is visited, anonymous, as a
citizen and as a member of staff, with real seeded objects and with ids that name nothing."""

import importlib
import io
import pkgutil

import pytest
from flask_wtf import FlaskForm

import participation
from participation.auth.forms import EmailForm, LoginForm, RegisterForm
from participation.core.forms import Form
from tests.conftest import csrf_token
from tests.core.route_walk import seed_site, urls_of_every_get_route

HUGE = "99999999999999999999"
# Every query parameter a listing or filter reads as a number.
NUMBER_PARAMETERS = (
    "page",
    "per_page",
    "institution",
    "region",
    "addressee",
    "kind",
    "petition",
    "age",
    "number",
)
URL_FOR_KEYWORDS = {
    "lang_code": "xx",
    "endpoint": "x",
    "_method": "POST",
    "_external": "1",
    "_scheme": "javascript",
    "_anchor": "x",
}


@pytest.fixture
def config_overrides():
    # The walk must not meet the API's limit; a 500 is listed with the others, not raised.
    return {"RATELIMIT_API": "1000000 per minute", "PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def site(app, world):  # noqa: F811
    return seed_site(app)


def hostile_queries(rule):
    return [
        {**URL_FOR_KEYWORDS, **{name: "x" for name in rule.arguments}},
        {name: HUGE for name in NUMBER_PARAMETERS},
        {name: "-" + HUGE for name in NUMBER_PARAMETERS},
        {name: "0" for name in NUMBER_PARAMETERS},
        {name: "1e9" for name in NUMBER_PARAMETERS},
    ]


@pytest.mark.parametrize("visitor", ["anonymous", "citizen", "staff"])
def test_no_query_string_makes_any_get_route_fail(app, client, login, site, visitor):
    if visitor != "anonymous":
        login(getattr(site, visitor))
    failures = []
    for rule, urls in urls_of_every_get_route(app, site):
        for url in urls:
            for query in hostile_queries(rule):
                with client.get(url, query_string=query) as response:  # closes the files sent
                    if response.status_code >= 500:
                        failures.append(f"{response.status_code} {url} {query}")
    assert failures == []


def test_the_language_switcher_keeps_the_query_string_as_it_is(client):
    html = client.get(
        "/fr/consultations/?q=eau&_external=1&endpoint=x&lang_code=ar&page=2"
    ).get_data(as_text=True)
    assert (
        'href="/ar/consultations/?q=eau&amp;_external=1&amp;endpoint=x&amp;lang_code=ar&amp;page=2"'
        in html
    )


FORMS = [
    ("/fr/account/login", LoginForm),
    ("/fr/account/register", RegisterForm),
    ("/fr/account/password/forgot", EmailForm),
]


@pytest.mark.parametrize(("path", "form_class"), FORMS)
def test_a_file_in_place_of_a_text_field_is_refused_as_a_form_error(app, client, path, form_class):
    text_fields = [
        field.name
        for field in form_class(meta={"csrf": False})
        if field.type not in {"FileField", "BooleanField"}
    ]
    assert text_fields
    for name in text_fields:
        data = {"csrf_token": csrf_token(client, path), name: (io.BytesIO(b"not text"), "x.txt")}
        response = client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, name


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_has_the_shared_base_that_keeps_files_out_of_text_fields():
    for module in pkgutil.walk_packages(participation.__path__, "participation."):
        importlib.import_module(module.name)
    forms = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("participation.")]
    assert len(forms) > 40
    assert [f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, Form)] == []
