"""`manage.py worker`: run background tasks (DESIGN.md CLI) — django-tasks-db's `db_worker`.

Needed only when MOTCUA_TASKS_BACKEND is "database" (the production default): the tasks wait in the
database until a worker runs them. Every option of `db_worker` is accepted (`--batch`,
`--queue-name`, `--interval`, `--max-tasks`, …); run several workers to scale out.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Chạy các tác vụ nền (tính lại hạn xử lý khi sửa lịch làm việc…); bí danh của db_worker."
