"""The session cookie: Flask's signed cookie (SecureCookieSessionInterface, unchanged), and an
answer that sets it is never stored by a shared cache."""

from flask.sessions import SecureCookieSessionInterface

from participation.core.caching import keep_cookie_setting_answers_private


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        keep_cookie_setting_answers_private(response)  # the session cookie is the last one set
