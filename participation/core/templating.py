"""Values every template can use: the language, its direction, the language switcher."""

from urllib.parse import urlencode

from flask import request, url_for
from flask_login import current_user

from participation.core import i18n


QUERY_SAFE = "!$'()*,/:;?@"


def url_with_query(endpoint, query, **values):
    """url_for(endpoint, **values) followed by `query` (a MultiDict, such as request.args) as its
    query string. The query never becomes url_for's keyword arguments: there a visitor's
    ?_method=POST, ?endpoint=x, ?_external=1 or a name of the route's own parameters would change
    the URL built, or fail to build it (a 500)."""
    url = url_for(endpoint, **values)
    pairs = list(query.items(multi=True))
    if not pairs:
        return url
    # Percent-encoded as url_for encodes its own query arguments (the WHATWG URL standard's set).
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pairs, safe=QUERY_SAFE)}"


def current_url(**changes):
    """This page with its query string, `changes` replacing some of its parameters (pagination)."""
    query = request.args.copy()
    for name, value in changes.items():
        query.setlist(name, [value])
    return url_with_query(request.endpoint, query, **(request.view_args or {}))


def switch_language_urls():
    """The current page in each language; pages without an endpoint fall back to the home page."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    args.pop("lang_code", None)  # set below; present when the language preprocessor has not run
    urls = {}
    for lang in i18n.LANGUAGES:
        if endpoint and "lang_code" in _arguments(endpoint) and request.method == "GET":
            urls[lang] = url_with_query(endpoint, request.args, **args, lang_code=lang)
        else:
            urls[lang] = url_for("public.home", lang_code=lang)
    return urls


def _arguments(endpoint):
    from flask import current_app

    return {arg for rule in current_app.url_map.iter_rules(endpoint) for arg in rule.arguments}


def template_globals():
    from participation.core.switches import banner, is_on, switch_message

    return {
        "banner": banner,
        "switch_on": is_on,
        "switch_message": switch_message,
        "lang": i18n.current_language(),
        "text_dir": i18n.text_direction(),
        "language_names": i18n.LANGUAGE_NAMES,
        "language_labels": i18n.LANGUAGE_LABELS,
        "in_language": i18n.in_language,
        "language_mark": i18n.language_mark,
        "user_text": i18n.user_text,
        "text_directions": i18n.DIRECTIONS,
        "languages": i18n.LANGUAGES,
        "switch_language_urls": switch_language_urls,
        "url_with_query": url_with_query,
        "current_url": current_url,
        "current_user": current_user,
    }
