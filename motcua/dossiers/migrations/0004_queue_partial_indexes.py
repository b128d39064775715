"""Partial covering indexes for the officers' work queues (motcua/dossiers/queues.py).

At a million dossiers stored, the dossiers still in the administration's hands are a few per cent
of the table, scattered over all of it. The queues read only those: each index below holds just
the open dossiers (its WHERE) and, in INCLUDE, every column a queue filters, orders or counts on —
search_text too — so that a queue is counted, filtered and cut into pages from the index alone and
only the 25 rows shown are read from the table. The plain composite indexes of 0001
((deciding_unit, state), …) cover every dossier ever received and make PostgreSQL read a table
page per open dossier: see bench/README.md for the EXPLAIN ANALYZE figures.

PostgreSQL only (INCLUDE; SQLite scans, which is fine at a demo's size). Built CONCURRENTLY, so
migrating a live installation does not lock the table; the migration is therefore not atomic.
The state lists are frozen here as they were when written (motcua.dossiers.states).
"""

from django.db import migrations

NOT_FINAL = (
    "'submitted', 'received', 'processing', 'awaiting_supplement', 'paused', "
    "'withdrawal_requested', 'result_ready'"
)
AT_A_STEP = "'processing', 'paused', 'awaiting_supplement', 'withdrawal_requested'"

INDEXES = {
    # to_receive, mine (received, to hand over), due_soon/overdue (received at my counter), to_return
    "dossier_queue_receiving": (
        "dossiers_dossier",
        "(receiving_unit_id, state) INCLUDE (id, due_at, submitted_at, deciding_unit_id, current_step_id, "
        "extended_due_at, result_delivery, procedure_id, channel, search_text)",
        f"state IN ({NOT_FINAL})",
    ),
    # division (received, on its way), due_soon/overdue (decided by my unit), approvals, to_return online
    "dossier_queue_deciding": (
        "dossiers_dossier",
        "(deciding_unit_id, state) INCLUDE (id, due_at, submitted_at, receiving_unit_id, current_step_id, "
        "extended_due_at, result_delivery, procedure_id, channel, search_text)",
        f"state IN ({NOT_FINAL})",
    ),
    # mine, division, due_soon/overdue: the dossier at an open step of my unit (joined from the steps)
    "dossier_queue_at_step": (
        "dossiers_dossier",
        "(current_step_id) INCLUDE (id, state, due_at, submitted_at, receiving_unit_id, deciding_unit_id, "
        "extended_due_at, procedure_id, channel, search_text)",
        f"state IN ({AT_A_STEP})",
    ),
    # the open steps of a unit, by role (a dossier has at most one: its current step)
    "dossierstep_queue_open": (
        "dossiers_dossierstep",
        "(unit_id, role) INCLUDE (id, handler_id)",
        "ended_at IS NULL",
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns, where) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" {columns} WHERE {where}'
        )
    for table in sorted({table for table, _, _ in INDEXES.values()}):
        schema_editor.execute(f'ANALYZE "{table}"')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0003_dossier_pause_ground"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
