from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "motcua.sync"
    label = "sync"
    verbose_name = "Đồng bộ Cổng Dịch vụ công quốc gia"

    def ready(self):
        # Each commit that wrote national-portal messages wakes a delivery run.
        from motcua.sync import receivers  # noqa: F401  (connects the receivers)
