"""The interface messages as the translators' desk shows them: every entry of the ar, fr and zgh
catalogs side by side, with where it appears.

The catalogs are read with babel from the application's own translations directory
(BABEL_TRANSLATION_DIRECTORIES), again whenever a .po file changes. `translate extract` writes no
locations (--no-location), so where a message appears is found by running babel's extractors once
over the sources named by babel.cfg, the way `translate extract` does, and kept for the process.
A page is named where it can be derived: a template rendered by a view (directly, or by a helper
of the view's module), the templates that extend or include it, and the view functions of a
module whose code holds the message.
"""

import ast
import functools
import gettext
import hashlib
import inspect
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import current_app

from participation.core.i18n import LANGUAGES

MAPPING_FILE = "babel.cfg"
EXTRA_KEYWORDS = ("_l", "lazy_ngettext:1,2", "lazy_pgettext:1c,2")  # as `translate extract -k`
TEMPLATE_REFERENCE = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
RENDERED_TEMPLATE = re.compile(r"""render_template\(\s*["']([^"']+)["']""")

_lock = threading.Lock()
_catalogs = {}  # {(paths, modification times): Catalogs}
LOCATIONS_EXTENSION = "translation_review.locations"  # {(msgctxt, msgid): (Location, ...)}


def entry_key(msgctxt, msgid):
    """A short stable key for an entry (URLs and the review table's index)."""
    return hashlib.sha1(f"{msgctxt}\x04{msgid}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Location:
    path: str  # relative to the repository: templates/ogp/manage.html, participation/ogp/forms.py
    line: int
    pages: tuple = ()  # URL rules of the views that show it, where derivable


@dataclass(frozen=True)
class Entry:
    key: str
    msgid: str
    msgid_plural: str | None
    msgctxt: str
    python_format: bool
    texts: dict  # {language: (msgstr,) or (msgstr[0], ...)}
    locations: tuple = field(default=(), compare=False)

    @property
    def plural(self):
        return self.msgid_plural is not None


@dataclass(frozen=True)
class Catalogs:
    entries: tuple  # in the catalogs' order (sorted by msgid)
    by_key: dict
    plural_counts: dict  # {language: number of plural forms}
    plural_numbers: dict  # {language: (((first numbers of form 0), more of them?), ...)}
    headers: dict  # {language: the catalog's MIME headers}


def _catalog_paths():
    directories = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    paths = {}
    for language in LANGUAGES:
        for directory in directories:
            path = Path(directory) / language / "LC_MESSAGES" / "messages.po"
            if path.is_file():
                paths[language] = path
                break
    return paths


def _strings(message):
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _read_catalogs(paths):
    read = {}
    for language, path in paths.items():
        with path.open("rb") as handle:
            read[language] = read_po(handle, locale=language)
    entries = {}
    for language, catalog in read.items():
        for message in catalog:
            if not message.id:
                continue
            msgid, plural = (
                (message.id[0], message.id[1])
                if isinstance(message.id, (list, tuple))
                else (message.id, None)
            )
            context = message.context or ""
            key = entry_key(context, msgid)
            known = entries.setdefault(
                key,
                {
                    "msgid": msgid,
                    "msgid_plural": plural,
                    "msgctxt": context,
                    "python_format": message.python_format,
                    "texts": {},
                },
            )
            known["texts"][language] = _strings(message)
    ordered = sorted(entries.items(), key=lambda item: (item[1]["msgid"], item[1]["msgctxt"]))
    built = tuple(Entry(key=key, **values) for key, values in ordered)
    return Catalogs(
        entries=built,
        by_key={entry.key: entry for entry in built},
        plural_counts={language: catalog.num_plurals for language, catalog in read.items()},
        plural_numbers={language: _plural_numbers(catalog) for language, catalog in read.items()},
        headers={language: catalog.mime_headers for language, catalog in read.items()},
    )


def _plural_numbers(catalog, shown=3, up_to=200):
    """For each plural form of the catalog, the first numbers that use it and whether others do
    too, up to `up_to` (labels of the forms): Arabic's ((0,), False), ((1,), False), ...,
    ((3, 4, 5), True)..."""
    choose = gettext.c2py(catalog.plural_expr)
    numbers = [[] for _ in range(catalog.num_plurals)]
    more = [False] * catalog.num_plurals
    for n in range(up_to + 1):
        form = choose(n)
        if form < len(numbers):
            if len(numbers[form]) < shown:
                numbers[form].append(n)
            else:
                more[form] = True
    return tuple((tuple(found), more[form]) for form, found in enumerate(numbers))


def read_catalogs():
    """The catalogs of the configured translations directory, read again when a file changes."""
    paths = _catalog_paths()
    stamp = tuple(
        (language, str(path), path.stat().st_mtime_ns) for language, path in paths.items()
    )
    with _lock:
        catalogs = _catalogs.get(stamp)
        if catalogs is None:
            catalogs = _read_catalogs(paths)
            _catalogs.clear()
            _catalogs[stamp] = catalogs
    return catalogs


# Where messages appear


def _source_root():
    return Path(current_app.root_path).parent


def _extract(root):
    """{(msgctxt, msgid): [(path, line)]} from the sources babel.cfg names."""
    mapping = root / MAPPING_FILE
    if not mapping.is_file():
        return {}
    with mapping.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, MAPPING_FILE)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(EXTRA_KEYWORDS))
    found = {}
    for path, line, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        found.setdefault((context or "", msgid), []).append((path.replace("\\", "/"), line))
    return found


@functools.lru_cache(maxsize=256)
def _module_functions(path):
    """{name: (first line, last line, source)} of the module-level functions of a source file."""
    try:
        source = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return {}
    # The module's lines split once: ast.get_source_segment splits the whole source again for
    # every function (2.8 s of the page-language walk's first visit to the desk).
    lines = source.splitlines(keepends=True)
    return {
        node.name: (node.lineno, node.end_lineno, "".join(lines[node.lineno - 1 : node.end_lineno]))
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _calls(source, name):
    return re.search(rf"\b{re.escape(name)}\(", source) is not None


def _view_sources(app):
    """[(endpoint, rule text, source file, first line, last line, source text)] of every view."""
    views = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        function = inspect.unwrap(app.view_functions[rule.endpoint])
        try:
            lines, first = inspect.getsourcelines(function)
            path = inspect.getsourcefile(function)
        except (OSError, TypeError):
            continue
        views.append((rule, path, first, first + len(lines) - 1, "".join(lines), function))
    return views


def _template_pages(app, views):
    """{template name: {page}}: templates rendered by a view, then those they extend or include."""
    pages = {}
    for rule, path, _first, _last, source, _function in views:
        templates = set(RENDERED_TEMPLATE.findall(source))
        for name, (_start, _end, helper) in _module_functions(Path(path)).items():
            if _calls(source, name):
                templates |= set(RENDERED_TEMPLATE.findall(helper))
        for template in templates:
            pages.setdefault(template, set()).add(_page(rule))
    template_dir = Path(app.template_folder)
    if not template_dir.is_absolute():
        template_dir = Path(app.root_path) / template_dir
    references = {}  # {referenced template: {templates that use it}}
    for path in template_dir.rglob("*"):
        if path.suffix in (".html", ".txt") and path.is_file():
            name = path.relative_to(template_dir).as_posix()
            for used in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8")):
                references.setdefault(used, set()).add(name)
    changed = True
    while changed:  # a partial shows on every page of the templates that use it
        changed = False
        for used, users in references.items():
            gathered = set().union(*(pages.get(user, set()) for user in users))
            if not gathered <= pages.get(used, set()):
                pages.setdefault(used, set()).update(gathered)
                changed = True
    return pages


def _page(rule):
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"<\1>", rule.rule)


def _module_pages(path, line, in_module):
    """The pages of a message in Python code: the views whose function holds the line, else the
    views of the module (`in_module`, those of `path`) that call the module-level function (a
    helper) that holds it."""
    pages = {_page(rule) for rule, _path, first, last, _s, _f in in_module if first <= line <= last}
    if pages:
        return pages
    for name, (first, last, _source) in _module_functions(path).items():
        if first <= line <= last:
            return {
                _page(rule) for rule, _p, _f, _l, source, _fn in in_module if _calls(source, name)
            }
    return set()


def _locate(app):
    root = _source_root()
    views = _view_sources(app)
    template_pages = _template_pages(app, views)
    views_by_module = {}  # grouped once: a thousand messages in Python code each look theirs up
    for view in views:
        views_by_module.setdefault(Path(view[1]), []).append(view)
    located = {}
    for key, places in _extract(root).items():
        locations = []
        for path, line in places:
            if path.startswith("templates/"):
                pages = template_pages.get(path.removeprefix("templates/"), set())
            else:
                module = root / path
                pages = _module_pages(module, line, views_by_module.get(module, []))
            locations.append(Location(path=path, line=line, pages=tuple(sorted(pages))))
        located[key] = tuple(locations)
    return located


def message_locations():
    """{(msgctxt, msgid): (Location, ...)}, computed once per application."""
    with _lock:
        located = current_app.extensions.get(LOCATIONS_EXTENSION)
        if located is None:
            located = current_app.extensions[LOCATIONS_EXTENSION] = _locate(current_app)
    return located


def list_catalog_entries():
    """Every entry of the catalogs, with its locations."""
    located = message_locations()
    return [
        _with_locations(entry, located.get((entry.msgctxt, entry.msgid), ()))
        for entry in read_catalogs().entries
    ]


def get_catalog_entry(key):
    entry = read_catalogs().by_key.get(key) if isinstance(key, str) else None
    if entry is None:
        return None
    return _with_locations(entry, message_locations().get((entry.msgctxt, entry.msgid), ()))


def _with_locations(entry, locations):
    return Entry(
        key=entry.key,
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        msgctxt=entry.msgctxt,
        python_format=entry.python_format,
        texts=entry.texts,
        locations=locations,
    )
