from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self):
        # Issue 8 item 7: no production start without a real audit key (like SECRET_KEY); checked
        # here, once settings are complete, so DEBUG decides whether the demo key may be used.
        from motcua.dossiers.audit import check_key_configured

        check_key_configured()
        # Consultation reminders are delivered through the dossiers' outbox (R-12); the
        # consultations app sits below this one and learns where to send them here.
        from motcua.consultations.services import register_reminder_sink
        from motcua.dossiers.reminders import enqueue_reminder

        register_reminder_sink(enqueue_reminder)
        # A calendar edit re-projects the stored dates of open dossiers (item 5 of issue 8).
        from motcua.dossiers import receivers  # noqa: F401  (connects the receivers)
