from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _after_plan_state_change(*, plan: object, **kwargs: object) -> None:
    # A plan activated or archived changes which cycles the district should have: run it on the next tick.
    from districts.ticks import nudge

    nudge(plan.district)


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self) -> None:
        from districts import ticks
        from plans.extensions import plan_state_changes

        from .cycles import tick_step
        from .permissions import register_rules

        register_rules()
        ticks.register("checkins.cycles", tick_step)  # plan, open, mark late, escalate and close cycles

        from districts import outbox

        from .rollups import REFRESH_KIND, deliver_refresh

        outbox.register(REFRESH_KIND, deliver_refresh)  # recompute a cycle's roll-ups after a change

        from . import notifications

        outbox.register(notifications.NOTIFY_KIND, notifications.deliver)  # send an event's emails, once each
        notifications.register_email_kinds()  # the check-in emails on "My settings"
        if _after_plan_state_change not in plan_state_changes:
            plan_state_changes.append(_after_plan_state_change)
