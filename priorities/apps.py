from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = _("Priorities and commitments")

    def ready(self) -> None:
        from districts.pages import register_school_panel
        from plans.extensions import plan_copiers, plan_history_sources, plan_period_checks, plan_state_changes
        from plans.pages import register_plan_region

        from .loads import after_plan_state_change
        from .panels import school_load_panel
        from .plan_hooks import commitments_outside_period, copy_priorities, priority_history
        from .plan_page import PLAN_REGIONS

        register_school_panel(school_load_panel)  # the school page's initiative load
        for region in PLAN_REGIONS:  # the plan page: load flag, priorities edited in place, role cards
            register_plan_region(region)
        if priority_history not in plan_history_sources:
            plan_history_sources.append(priority_history)  # the plan page's history shows its priorities
        if after_plan_state_change not in plan_state_changes:
            plan_state_changes.append(after_plan_state_change)  # the stored school loads follow the active plan
        if commitments_outside_period not in plan_period_checks:
            plan_period_checks.append(commitments_outside_period)  # a plan's years hold its commitments
        if copy_priorities not in plan_copiers:
            plan_copiers.append(copy_priorities)  # "start a new plan from this one"
