from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _apply_rls_after_migrate(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from .rls import apply_row_level_security

    apply_row_level_security(using)


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("Districts and people")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers system checks

        # Sent once per app; connecting to this app alone runs it once per migrate.
        post_migrate.connect(_apply_rls_after_migrate, sender=self, dispatch_uid="districts.apply_rls")
