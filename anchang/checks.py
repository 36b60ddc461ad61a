"""`anchang check --deploy` refuses production settings that would put customers at risk."""

from django.conf import settings
from django.core.checks import Error, Tags, register

WEAK_KEYS = {"", "changeme", "secret", "django-insecure", "dev", "test"}


@register(Tags.security, deploy=True)
def anchang_deploy_checks(app_configs=None, **kwargs):
    errors = []
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on: it shows code and data to anyone.",
                id="anchang.E001",
                hint="Unset ANCHANG_DEBUG.",
            )
        )
    key = settings.SECRET_KEY or ""
    if (
        len(key) < 50
        or len(set(key)) < 5
        or key.lower() in WEAK_KEYS
        or key.startswith("django-insecure")
    ):
        errors.append(
            Error(
                "SECRET_KEY is missing, short or a default.",
                id="anchang.E002",
                hint="Set SECRET_KEY to 50+ random characters from a secret store.",
            )
        )
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE:
        errors.append(
            Error(
                "Session and CSRF cookies are sent over plain HTTP.",
                id="anchang.E003",
                hint="Serve over HTTPS and set ANCHANG_HTTPS=1.",
            )
        )
    hosts = settings.ALLOWED_HOSTS
    if not hosts or "*" in hosts:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty or a wildcard.",
                id="anchang.E004",
                hint="Set ANCHANG_ALLOWED_HOSTS to the host names you serve.",
            )
        )
    if not settings.SESSION_COOKIE_HTTPONLY:
        errors.append(Error("The session cookie is readable by scripts.", id="anchang.E005"))
    errors += _message_checks()
    return errors


SMS_BACKENDS = ("outbox", "aliyun", "tencent")
WECOM_BACKENDS = ("outbox", "wecom")
CALLBACK_TOKEN_MIN = 32


def _message_checks() -> list[Error]:
    """The message backends (docs/care.md): a known name each, and a provider's callback URLs
    behind a secret nobody can guess (anyone who could would mark messages delivered or opt
    customers out)."""
    errors = []
    if settings.SMS_BACKEND not in SMS_BACKENDS or settings.WECOM_BACKEND not in WECOM_BACKENDS:
        errors.append(
            Error(
                "SMS_BACKEND or WECOM_BACKEND names no backend.",
                id="anchang.E006",
                hint=f"SMS_BACKEND: {', '.join(SMS_BACKENDS)}; "
                f"WECOM_BACKEND: {', '.join(WECOM_BACKENDS)}.",
            )
        )
    token = settings.SMS_CALLBACK_TOKEN or ""
    if settings.SMS_BACKEND in SMS_BACKENDS[1:] and (
        len(token) < CALLBACK_TOKEN_MIN or len(set(token)) < 8
    ):
        errors.append(
            Error(
                "SMS_CALLBACK_TOKEN is missing or short while an SMS provider is set.",
                id="anchang.E007",
                hint=f"Set SMS_CALLBACK_TOKEN to {CALLBACK_TOKEN_MIN}+ random characters.",
            )
        )
    return errors
