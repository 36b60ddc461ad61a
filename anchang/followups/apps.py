from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "anchang.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        # The follow-up engine's part in the apps below it, which never import it.
        from anchang.customers.events import ContactRegistered, OwnerChanged
        from anchang.events import subscribe
        from anchang.followups import handlers

        subscribe(ContactRegistered, handlers.contact_registered)
        subscribe(OwnerChanged, handlers.owner_changed)
