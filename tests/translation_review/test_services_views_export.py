"""Services (audited, permission re-checked, status following the catalog), the desk's pages in
ar/fr/zgh, the export that msgfmt accepts, and the counts on /stats."""

import re
import subprocess
from pathlib import Path

import pytest

from participation.auth.models import Role
from participation.core.audit import list_audit_entries
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from participation.translation_review import services
from participation.translation_review.models import ReviewStatus
from participation.translation_review.queries import count_review_statuses, get_entry_statuses
from tests.conftest import csrf_token
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def test_marking_flagging_and_proposing_are_audited_and_set_the_status(
    app, translator, entry, plural_entry
):
    services.mark_entry_reviewed(translator, entry, "fr")
    services.flag_entry(translator, entry, "zgh", note="ⵜⴰⵣⴳⵍⵜ")
    forms = [f"{text} ✓" for text in plural_entry.texts["ar"]]
    services.propose_entry_text(translator, plural_entry, "ar", texts=forms)
    db.session.commit()
    assert get_entry_statuses(entry) == {
        "ar": ReviewStatus.NOT_REVIEWED,
        "fr": ReviewStatus.REVIEWED,
        "zgh": ReviewStatus.FLAGGED,
    }
    assert get_entry_statuses(plural_entry)["ar"] == ReviewStatus.PROPOSED
    actions = [e.action for e in list_audit_entries()]
    assert actions == [
        "translation_review.proposed",
        "translation_review.flagged",
        "translation_review.reviewed",
    ]
    counts = count_review_statuses()
    assert (counts["fr"]["reviewed"], counts["zgh"]["flagged"], counts["ar"]["proposed"]) == (
        1,
        1,
        1,
    )


def test_a_review_made_on_another_text_no_longer_counts(app, translator, entry):
    from dataclasses import replace

    services.mark_entry_reviewed(
        translator, replace(entry, texts={**entry.texts, "fr": ("Autre",)}), "fr"
    )
    db.session.commit()
    assert get_entry_statuses(entry)["fr"] == ReviewStatus.NOT_REVIEWED


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"texts": []}, "forms_required"),
        ({"texts": ["x"]}, "forms_required"),  # a plural entry needs every form
        ({"texts": ["%(other)s"] * 6}, "placeholders"),
    ],
)
def test_bad_proposals_are_refused(app, translator, plural_entry, kwargs, code):
    with pytest.raises(DomainError) as refused:
        services.propose_entry_text(translator, plural_entry, "ar", **kwargs)
    assert refused.value.code == code


def test_an_unchanged_text_or_a_flag_without_note_is_refused(app, translator, entry):
    with pytest.raises(DomainError):
        services.propose_entry_text(translator, entry, "fr", texts=list(entry.texts["fr"]))
    with pytest.raises(DomainError):
        services.flag_entry(translator, entry, "fr", note="  ")


@pytest.mark.parametrize("role", [None, Role.OBSERVER, Role.ADMINISTRATOR, Role.MODERATOR])
def test_only_translators_review(app, entry, role):
    user = make_user(roles=[role] if role else [])
    with pytest.raises(PermissionDenied):
        services.mark_entry_reviewed(user, entry, "fr")


def test_the_export_is_a_catalog_msgfmt_accepts(
    app, translator, administrator, plural_entry, entry, tmp_path
):
    counts = {"ar": 6}
    forms = [
        "لا حساب",
        "حساب واحد",
        "حسابان",
        "%(count)s حسابات",
        "%(count)s حسابًا",
        "%(count)s حساب",
    ]
    assert len(forms) == counts["ar"]
    services.propose_entry_text(
        translator, plural_entry, "ar", texts=forms, note="المثنى دون العدد"
    )
    services.propose_entry_text(translator, entry, "ar", texts=["إحصاءات"])
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.export_proposals(translator, "ar")
    data = services.export_proposals(administrator, "ar")
    path = tmp_path / "ar-proposals.po"
    path.write_bytes(data)
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    text = data.decode()
    assert 'msgstr[2] "حسابان"' in text
    assert 'msgstr "إحصاءات"' in text
    assert "nplurals=6" in text
    assert list_audit_entries()[0].action == "translation_review.proposals_exported"


@pytest.mark.parametrize(
    "lang, title",
    [
        ("ar", "مكتب مراجعة الترجمات"),
        ("fr", "Bureau de relecture des traductions"),
        ("zgh", "ⴰⵙⵖⵉⵡⵙ ⵏ ⵓⵙⵙⵏⵜⵎ ⵏ ⵓⵙⵙⵓⵖⵍ"),
    ],
)
def test_the_desk_and_an_entry_in_three_languages(
    app, client, login, translator, entry, lang, title
):
    login(translator)
    page = client.get(f"/{lang}/translations/?q=Statistics&language=zgh")
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.get_data(as_text=True)
    assert entry.texts["zgh"][0] in page.get_data(as_text=True)
    detail = client.get(f"/{lang}/translations/entry?key={entry.key}&language=zgh")
    assert detail.status_code == 200
    assert "templates/stats/public.html" in detail.get_data(as_text=True)
    assert client.get(f"/{lang}/translations/entry?key=nothing").status_code == 404


@pytest.mark.parametrize(
    "lang, error",
    [
        ("ar", "المرجو بيان المشكل في هذا النص."),
        ("fr", "Indiquez ce qui ne va pas dans ce texte."),
        ("zgh", "ⵉⵏⵉ ⵎⴰⴷ ⵓⵔ ⵉⵖⵓⴷⵏ ⴳ ⵓⴹⵕⵉⵚ ⴰⴷ."),
    ],
)
def test_posting_a_flag_and_a_translated_error(app, client, login, translator, entry, lang, error):
    login(translator)
    token = csrf_token(client, "/fr/account/")
    data = {
        "flag-csrf_token": token,
        "flag-key": entry.key,
        "flag-language": "zgh",
        "flag-note": "",
    }
    refused = client.post(f"/{lang}/translations/entry/flag", data=data)
    assert refused.status_code == 400
    assert error in refused.get_data(as_text=True)
    done = client.post(f"/{lang}/translations/entry/flag", data={**data, "flag-note": "ⵜⴰⵣⴳⵍⵜ"})
    assert done.status_code == 303
    assert get_entry_statuses(entry)["zgh"] == ReviewStatus.FLAGGED


def test_posting_a_proposal_and_the_export_by_an_administrator(
    app, client, login, translator, administrator, entry
):
    login(translator)
    token = csrf_token(client, "/fr/account/")
    response = client.post(
        "/fr/translations/entry/proposal",
        data={
            "proposal-csrf_token": token,
            "proposal-key": entry.key,
            "proposal-language": "zgh",
            "proposal-text_0": "ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ",
        },
    )
    assert response.status_code == 303
    assert (
        client.post(
            "/fr/translations/export", data={"csrf_token": token, "language": "zgh"}
        ).status_code
        == 403
    )
    login(administrator)
    token = csrf_token(client, "/fr/account/")
    export = client.post("/fr/translations/export", data={"csrf_token": token, "language": "zgh"})
    assert export.status_code == 200
    assert "ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ" in export.get_data(as_text=True)
    assert 'filename="zgh-proposals.po"' in export.headers["Content-Disposition"]


@pytest.mark.parametrize("role", [None, Role.OFFICER, Role.MODERATOR, Role.OBSERVER])
def test_other_people_get_403(app, client, login, role):
    login(make_user(roles=[role] if role else []))
    assert client.get("/fr/translations/").status_code == 403


@pytest.mark.parametrize(
    "lang, heading",
    [
        ("ar", "الواجهة بثلاث لغات"),
        ("fr", "L'interface en trois langues"),
        ("zgh", "ⴰⵙⵎⵍ ⵙ ⴽⵕⴰⴹ ⵜⵓⵜⵍⴰⵢⵉⵏ"),
    ],
)
def test_the_counts_on_the_public_statistics_page(app, client, translator, entry, lang, heading):
    services.flag_entry(translator, entry, "zgh", note="ⵜⴰⵣⴳⵍⵜ")
    db.session.commit()
    page = client.get(f"/{lang}/stats").get_data(as_text=True)
    import html

    page = html.unescape(page)
    assert heading in page
    total = count_review_statuses()["zgh"]["total"]
    cells = re.findall(r"<td>(\d+)</td>", page.split('id="translation-review-counts"')[1])
    assert cells[8:12] == ["0", "1", "0", str(total)]  # the third row: Amazigh


def test_maintainers_merge_an_export_as_docs_translations_md_says(
    app, translator, administrator, entry, tmp_path
):
    """The documented merge: msgcat --use-first (GNU gettext, which CI installs) puts the
    proposals over the catalog; the result passes msgfmt --check and keeps every other message."""
    from babel.messages.pofile import read_po

    services.propose_entry_text(translator, entry, "zgh", texts=["ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ"])
    db.session.commit()
    proposals = tmp_path / "zgh-proposals.po"
    proposals.write_bytes(services.export_proposals(administrator, "zgh"))
    catalog = ROOT / "translations" / "zgh" / "LC_MESSAGES" / "messages.po"
    merged = tmp_path / "messages.po"
    subprocess.run(
        ["msgcat", "--use-first", str(proposals), str(catalog), "-o", str(merged)], check=True
    )
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(merged)])
    assert check.returncode == 0
    with merged.open("rb") as handle:
        after = read_po(handle, locale="zgh")
    with catalog.open("rb") as handle:
        before = read_po(handle, locale="zgh")
    assert after.get(entry.msgid, context=entry.msgctxt or None).string == "ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ"
    assert len(after) == len(before)
    assert after.plural_forms == before.plural_forms
