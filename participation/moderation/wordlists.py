"""The screening settings a new platform starts with, until an administrator saves their own.

The word lists are a deliberately short starting point, not a complete catalogue: common insults
and slurs in each language and script, chosen to be rarely used innocently in a debate on public
policy. Administrators extend and correct them on the screening page. A match never deletes
anything: the comment waits for a moderator, who may approve it.

Write each term as people write it; screening folds spelling variants on both sides (diacritics,
letter shapes, tatweel, repeated letters, Darija digit letters), so one spelling is enough. A term
of several words matches those words in that order.
"""

from participation.moderation.models import WordList

DEFAULT_WORD_LISTS = {
    WordList.AR: [
        "حقير",
        "سافل",
        "يا حمار",
        "يا كلب",
        "يا خنزير",
        "يا حيوان",
        "ابن الكلب",
        "ابن الحرام",
        "عاهرة",
        "لعنة الله عليك",
    ],
    WordList.FR: [
        "connard",
        "connasse",
        "salope",
        "salaud",
        "enculé",
        "fils de pute",
        "ta gueule",
        "nique ta mère",
        "bougnoule",
        "sale arabe",
    ],
    WordList.ZGH: [
        "ⴰⵖⵢⵓⵍ",  # aɣyul, donkey
        "ⴰⵢⴷⵉ",  # aydi, dog
        "ⴰⵎⴰⴽⴰⵔ",  # amakar, thief
        "ⴰⴱⵓⵀⴰⵍⵉ",  # abuhali, fool
    ],
    WordList.DARIJA_ARABIC: [
        "قحبة",
        "ولد القحبة",
        "زامل",
        "مسخوط",
        "كلخ",
        "يا الحمار",
        "تفو عليك",
        "الله ينعل",
    ],
    WordList.DARIJA_LATIN: [
        "9a7ba",
        "wld l9a7ba",
        "zamel",
        "mskhot",
        "meskhout",
        "7mar",
        "t9awd",
        "tfo 3lik",
        "lah yn3el",
    ],
}

DEFAULT_SETTINGS = dict(
    check_links=True,
    max_links=2,
    check_repeats=True,
    repeat_window_hours=24,
    repeat_min_length=30,
    check_words=True,
)


def default_word_lists():
    """{list: "one term per line"}, the form the settings store."""
    return {word_list.value: "\n".join(terms) for word_list, terms in DEFAULT_WORD_LISTS.items()}
