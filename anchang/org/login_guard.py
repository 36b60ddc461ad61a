"""django-axes (log-in lockout) under a name staff read: its admin section is 登录防护, not
the package's label "AXES". INSTALLED_APPS names this config instead of "axes"."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class LoginGuardConfig(AxesAppConfig):
    verbose_name = _("Login protection")


# django-axes ships no zh-Hans catalog: its model names, as its admin pages show them, are
# translated in ours. Listed here so that `make makemessages` keeps them.
AXES_MODEL_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
)
