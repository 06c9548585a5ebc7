from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Priorities and commitments"

    def ready(self) -> None:
        from districts.pages import register_school_panel

        from .pages import school_load_panel

        register_school_panel(school_load_panel)  # the school page's initiative load
