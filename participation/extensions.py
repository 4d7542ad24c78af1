"""Extensions, created unbound and attached to an application in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from participation.core import limit_storage  # noqa: F401  (registers sweeping-memory://)
from participation.core.models import metadata

db = SQLAlchemy(metadata=metadata)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: sweeping-memory:// by default, Redis when REDIS_URL is set.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
