from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from districts import outbox

        from . import invalidation
        from .reports import REPORT_KIND, deliver_report

        outbox.register(REPORT_KIND, deliver_report)  # make a board report (HTML and PDF) once
        invalidation.connect()  # cached pages follow renames (core.cache_versions.NAMES)
