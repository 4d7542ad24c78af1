"""The session cookie: Flask's signed cookie, without the zlib step and built once per key.

Session cookies hold a few short fields (the user id and session token, the CSRF secret, flash
messages). zlib seldom makes such payloads shorter, yet compressing, and building a new serializer
for every request, cost a measurable share of the busiest request (bench/sign_throughput.py).
Cookies written compressed still load: itsdangerous reads both forms.
"""

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

from participation.core.caching import keep_cookie_setting_answers_private


class UncompressedSerializer(URLSafeTimedSerializer):
    def dump_payload(self, obj):
        # The JSON bytes of the serializer below the URL-safe mixin, then base64, never zlib.
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (
            *(app.config["SECRET_KEY_FALLBACKS"] or ()),
            app.secret_key,
        )  # itsdangerous: current key last
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = UncompressedSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return serializer

    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        keep_cookie_setting_answers_private(response)  # the session cookie is the last one set
