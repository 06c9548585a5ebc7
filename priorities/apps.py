from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Priorities and commitments"

    def ready(self) -> None:
        from districts.pages import register_school_panel
        from plans.extensions import plan_copiers, plan_period_checks

        from .pages import school_load_panel
        from .plan_hooks import commitments_outside_period, copy_priorities

        register_school_panel(school_load_panel)  # the school page's initiative load
        if commitments_outside_period not in plan_period_checks:
            plan_period_checks.append(commitments_outside_period)  # a plan's years hold its commitments
        if copy_priorities not in plan_copiers:
            plan_copiers.append(copy_priorities)  # "start a new plan from this one"
