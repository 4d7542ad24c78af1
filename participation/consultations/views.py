from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/<lang:lang_code>/consultations")
