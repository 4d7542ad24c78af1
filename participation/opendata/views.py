"""The public open-data page (no login): the dumps to download and their data dictionary."""

from flask import Blueprint, abort, render_template, send_from_directory

from participation.core import policy
from participation.opendata.dumps import (
    DATASETS,
    DATASETS_BY_FILE,
    TYPE_LABELS,
    dump_directory,
    list_dump_files,
)

bp = Blueprint("opendata", __name__, url_prefix="/<lang:lang_code>/open-data")


@bp.route("/")
@policy.public
def index():
    files = {dataset.name: list_dump_files(dataset) for dataset in DATASETS}
    return render_template(
        "opendata/index.html", datasets=DATASETS, files=files, type_labels=TYPE_LABELS
    )


@bp.route("/<filename>")
@policy.public
def download(filename):
    """Only the dumps' own file names are served; a dump not generated yet is a 404."""
    if filename not in DATASETS_BY_FILE or not (dump_directory() / filename).is_file():
        abort(404)
    response = send_from_directory(dump_directory(), filename, as_attachment=True, max_age=3600)
    response.cache_control.public = True
    return response
