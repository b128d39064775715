from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "motcua.consultations"
    label = "consultations"
    verbose_name = "Xin ý kiến, liên thông"
