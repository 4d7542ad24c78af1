"""The session cookie: Flask's signed cookie (SecureCookieSessionInterface), and an answer that
sets it is never stored by a shared cache.

Most requests of a busy site carry no session cookie (a first visit, a probe, a shared cache's
fill): their session is new and empty, made without building the signing serializer that only a
cookie needs."""

from flask.sessions import SecureCookieSessionInterface

from participation.core.caching import keep_cookie_setting_answers_private


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            # What the parent answers without a cookie, less the serializer it would build.
            return self.session_class() if app.secret_key else None
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:
            # What the parent does with an empty session nobody emptied (no cookie to set or
            # delete), less the seven cookie settings it would read first.
            if session.accessed:
                response.vary.add("Cookie")
        else:
            super().save_session(app, session, response)
        keep_cookie_setting_answers_private(response)  # the session cookie is the last one set
