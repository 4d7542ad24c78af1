"""The translators' desk: every interface message side by side in ar, fr and zgh with where it
appears, filtered and paginated; an entry's page where a translator marks it reviewed, flags it or
proposes a text in one language; the administrators' export of the proposals as a .po file."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from participation.core import policy
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES, current_language
from participation.core.limits import limited, remote_address
from participation.core.views import page_number, perform
from participation.translation_review import forms as f
from participation.translation_review import permissions as perms
from participation.translation_review import queries, services
from participation.translation_review.catalog import read_catalogs
from participation.translation_review.models import STATUS_LABELS, ReviewStatus

bp = Blueprint("translation_review", __name__, url_prefix="/<lang:lang_code>/translations")
EXPORT_FORMAT = ".po"


def _per_user():
    if current_user.is_authenticated:
        return f"translation-review-user:{current_user.id}"
    return remote_address()


# Reviews, flags, proposals and exports share one budget per person.
review_limit = limited("RATELIMIT_TRANSLATION_REVIEW", scope="translation-review", key=_per_user)


def _page_link(page):
    """A page of the "where it appears" list as a link, when its only parameter is the language."""
    path = page.replace("<lang_code>", current_language())
    return None if "<" in path else path


def _common():
    return {
        "status_labels": STATUS_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "languages": LANGUAGES,
        "page_link": _page_link,
        "review_statuses": ReviewStatus,
    }


def _render_desk(status=200):
    form = f.FiltersForm(request.args)
    valid = form.validate()
    if not valid:
        status = 400
    pagination = queries.list_entries(
        language=form.language.data or None if valid else None,
        status=ReviewStatus(form.status.data) if valid and form.status.data else None,
        search=form.q.data if valid else "",
        page=page_number(),
    )
    counts = queries.count_review_statuses()
    return (
        render_template(
            "translation_review/index.html",
            form=form,
            pagination=pagination,
            counts=counts,
            found=ngettext("%(num)s message", "%(num)s messages", pagination.total),
            can_export=perms.can_export_translation_proposals(current_user),
            export_format=EXPORT_FORMAT,
            **_common(),
        ),
        status,
    )


@bp.route("/")
@policy.requires(perms.can_view_translation_desk)
def index():
    return _render_desk()


def _load(key):
    entry = queries.get_entry(key)
    if entry is None:
        abort(404)
    return entry


def _chosen_language(value):
    return value if value in LANGUAGES else current_language()


def _proposal_form(entry, language, formdata=None):
    labels = []
    if entry.plural:
        for numbers, more in read_catalogs().plural_numbers.get(language, ()):
            listed = format_list([str(n) for n in numbers], style="unit-short", locale=get_locale())
            labels.append(
                _("Form used for %(numbers)s…", numbers=listed)
                if more
                else _("Form used for %(numbers)s", numbers=listed)
                if numbers
                else _("Proposed text")
            )
    form = f.ProposalForm(formdata=formdata, labels=labels, prefix="proposal")
    if formdata is None:
        form.key.data, form.language.data = entry.key, language
        for field, text in zip(form.shown, entry.texts.get(language, ())):
            field.data = text
    return form


def _render_entry(entry, language, status=200, **forms):
    def action_form(name, form_class):
        form = forms.get(name)
        if form is None:
            form = form_class(prefix=name.removesuffix("_form"))
            form.key.data, form.language.data = entry.key, language
        return form

    return (
        render_template(
            "translation_review/entry.html",
            entry=entry,
            language=language,
            statuses=queries.get_entry_statuses(entry),
            reviews=queries.list_entry_reviews(entry),
            can_review=perms.can_review_translations(current_user),
            review_form=action_form("review_form", f.ReviewForm),
            flag_form=action_form("flag_form", f.FlagForm),
            proposal_form=forms.get("proposal_form") or _proposal_form(entry, language),
            **_common(),
        ),
        status,
    )


@bp.route("/entry")
@policy.requires(perms.can_view_translation_desk)
def entry():
    entry = _load(request.args.get("key"))
    return _render_entry(entry, _chosen_language(request.args.get("language")))


def _entry_page(entry, language):
    return redirect(
        url_for(
            "translation_review.entry",
            lang_code=current_language(),
            key=entry.key,
            language=language,
        ),
        code=303,
    )


def _act(form_name, form, action, *, error_field, success):
    """Run one action on the entry and language the form names, then show the entry again."""
    entry = _load(form.key.data)
    if form.language.data not in LANGUAGES:
        abort(404)
    language = form.language.data
    if form.validate_on_submit():
        ok, _result = perform(
            lambda: action(entry, language), error_field=error_field, success=success
        )
        if ok:
            return _entry_page(entry, language)
    return _render_entry(entry, language, status=400, **{form_name: form})


@bp.route("/entry/reviewed", methods=["POST"])
@review_limit
@policy.requires(perms.can_review_translations)
def mark_reviewed():
    form = f.ReviewForm(prefix="review")
    return _act(
        "review_form",
        form,
        lambda entry, language: services.mark_entry_reviewed(current_user, entry, language),
        error_field=None,
        success=_("The text is marked as reviewed."),
    )


@bp.route("/entry/flag", methods=["POST"])
@review_limit
@policy.requires(perms.can_review_translations)
def flag():
    form = f.FlagForm(prefix="flag")
    return _act(
        "flag_form",
        form,
        lambda entry, language: services.flag_entry(
            current_user, entry, language, note=form.note.data
        ),
        error_field=form.note,
        success=_("The text is flagged."),
    )


@bp.route("/entry/proposal", methods=["POST"])
@review_limit
@policy.requires(perms.can_review_translations)
def propose():
    entry = _load(request.form.get("proposal-key"))
    form = _proposal_form(
        entry, _chosen_language(request.form.get("proposal-language")), formdata=request.form
    )
    return _act(
        "proposal_form",
        form,
        lambda entry, language: services.propose_entry_text(
            current_user, entry, language, texts=form.texts, note=form.note.data
        ),
        error_field=form.shown[0],
        success=_("Your proposal is saved."),
    )


@bp.route("/export", methods=["POST"])
@review_limit
@policy.requires(perms.can_export_translation_proposals)
def export():
    """The proposals for one language as a .po file; an unknown language is a translated error
    on the desk."""
    form = f.ExportForm()
    language = form.language.data
    if form.validate_on_submit():
        ok, data = perform(lambda: services.export_proposals(current_user, language))
        if ok:
            response = Response(data, mimetype="text/x-gettext-translation")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="{language}-proposals{EXPORT_FORMAT}"'
            )
            return response
    return _render_desk(status=400)
