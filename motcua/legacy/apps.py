from django.apps import AppConfig


class LegacyConfig(AppConfig):
    name = "motcua.legacy"
    label = "legacy"
    verbose_name = "Dữ liệu phần mềm một cửa cũ"
