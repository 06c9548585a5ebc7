from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_schools_changed(sender: object, *, district: object, **kwargs: object) -> None:
    from .services import schedule_rollup_refresh

    schedule_rollup_refresh(district)


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        from districts import outbox
        from districts.signals import schools_changed
        from priorities.pages import register_priority_panel

        from .priority_panels import priority_metrics_panel
        from .rollups import REFRESH_ROLLUPS, deliver_rollup_refresh

        outbox.register(REFRESH_ROLLUPS, deliver_rollup_refresh)

        from plans.extensions import plan_period_checks

        from .bounds import outside_plan_period

        if outside_plan_period not in plan_period_checks:
            plan_period_checks.append(outside_plan_period)  # a plan's years hold its metrics' dates and values
        register_priority_panel(priority_metrics_panel)  # the priority page's measures of success

        # A school's existence, level or enrollment, or the district's tolerance, changes the roll-ups.
        schools_changed.connect(_on_schools_changed, dispatch_uid="metrics.schedule_rollup_refresh")
