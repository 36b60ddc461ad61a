from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "anchang.pool"
    label = "pool"
    verbose_name = _("Shared pool")

    def ready(self) -> None:
        # The pool's part in the apps below it, which never import it.
        from anchang.customers.events import OwnerChanged, OwnerChanging
        from anchang.events import subscribe
        from anchang.pool import handlers

        subscribe(OwnerChanging, handlers.owner_changing)
        subscribe(OwnerChanged, handlers.owner_changed)
