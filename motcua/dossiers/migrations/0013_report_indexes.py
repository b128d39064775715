"""Single-column indexes the reports (motcua.index.reports) need at millions of dossiers: dossiers by
period of submission, of the end of processing and of the handing over of results; the log's events
of one action by period; steps by their planned end.

Built CONCURRENTLY on PostgreSQL, so that migrating a live installation does not block the writes
(every submission and action) while each index is built over the whole table; the migration is
therefore not atomic (as 0004). Elsewhere (SQLite) a plain CREATE INDEX.
"""

from django.db import migrations, models


class AddIndexLive(migrations.AddIndex):
    """`AddIndex`, built without locking the table against writes where the database can."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0012_refused_attempt"),
    ]

    operations = [
        AddIndexLive(
            model_name="dossier",
            index=models.Index(fields=["submitted_at"], name="dossier_submitted_at"),
        ),
        AddIndexLive(
            model_name="dossier",
            index=models.Index(fields=["finished_at"], name="dossier_finished_at"),
        ),
        AddIndexLive(
            model_name="dossier",
            index=models.Index(fields=["returned_at"], name="dossier_returned_at"),
        ),
        AddIndexLive(
            model_name="dossierevent",
            index=models.Index(fields=["action", "at"], name="event_action_at"),
        ),
        AddIndexLive(
            model_name="dossierstep",
            index=models.Index(fields=["planned_end_at"], name="step_planned_end_at"),
        ),
    ]
