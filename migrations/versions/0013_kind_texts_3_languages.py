"""petition kinds: the legal basis and the staff note become {lang: text} mappings

Before this revision `petition_kinds.law` was one English string ("OL 44.14 as amended by OL 70.21
(2021)") and `note` one free text, both shown as they were on Arabic and Amazigh pages (issue 13,
item 3). The legal basis of the eight kinds the platform loads is written here in the three
languages (a migration carries its data; it imports no application code); a kind of another key
keeps its old text under "fr", the platform's Latin-script language. A note equal to one the data
file used to seed is dropped: `flask petitions load-kinds` writes it again in three languages. Any
other note, written by an administrator, is kept under the language of its script.

Revision ID: 0013_kind_texts_3_languages
Revises: 0012_counts_not_negative
Create Date: 2026-12-15 09:00:00.000000

"""

import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_kind_texts_3_languages"
down_revision = "0012_counts_not_negative"
branch_labels = None
depends_on = None

NB = "\u00a0"
LAW_44 = {
    "ar": "القانون التنظيمي رقم 44.14، كما تم تغييره وتتميمه بالقانون التنظيمي رقم 70.21 (2021)",
    "fr": f"Loi organique n{NB}44-14, modifiée et complétée par la loi organique n{NB}70-21 (2021)",
    "zgh": "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 44.14, ⵉⵜⵜⵓⵙⵏⴼⵍⵏ ⵙ ⵓⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 70.21 (2021)",
}
LAW_64 = {
    "ar": "القانون التنظيمي رقم 64.14، كما تم تغييره وتتميمه بالقانون التنظيمي رقم 71.21 (2021)",
    "fr": f"Loi organique n{NB}64-14, modifiée et complétée par la loi organique n{NB}71-21 (2021)",
    "zgh": "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 64.14, ⵉⵜⵜⵓⵙⵏⴼⵍⵏ ⵙ ⵓⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 71.21 (2021)",
}
LAWS = {
    "petition_head_of_government": LAW_44,
    "petition_house_of_representatives": LAW_44,
    "petition_house_of_councillors": LAW_44,
    "legislative_motion_house_of_representatives": LAW_64,
    "legislative_motion_house_of_councillors": LAW_64,
    "regional_petition": {
        "ar": "القانون التنظيمي رقم 111.14 المتعلق بالجهات (2015)، المواد 118 إلى 122",
        "fr": f"Loi organique n{NB}111-14 relative aux régions (2015), articles 118 à 122",
        "zgh": "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 111.14 ⵅⴼ ⵜⵎⵏⴰⴹⵉⵏ (2015), ⵉⵎⴰⴳⵓⵜⵏ 118 ⴰⵔ 122",
    },
    "provincial_petition": {
        "ar": "القانون التنظيمي رقم 112.14 المتعلق بالعمالات والأقاليم (2015)، المواد 112 إلى 116",
        "fr": f"Loi organique n{NB}112-14 relative aux préfectures et provinces (2015), articles 112 à 116",
        "zgh": "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 112.14 ⵅⴼ ⵜⵎⴰⵍⴰⵜⵉⵏ ⴷ ⵜⵙⴳⵉⵡⵉⵏ (2015), ⵉⵎⴰⴳⵓⵜⵏ 112 ⴰⵔ 116",
    },
    "communal_petition": {
        "ar": "القانون التنظيمي رقم 113.14 المتعلق بالجماعات (2015)، المواد 121 إلى 125",
        "fr": f"Loi organique n{NB}113-14 relative aux communes (2015), articles 121 à 125",
        "zgh": "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 113.14 ⵅⴼ ⵜⵊⵎⴰⵄⵉⵏ (2015), ⵉⵎⴰⴳⵓⵜⵏ 121 ⴰⵔ 125",
    },
}
SEEDED_NOTES = {
    "two regional council sites state 600 registered voters instead; the amended text was not checked",
    "2015 text; later amendments not checked",
}


def _language_of(text):
    if re.search("[\u2d30-\u2d7f]", text):
        return "zgh"
    if re.search("[\u0600-\u06ff]", text):
        return "ar"
    return "fr"


def _rows(connection):
    return connection.execute(sa.text("SELECT id, key, law, note FROM petition_kinds")).all()


def upgrade():
    connection = op.get_bind()
    rows = _rows(connection)
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("law_texts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("note_texts", sa.JSON(), nullable=True))
    for row in rows:
        law = LAWS.get(row.key) or {"fr": row.law}
        note = (row.note or "").strip()
        notes = {_language_of(note): note} if note and note not in SEEDED_NOTES else None
        connection.execute(
            sa.text(
                "UPDATE petition_kinds SET law_texts = :law, note_texts = :note WHERE id = :id"
            ),
            {
                "law": json.dumps(law, ensure_ascii=False),
                "note": json.dumps(notes, ensure_ascii=False) if notes else None,
                "id": row.id,
            },
        )
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.drop_column("law")
        batch_op.drop_column("note")
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.alter_column("law_texts", new_column_name="law", nullable=False)
        batch_op.alter_column("note_texts", new_column_name="note")


def downgrade():
    connection = op.get_bind()
    rows = _rows(connection)
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("law_text", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("note_text", sa.Text(), nullable=True))
    for row in rows:
        law = row.law if isinstance(row.law, dict) else json.loads(row.law or "{}")
        note = row.note if isinstance(row.note, dict) or row.note is None else json.loads(row.note)
        connection.execute(
            sa.text("UPDATE petition_kinds SET law_text = :law, note_text = :note WHERE id = :id"),
            {
                "law": (law.get("fr") or next(iter(law.values()), ""))[:200],
                "note": (note or {}).get("fr") or next(iter((note or {}).values()), None),
                "id": row.id,
            },
        )
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.drop_column("law")
        batch_op.drop_column("note")
    with op.batch_alter_table("petition_kinds", schema=None) as batch_op:
        batch_op.alter_column("law_text", new_column_name="law", nullable=False)
        batch_op.alter_column("note_text", new_column_name="note")
