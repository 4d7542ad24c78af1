from flask import Blueprint

bp = Blueprint("comments", __name__, url_prefix="/<lang:lang_code>/comments")
