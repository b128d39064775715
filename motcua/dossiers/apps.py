from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self):
        # Consultation reminders are delivered through the dossiers' outbox (R-12); the
        # consultations app sits below this one and learns where to send them here.
        from motcua.consultations.services import register_reminder_sink
        from motcua.dossiers.reminders import enqueue_reminder

        register_reminder_sink(enqueue_reminder)
