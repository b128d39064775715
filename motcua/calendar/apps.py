from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "motcua.calendar"
    label = "workcalendar"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        from motcua.calendar import signals  # noqa: F401  (connects the cache invalidation)
