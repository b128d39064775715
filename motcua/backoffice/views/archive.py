"""The archive package of a dossier (TT 13/2023/TT-BNV Điều 8: use of archived records), for the
officers who may see the dossier — the same check as its documents (R-26), the same 404 for a
dossier of another unit as for none."""

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from motcua.archive import selectors, services
from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError, NotFound


def _error(request: HttpRequest, exc: DomainError, title: str) -> HttpResponse:
    context = {"title": title, "message": exc.message, "rule": exc.rule}
    return render(request, "backoffice/error.html", context, status=exc.status_code)


@officer_required
@require_GET
def archive_package(request: HttpRequest, code: str) -> HttpResponse:
    """The package as a zip download, rebuilt and checked against what was recorded — in full before
    the first byte is sent (a package that fails the check is never half-delivered); spooled to a
    temporary file beyond a few MB, as a dossier's scans can be large."""
    try:
        record = selectors.archived_record(request.user, code)
    except NotFound as exc:
        return _error(request, exc, "Không tìm thấy")
    # Closed by FileResponse once sent (or below on a refusal), so no `with`.
    package = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        services.write_package(record, package)
    except DomainError as exc:  # a stored file no longer matches its checksum: never a wrong package
        package.close()
        return _error(request, exc, "Gói lưu trữ không nguyên vẹn")
    package.seek(0)
    response = FileResponse(
        package,
        as_attachment=True,
        filename=f"{services.package_name(record)}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [path("<str:code>.zip", archive_package, name="archive-package")]
