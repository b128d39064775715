"""`manage.py import_catalog FILE`: load `LayThuTuc` payloads of the national TTHC database (R-09)."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.national_import import import_catalog


def _payloads(document: Any) -> list:
    """A list of payloads, {"data": [...]} (the DVCQG envelope) or a single payload."""
    if isinstance(document, dict) and "data" in document:
        document = document["data"]
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise CommandError('Tệp phải chứa một gói tin thủ tục, một danh sách gói tin hoặc {"data": [...]}.')


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ gói tin LayThuTuc (JSON) của CSDLQG về TTHC."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp JSON; '-' để đọc từ đầu vào chuẩn")

    def handle(self, *args, file: str, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
            document = json.loads(text)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror or exc}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"Tệp {file} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."
            ) from exc

        report = import_catalog(_payloads(document))

        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Cảnh báo — {warning}"))
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"Lỗi — {error}"))
        self.stdout.write(
            f"Thêm mới: {report.created}; cập nhật: {report.updated}; không thay đổi: {report.unchanged}; "
            f"cảnh báo: {len(report.warnings)}; lỗi: {len(report.errors)}."
        )
        if report.errors:
            raise CommandError(f"Có {len(report.errors)} thủ tục không nhập được.", returncode=1)
