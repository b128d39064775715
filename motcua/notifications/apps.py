from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo cho người nộp hồ sơ"

    def ready(self):
        # Each event that concerns the applicant writes their messages in its transaction.
        from motcua.notifications import receivers  # noqa: F401  (connects the receivers)
