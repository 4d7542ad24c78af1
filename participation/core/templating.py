"""Values every template can use: the language, its direction, the language switcher."""
from flask import request, url_for
from flask_login import current_user

from participation.core import i18n


def switch_language_urls():
    """The current page in each language; pages without an endpoint fall back to the home page."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    args.pop("lang_code", None)  # set below; present when the language preprocessor has not run
    urls = {}
    for lang in i18n.LANGUAGES:
        if endpoint and "lang_code" in _arguments(endpoint) and request.method == "GET":
            urls[lang] = url_for(endpoint, **args, lang_code=lang, **request.args.to_dict())
        else:
            urls[lang] = url_for("public.home", lang_code=lang)
    return urls


def _arguments(endpoint):
    from flask import current_app

    return {arg for rule in current_app.url_map.iter_rules(endpoint) for arg in rule.arguments}


def template_globals():
    from participation.auth import permissions
    from participation.core.switches import banner

    return {
        "banner": banner,
        "lang": i18n.current_language(),
        "text_dir": i18n.text_direction(),
        "language_names": i18n.LANGUAGE_NAMES,
        "languages": i18n.LANGUAGES,
        "switch_language_urls": switch_language_urls,
        "perms": permissions,
        "current_user": current_user,
    }
