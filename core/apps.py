from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed only for its templates and template tags; it has no models."""

    name = "core"
    verbose_name = "Shared helpers"
