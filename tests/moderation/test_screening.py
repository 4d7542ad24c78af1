"""Automatic screening with real samples in Arabic, French, Darija (both scripts) and Amazigh
(Tifinagh): spelling variants must not evade the lists, and ordinary text must not trip them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.comments.models import CommentStatus
from participation.moderation.models import CommentFingerprint, ModerationItem, ScreeningFlag
from participation.moderation.screening import (
    WordMatcher,
    guess_language,
    screen_comment,
    screening_words,
)
from participation.moderation.services import update_screening_settings
from participation.moderation.wordlists import DEFAULT_WORD_LISTS
from participation.comments.services import post_comment
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_institution

DEFAULTS = WordMatcher({word_list.value: terms for word_list, terms in DEFAULT_WORD_LISTS.items()})


@pytest.mark.parametrize(
    "text, word_list, term",
    [
        # Arabic: harakat, tatweel, repeated letters, shapes of alef, taa marbuta, alef maqsura, prefixes
        ("أنت حَقِيرٌ ولا تفهم شيئا", "ar", "حقير"),
        ("أنت حقـــــير", "ar", "حقير"),
        ("انت حقيييييير", "ar", "حقير"),
        ("هذا كلام الحقير", "ar", "حقير"),
        ("وسافل أيضا", "ar", "سافل"),
        ("إبن الكلب", "ar", "ابن الكلب"),
        ("يا حمار !", "ar", "يا حمار"),
        ("يا حِمَار", "ar", "يا حمار"),
        ("لعنه الله عليك", "ar", "لعنة الله عليك"),
        ("ح ق ي ر", "ar", "حقير"),
        ("حق\u200cير", "ar", "حقير"),
        ("ﺣﻘﻴﺮ", "ar", "حقير"),  # presentation forms
        # French: case, accents, leet, spelled out, punctuation inside, look-alike Cyrillic letters
        ("Espèce de CONNARD !", "fr", "connard"),
        ("quel c0nnard", "fr", "connard"),
        ("c.o.n.n.a.r.d", "fr", "connard"),
        ("con.nard", "fr", "connard"),
        ("connnnnard", "fr", "connard"),
        ("сonnаrd", "fr", "connard"),  # Cyrillic с and а
        ("espèce d'ENCULE", "fr", "enculé"),
        ("Fils de pute", "fr", "fils de pute"),
        ("Nique ta mere", "fr", "nique ta mère"),
        # Darija in Latin letters: the digits 3, 7, 9 and prefixes
        ("nta 9a7ba", "ary_latn", "9a7ba"),
        ("wa qa7ba", "ary_latn", "9a7ba"),
        ("9ahba", "ary_latn", "9a7ba"),
        ("ya l7maaaar", "ary_latn", "7mar"),
        ("ZAAAMEL", "ary_latn", "zamel"),
        ("tfo 3lik", "ary_latn", "tfo 3lik"),
        ("lah yn3el", "ary_latn", "lah yn3el"),
        # Darija in Arabic script: taa marbuta, repeated letters, Persian kaf
        ("ولد القحبه", "ary_arab", "ولد القحبة"),
        ("قحبه", "ary_arab", "قحبة"),
        ("مسخووووط", "ary_arab", "مسخوط"),
        ("واحد کلخ", "ary_arab", "كلخ"),
        ("تفو عليك", "ary_arab", "تفو عليك"),
        # Amazigh in Tifinagh: repeated letters, joiners, spelled out
        ("ⴰⵖⵢⵓⵍ", "zgh", "ⴰⵖⵢⵓⵍ"),
        ("ⵎⴰⵏⵉⴽ ⴰⵖⵖⵖⵢⵓⵍ", "zgh", "ⴰⵖⵢⵓⵍ"),
        ("ⴰⵖ\u200dⵢⵓⵍ", "zgh", "ⴰⵖⵢⵓⵍ"),
        ("ⴰ ⵖ ⵢ ⵓ ⵍ", "zgh", "ⴰⵖⵢⵓⵍ"),
        ("ⴰⵎⴰⴽⴰⵔ ⴰⴷ", "zgh", "ⴰⵎⴰⴽⴰⵔ"),
    ],
)
def test_variants_do_not_evade_the_default_lists(text, word_list, term):
    assert DEFAULTS.find(text) == (word_list, term)


@pytest.mark.parametrize(
    "text",
    [
        "Le conseil communal de Rabat doit publier son budget.",
        "Cette connaissance est utile pour les citoyens.",
        "Une salopette bleue pour les ouvriers.",
        "Article 3 de la loi 9 et article 7.",
        "أقترح حماية الكلاب الضالة وتلقيحها.",
        "الحمار حيوان مفيد في القرى الجبلية.",
        "نحتاج حقيبة مدرسية لكل تلميذ.",
        "3afak, zid l'article 7 f lqanun.",
        "ⴰⵎⵓⵙⵙⵓ ⵏ ⵜⵎⵓⵔⵜ ⵉⵍⴰ ⴰⵣⴰⵍ.",
        "Tamazight ⵜⴰⵎⴰⵣⵉⵖⵜ d tutlayt tunṣibt.",
    ],
)
def test_ordinary_text_passes(text):
    assert DEFAULTS.find(text) is None


@pytest.mark.parametrize(
    "term, text",
    [
        ("مستشفى", "المستشفي بعيد"),  # alef maqsura and yaa
        ("مستشفى", "والمستشفى"),
        ("أحمق", "يا احمق"),  # hamza on alef
        ("أحمق", "آحمق"),
        ("ⵜⴰⵎⵙⵍⴰⵢⵜ", "ⵜⴰⵎⵙⵍⴰⵢⵜ"),
    ],
)
def test_letter_shapes_match_both_ways(term, text):
    assert WordMatcher({"ar": [term]}).find(text) == ("ar", term)


def test_screening_words_are_the_normal_form():
    assert screening_words("Éducation   NATIONALE!")[0] == ["education", "nationale"]
    assert screening_words("القِرَاءَة")[0] == screening_words("القراءه")[0]


@pytest.mark.parametrize(
    "text, language",
    [
        ("مرحبا بكم", "ar"),
        ("Bonjour à tous", "fr"),
        ("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ", "zgh"),
        ("salam 3likom", "fr"),
        ("2026", None),
    ],
)
def test_the_language_of_a_comment_is_guessed_from_its_script(text, language):
    assert guess_language(text) == language


def _flags(comment):
    return [
        (f.rule, f.details)
        for f in db.session.scalars(
            sa.select(ScreeningFlag).where(ScreeningFlag.comment_id == comment.id)
        )
    ]


def test_a_listed_word_holds_a_comment_even_in_post_moderation(citizen, notes):
    institution = make_institution()
    target = notes.target(notes(moderation_mode="post", institution_id=institution.id))
    comment = post_comment(citizen, target, body="Le ministre est un connard.")
    db.session.commit()
    assert comment.status == CommentStatus.PENDING
    assert _flags(comment) == [("word_list", {"list": "fr", "term": "connard"})]
    item = db.session.scalar(sa.select(ModerationItem))
    assert (item.comment_id, item.kind, item.reason, item.institution_id, item.language) == (
        comment.id,
        "pending",
        "word_list",
        institution.id,
        "fr",
    )


def test_a_clean_comment_is_published_and_only_fingerprinted(citizen, target):
    comment = post_comment(citizen, target, body="Je soutiens l'article 2.")
    assert comment.status == CommentStatus.VISIBLE
    assert _flags(comment) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 0
    assert db.session.get(CommentFingerprint, comment.id) is not None


def test_pre_moderated_comments_enter_the_queue_without_a_rule(citizen, notes):
    comment = post_comment(citizen, notes.target(notes(moderation_mode="pre")), body="Bonjour")
    item = db.session.scalar(sa.select(ModerationItem))
    assert (comment.status, item.kind, item.reason) == ("pending", "pending", "premoderation")


@pytest.mark.parametrize("links, held", [(2, False), (3, True)])
def test_too_many_links(citizen, target, links, held):
    body = " ".join(f"[source {n}](https://example.org/{n})" for n in range(links))
    comment = post_comment(citizen, target, body=body)
    assert (comment.status == CommentStatus.PENDING) is held
    assert _flags(comment) == ([("links", {"links": links, "limit": 2})] if held else [])


def test_text_repeated_from_a_recent_comment(citizen, target, author):
    text = "Il faut absolument publier toutes les données budgétaires des communes."
    first = post_comment(author, target, body=text)
    again = post_comment(
        citizen,
        target,
        body="IL FAUT absolument publier toutes les données budgétaires des commuuunes !",
    )
    assert first.status == CommentStatus.VISIBLE
    assert again.status == CommentStatus.PENDING
    assert _flags(again) == [("repeated_text", {"copies": 1, "hours": 24})]


def test_repeats_are_looked_for_in_the_window_only_and_short_texts_are_free(
    citizen, target, author
):
    text = "Il faut absolument publier toutes les données budgétaires des communes."
    old = post_comment(author, target, body=text)
    db.session.get(CommentFingerprint, old.id).created_at = utcnow() - timedelta(hours=25)
    assert post_comment(citizen, target, body=text).status == CommentStatus.VISIBLE
    post_comment(author, target, body="D'accord.")
    assert post_comment(citizen, target, body="D'accord.").status == CommentStatus.VISIBLE


def test_administrators_edit_the_rules(administrator, citizen, target):
    update_screening_settings(
        administrator,
        check_links=False,
        max_links=0,
        check_repeats=True,
        repeat_window_hours=2,
        repeat_min_length=5,
        check_words=True,
        word_lists={"fr": "abracadabra\n  abracadabra \n\nmot interdit", "ar": "كلمة"},
    )
    assert (
        post_comment(
            citizen, target, body="Un [lien](https://example.org) et un autre https://example.com"
        ).status
        == "visible"
    )
    assert (
        post_comment(citizen, target, body="Connard !").status == "visible"
    )  # not in the edited lists
    held = post_comment(citizen, target, body="Un MOT   interdit ici")
    assert _flags(held) == [("word_list", {"list": "fr", "term": "mot interdit"})]


def test_switched_off_rules_do_not_fire(administrator, citizen, target):
    update_screening_settings(
        administrator,
        check_links=True,
        max_links=5,
        check_repeats=False,
        repeat_window_hours=24,
        repeat_min_length=30,
        check_words=False,
        word_lists={"fr": "connard"},
    )
    assert post_comment(citizen, target, body="connard").status == "visible"
    assert screen_comment("connard").flags == []


def test_official_answers_are_not_screened(app, notes):
    from participation.auth.models import Role
    from tests.factories import make_user

    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    target = notes.target(notes(institution_id=institution.id))
    links = " ".join(f"https://example.org/{n}" for n in range(5))
    answer = post_comment(officer, target, body=f"Voir les textes : {links}")
    assert answer.is_official
    assert answer.status == CommentStatus.VISIBLE
    assert _flags(answer) == []


def test_several_rules_are_all_recorded(citizen, target):
    body = "connard " + " ".join(f"https://example.org/{n}" for n in range(3))
    comment = post_comment(citizen, target, body=body)
    assert [rule for rule, _details in _flags(comment)] == ["links", "word_list"]
    assert db.session.scalar(sa.select(ModerationItem.reason)) == "links"
