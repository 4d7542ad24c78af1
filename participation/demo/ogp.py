"""Demo content for `flask seed-demo`: the plan's 18 commitments, and a first record for
commitment 15 (the national participation portal, launched on 23 July 2018) written by the
demo observer. Running it again adds nothing."""

from datetime import date

from participation.ogp import services
from participation.ogp.queries import PLATFORM_COMMITMENT, get_commitment

LAUNCH = date(2018, 7, 23)


def seed_commitments(*, observer):
    services.load_commitments()
    commitment = get_commitment(PLATFORM_COMMITMENT)
    if commitment.milestones or commitment.notes:
        return
    milestone = services.add_milestone(
        observer,
        commitment,
        title={
            "ar": "إطلاق البوابة الوطنية للمشاركة المواطنة",
            "fr": "Lancement du portail national de la participation citoyenne",
            "zgh": "ⴰⵙⵏⴱⴷⵓ ⵏ ⵓⵙⵎⵍ ⴰⵏⴰⵎⵓⵔ ⵏ ⵓⴷⵔⵓ ⵏ ⵉⵖⵔⴼⴰⵏⵏ",
        },
        due_on=LAUNCH,
    )
    services.set_milestone_done(observer, milestone, done_on=LAUNCH)
    services.add_milestone(
        observer,
        commitment,
        title={
            "ar": "فتح العرائض والملتمسات التشريعية على المنصة",
            "fr": "Ouverture des pétitions et motions législatives sur la plateforme",
            "zgh": "ⴰⵕⵥⵥⵎ ⵏ ⵜⵙⵓⵜⵔⵉⵏ ⴷ ⵉⵙⵓⵎⵔⵏ ⵏ ⵓⵙⵍⴳⵏ ⴳ ⵓⵙⵎⵍ",
        },
        due_on=date(2020, 8, 31),
    )
    services.add_evidence_link(
        observer,
        commitment,
        url="https://www.eparticipation.ma/",
        label={
            "ar": "البوابة الوطنية للمشاركة المواطنة",
            "fr": "Portail national de la participation citoyenne",
            "zgh": "ⴰⵙⵎⵍ ⴰⵏⴰⵎⵓⵔ ⵏ ⵓⴷⵔⵓ ⵏ ⵉⵖⵔⴼⴰⵏⵏ",
        },
    )
    services.change_commitment_status(observer, commitment, "in_progress")
    services.add_progress_note(
        observer,
        commitment,
        noted_on=LAUNCH,
        text={
            "ar": "البوابة الوطنية للمشاركة المواطنة متاحة على الإنترنت منذ 23 يوليوز 2018.",
            "fr": "Le portail national de la participation citoyenne est en ligne depuis le 23 juillet 2018.",
            "zgh": "ⴰⵙⵎⵍ ⴰⵏⴰⵎⵓⵔ ⵏ ⵓⴷⵔⵓ ⵏ ⵉⵖⵔⴼⴰⵏⵏ ⵍⵍⴰ ⴳ ⵓⵥⵟⵟⴰ ⵙⴳ 23 ⵢⵓⵍⵢⵓⵣ 2018.",
        },
    )
