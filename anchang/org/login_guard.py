"""django-axes (log-in lockout) under a name staff read: its admin section is 登录防护, not
the package's label "AXES". INSTALLED_APPS names this config instead of "axes"."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginGuardConfig(AxesAppConfig):
    verbose_name = _("Login protection")
