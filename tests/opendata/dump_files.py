"""Reading the open-data files `flask open-data dump` wrote."""

import csv
import io
import json

from participation.opendata.dumps import dump_directory


def read_csv(name):
    text = (dump_directory() / name).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then show Arabic correctly
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_json(name):
    return json.loads((dump_directory() / name).read_text(encoding="utf-8"))
