from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = "Danh mục thủ tục hành chính"

    def ready(self) -> None:
        # Connect the receivers of org's signals (unit_merged) without org importing the catalogue.
        from motcua.catalog import receivers  # noqa: F401
