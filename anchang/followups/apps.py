from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "anchang.followups"
    label = "followups"
    verbose_name = _("Follow-ups")
