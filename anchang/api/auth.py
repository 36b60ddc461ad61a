"""API token authentication: knox's, without its per-request sweep, and noting last use."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from anchang.org.models import ApiToken

# How stale "last used" may be: a token's owner reads it to spot tokens nobody uses any
# more, so the hour is enough, and a script calling every second writes once an hour.
LAST_USED_EVERY = timedelta(hours=1)


class TokenAuthentication(KnoxTokenAuthentication):
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
