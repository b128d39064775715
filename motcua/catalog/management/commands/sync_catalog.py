"""`manage.py sync_catalog [--file F] [--code C …] [--apply]`: the national catalogue against ours (R-09).

Without `--apply` it prints the differences and stores them as a review (a pending run, also shown
in the admin); with `--apply` it applies them too. `--run N --apply` applies a stored review.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.catalog import national_sync
from motcua.catalog.models import CatalogSyncRun
from motcua.core.errors import DomainError

INDENT = "    "
RAW_CLIP = 200  # a line of a raw payload key can be long; the admin page shows it whole


class Command(BaseCommand):
    help = (
        "Đồng bộ danh mục thủ tục hành chính từ Cổng DVCQG (hoặc tệp gói tin LayThuTuc): "
        "in các khác biệt và lưu lượt rà soát; --apply để áp dụng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Tệp JSON gói tin LayThuTuc thay cho Cổng DVCQG")
        parser.add_argument(
            "--code",
            dest="codes",
            action="extend",
            nargs="+",
            default=[],
            metavar="MA_TTHC",
            help="Chỉ các thủ tục có mã này (có thể lặp lại)",
        )
        parser.add_argument("--apply", action="store_true", help="Áp dụng các khác biệt sau khi lấy")
        parser.add_argument("--run", type=int, help="Số lượt đồng bộ đã lưu (dùng với --apply)")
        parser.add_argument("--user", help="Tên đăng nhập của người thực hiện (ghi vào lượt đồng bộ)")

    def handle(self, *args, file=None, codes=(), apply=False, run=None, user=None, **options):
        actor = self._actor(user)
        try:
            if run is not None:
                if not apply:
                    raise CommandError("--run chỉ dùng cùng --apply.")
                sync_run = CatalogSyncRun.objects.filter(pk=run).first()
                if sync_run is None:
                    raise CommandError(f"Không có lượt đồng bộ #{run}.")
            else:
                sync_run = self._fetch(file, codes, actor)
                self._print_run(sync_run)
            applicable = any(e["kind"] in national_sync.APPLICABLE for e in sync_run.differences)
            if not apply and not applicable:
                self.stdout.write(
                    f"Đã lưu lượt đồng bộ #{sync_run.pk}: danh mục khớp với nguồn, "
                    "không có thay đổi nào cần áp dụng."
                )
                return
            if not apply:
                self.stdout.write(
                    f"Đã lưu lượt đồng bộ #{sync_run.pk} (chờ duyệt). Chưa có thay đổi nào được áp dụng; "
                    f"để áp dụng: manage.py sync_catalog --run {sync_run.pk} --apply, "
                    "hoặc trong trang Quản trị › Đồng bộ danh mục TTHC từ Cổng DVCQG."
                )
                return
            chosen = list(codes) if run is not None and codes else None
            if not applicable:
                self.stdout.write(f"Lượt đồng bộ #{sync_run.pk}: không có thay đổi nào để áp dụng.")
                return
            report = national_sync.apply_run(sync_run, chosen, actor=actor)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

        for code in report.applied:
            self.stdout.write(self.style.SUCCESS(f"Đã áp dụng — {code}"))
        for code, error in report.errors.items():
            self.stderr.write(self.style.ERROR(f"Lỗi — {code}: {error}"))
        self.stdout.write(
            f"Lượt đồng bộ #{sync_run.pk}: đã áp dụng {len(report.applied)} thủ tục; "
            f"lỗi {len(report.errors)}."
        )
        if report.errors:
            raise CommandError(f"Có {len(report.errors)} thủ tục không áp dụng được.", returncode=1)

    def _actor(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        return user

    def _fetch(self, file: str | None, codes: list[str], actor) -> CatalogSyncRun:
        if file is None:
            return national_sync.fetch_from_portal(codes=codes or None, actor=actor)
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror or exc}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"Tệp {file} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."
            ) from exc
        payloads = national_sync.payloads_of_document(document)
        notes = ["Đọc từ tệp: không xét thủ tục nào không còn trên Cổng DVCQG."]
        if codes:
            wanted = set(codes)
            payloads = [p for p in payloads if national_sync.payload_code(p) in wanted]
            missing = wanted - {national_sync.payload_code(p) for p in payloads}
            if missing:
                notes.append("Tệp không có các mã: " + ", ".join(sorted(missing)) + ".")
        return national_sync.review_payloads(
            payloads,
            source=CatalogSyncRun.Source.FILE,
            source_name=Path(file).name,
            actor=actor,
            notes=notes,
        )

    def _print_run(self, run: CatalogSyncRun) -> None:
        when = timezone.localtime(run.fetched_at).strftime("%d/%m/%Y %H:%M")
        source = f"{run.get_source_display()}" + (f" ({run.source_name})" if run.source_name else "")
        self.stdout.write(f"Lượt đồng bộ #{run.pk} — nguồn: {source}, lúc {when}")
        for note in run.notes:
            self.stdout.write(note)
        for entry in run.differences:
            if entry["kind"] == national_sync.Kind.UNCHANGED:
                continue
            label = national_sync.KIND_LABELS[entry["kind"]]
            title = f"[{label}] {entry['code']}" + (f" — {entry['name']}" if entry["name"] else "")
            style = self.style.WARNING if entry["kind"] in national_sync.APPLICABLE else self.style.ERROR
            self.stdout.write(style(title))
            if entry["error"]:
                self.stdout.write(f"{INDENT}{entry['error']}")
            for change in entry["changes"]:
                self._print_change(change)
            for warning in entry["warnings"]:
                self.stdout.write(f"{INDENT}Cảnh báo: {warning}")
        counts = {kind: run.count(kind) for kind in national_sync.KIND_LABELS}
        self.stdout.write(
            f"Tổng: mới {counts['new']}; thay đổi {counts['changed']}; không thay đổi {counts['unchanged']}; "
            f"không còn trên Cổng {counts['removed']}; không có trên Cổng {counts['not_found']}; "
            f"gói tin lỗi {counts['invalid']}."
        )

    def _print_change(self, change: dict) -> None:
        self.stdout.write(f"{INDENT}{change['label']}")
        if change["key"] == "national_payload" and not change["current"]:
            self.stdout.write(f"{INDENT * 2}(gói tin gốc đầy đủ trong trang quản trị)")
            return
        for side, lines in (("Hiện tại:   ", change["current"]), ("Cổng DVCQG: ", change["national"])):
            lines = [line if len(line) <= RAW_CLIP else line[: RAW_CLIP - 1] + "…" for line in lines] or ["—"]
            self.stdout.write(f"{INDENT * 2}{side}{lines[0]}")
            for line in lines[1:]:
                self.stdout.write(f"{INDENT * 2}{' ' * len(side)}{line}")
