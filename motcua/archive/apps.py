from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "motcua.archive"
    label = "archive"
    verbose_name = "Lưu trữ hồ sơ điện tử"

    def ready(self) -> None:
        # Nothing archived is deleted before its retention ends (TT 13/2023/TT-BNV; R-30).
        from motcua.archive import receivers  # noqa: F401  (connects the receivers)
