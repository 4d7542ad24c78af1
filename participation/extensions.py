"""Extensions, created unbound and attached to an application in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from participation.core.limits import rate_limits  # noqa: F401  (attached in create_app)
from participation.core.models import metadata

db = SQLAlchemy(metadata=metadata)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
