"""CSV for spreadsheet programs: UTF-8 with a BOM (so Arabic opens correctly) and cells that
cannot run as formulas."""

import csv
import io

BOM = "\ufeff"


def neutralise(value):
    """Stop spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows):
    """A list of dicts (same keys) as one CSV text."""
    buffer = io.StringIO()
    buffer.write(BOM)
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0].keys()), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: neutralise(value) for key, value in row.items()})
    return buffer.getvalue()


def iter_csv(header, rows):
    """CSV text chunk by chunk, for lists too long to build in memory (a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for number, row in enumerate(rows, 1):
        writer.writerow([neutralise(value) for value in row])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows, *, header=None):
    """Rows as CSV text; with `header`, the BOM and the header row first. The pieces of a
    streamed file whose producer must know which rows each piece holds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        buffer.write(BOM)
        writer.writerow(header)
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue()
