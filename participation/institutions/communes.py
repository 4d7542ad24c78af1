"""Reading a communes CSV file: the shipped participation/data/communes.csv, or one the Ministry of
the Interior provides (`flask territories import-communes FILE`).

Columns (UTF-8, comma-separated, a header line; the order does not matter):

    code                 required  the commune's code, e.g. the HCP census code 01.511.01.0
                                   (digits and dots, at most 16 characters); one line per code
    province             required  ISO 3166-2 code of its prefecture or province, e.g. MA-TNG
    name_ar              required  Arabic name
    name_fr              required  French name
    name_zgh             optional  Amazigh name in Tifinagh; when empty, made from the Arabic and
                                   French names by the platform's rule (institutions.tifinagh)
    kind                 required  urban or rural
    population           optional  a whole number, at least 0
    population_year      optional  the census year of the population (required with a population)
    has_arrondissements  optional  yes or no (also true/false, 1/0); empty means no

A file with any invalid line is refused whole, every problem reported with its line number.
"""

import csv
import io
import re
from dataclasses import dataclass

from participation.institutions.tifinagh import is_tifinagh, to_tifinagh

REQUIRED_COLUMNS = ("code", "province", "name_ar", "name_fr", "kind")
OPTIONAL_COLUMNS = ("name_zgh", "population", "population_year", "has_arrondissements")
CODE = re.compile(r"^[0-9][0-9.]{0,15}$")
YES = {"yes", "true", "1", "oui", "y"}
NO = {"no", "false", "0", "non", "n", ""}
LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class CommuneLine:
    line: int
    code: str
    province: str
    names: dict
    kind: str
    population: int | None
    population_year: int | None
    has_arrondissements: bool


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


class CommuneFileRefused(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the communes file")
        self.problems = problems


def _number(text, column, problems, line, *, low, high=None):
    if not text:
        return None
    if not text.isdigit():
        problems.append(LineProblem(line, f"{column} must be a whole number, not {text!r}"))
        return None
    value = int(text)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        problems.append(LineProblem(line, f"{column} must be {bounds}, not {value}"))
        return None
    return value


def _line(number, row, provinces, problems):
    found = len(problems)
    values = {key: (row.get(key) or "").strip() for key in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            problems.append(LineProblem(number, f"{column} is empty"))
    code = values["code"]
    if code and not CODE.match(code):
        problems.append(
            LineProblem(number, f"code {code!r} is not digits and dots (at most 16 characters)")
        )
    province = values["province"].upper()
    if province and province not in provinces:
        problems.append(
            LineProblem(number, f"province {values['province']!r} is not a known ISO 3166-2 code")
        )
    kind = values["kind"].lower()
    if kind and kind not in ("urban", "rural"):
        problems.append(LineProblem(number, f"kind must be urban or rural, not {values['kind']!r}"))
    if values["name_ar"] and LATIN.search(values["name_ar"]):
        problems.append(LineProblem(number, "name_ar contains Latin letters"))
    name_zgh = values["name_zgh"] or to_tifinagh(values["name_ar"], values["name_fr"])
    if values["name_ar"] and not is_tifinagh(name_zgh):
        problems.append(
            LineProblem(number, f"name_zgh {name_zgh!r} is not written in Tifinagh letters")
        )
    population = _number(values["population"], "population", problems, number, low=0)
    year = _number(
        values["population_year"], "population_year", problems, number, low=1900, high=2100
    )
    if population is not None and year is None and not values["population_year"]:
        problems.append(LineProblem(number, "population_year is required with a population"))
    arrondissements = values["has_arrondissements"].lower()
    if arrondissements not in YES | NO:
        problems.append(
            LineProblem(
                number,
                f"has_arrondissements must be yes or no, not {values['has_arrondissements']!r}",
            )
        )
    if len(problems) > found:
        return None
    return CommuneLine(
        line=number,
        code=code,
        province=province,
        names={"ar": values["name_ar"], "fr": values["name_fr"], "zgh": name_zgh},
        kind=kind,
        population=population,
        population_year=year if population is not None else None,
        has_arrondissements=arrondissements in YES,
    )


def read_communes(text, provinces):
    """The lines of a communes CSV file (`text`), checked against the known province codes;
    raises CommuneFileRefused with every problem found."""
    if text.startswith("\ufeff"):  # spreadsheets save UTF-8 with a byte-order mark
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CommuneFileRefused(
            [LineProblem(1, f"the header lacks the column(s): {', '.join(missing)}")]
        )
    reader.fieldnames = header
    problems, lines, seen = [], [], {}
    for row in reader:
        number = reader.line_num
        if None in row:
            problems.append(LineProblem(number, "more values than columns"))
            continue
        if not any((value or "").strip() for value in row.values()):
            continue
        line = _line(number, row, provinces, problems)
        if line is None:
            continue
        if line.code in seen:
            problems.append(
                LineProblem(number, f"code {line.code} is already on line {seen[line.code]}")
            )
            continue
        seen[line.code] = number
        lines.append(line)
    if not lines and not problems:
        problems.append(LineProblem(0, "the file has no commune"))
    if problems:
        raise CommuneFileRefused(problems)
    return lines
