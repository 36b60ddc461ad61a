from django.apps import AppConfig


class AnchangConfig(AppConfig):
    name = "anchang"
    verbose_name = "Anchang"

    def ready(self) -> None:
        from django.core.signals import request_started

        from anchang import checks  # noqa: F401  registers the deploy checks
        from anchang.connections import drop_ended_connections

        request_started.connect(drop_ended_connections, dispatch_uid="anchang-ended-connections")
