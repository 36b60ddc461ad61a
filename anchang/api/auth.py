"""API token authentication: knox's, without its per-request sweep, and noting last use."""

from __future__ import annotations

import binascii
from datetime import timedelta
from hmac import compare_digest

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from anchang.org.models import ApiToken
from anchang.prepared import prepared

# How stale "last used" may be: a token's owner reads it to spot tokens nobody uses any
# more, so the hour is enough, and a script calling every second writes once an hour.
LAST_USED_EVERY = timedelta(hours=1)


@prepared(text=("key",))
def _tokens(*, key: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(token_key=key).select_related("user")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        """knox's, with the tokens under the key read as a prepared statement (every API
        request reads it). Without knox's expiry sweep and refresh: our tokens never expire
        (TOKEN_TTL None, AUTO_REFRESH off), they are revoked."""
        message = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in _tokens(key=token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(message) from error
            if compare_digest(digest, auth_token.digest):
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        # knox reads all of the user's tokens on every request to delete expired ones; ours
        # never expire (TOKEN_TTL None: revoked explicitly), so that read found nothing.
        return False

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token


class TokenScheme(KnoxTokenScheme):
    """The schema describes this class as knox's (drf-spectacular matches the exact class)."""

    target_class = "anchang.api.auth.TokenAuthentication"
