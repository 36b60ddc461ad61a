from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "anchang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib import admin

        from anchang.org import auth_audit  # noqa: F401  connects the receivers
        from anchang.org.policies import can_use_admin_site

        # Django admin is for administrators only, whatever is_staff says.
        admin.site.has_permission = lambda request: can_use_admin_site(request.user)
        admin.site.site_header = _("Anchang administration")
