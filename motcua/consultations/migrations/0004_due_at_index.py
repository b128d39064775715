"""The consultations report selects consultations, answered or not, by the period of their reply
deadline (`due_at`); at millions of dossiers it needs its own index.

Built CONCURRENTLY on PostgreSQL so that migrating a live installation does not block writes while
it is built (hence not atomic, as dossiers 0004 and 0013); elsewhere a plain CREATE INDEX.
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
        ("consultations", "0003_awaited_index"),
    ]

    operations = [
        AddIndexLive(
            model_name="consultation",
            index=models.Index(fields=["due_at"], name="consultation_due_at"),
        ),
    ]
