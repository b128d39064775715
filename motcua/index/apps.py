from django.apps import AppConfig


class IndexConfig(AppConfig):
    name = "motcua.index"
    label = "index"
    verbose_name = "Bộ chỉ số 766 và báo cáo"

    def ready(self) -> None:
        from motcua.index import receivers  # noqa: F401  (connects the dossier marker)
