from django.apps import AppConfig


class AnchangConfig(AppConfig):
    name = "anchang"
    verbose_name = "Anchang"

    def ready(self) -> None:
        from anchang import checks  # noqa: F401  registers the deploy checks
