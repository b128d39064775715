"""Where the documents' bytes live: local files under MEDIA_ROOT (the default) or an S3-compatible
object store (`MOTCUA_DOCUMENT_STORAGE=s3`), chosen in settings as Django's `STORAGES["default"]`.

`Document.file` names no storage of its own, so it always uses `default_storage` (lazily: a test may
switch STORAGES with override_settings, and no migration records the backend).

Neither backend ever gives a URL. A citizen's papers are personal data (Nghị định 13/2023/NĐ-CP):
they are served only by the views that check who may see the dossier (back office `document_file`,
portal `my_file`, the signed links of the national portal) — never by a web server or a bucket
link that skips the check. The checksum that counts is our own SHA-256 in `Document.sha256`, not an
ETag or a checksum the object store computes (they differ between stores and multipart uploads).
"""

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

NO_URL = (
    "Tài liệu không có đường dẫn công khai: chỉ được tải qua trang kiểm tra quyền xem hồ sơ "
    "(cán bộ, Cổng dịch vụ công của tỉnh hoặc đường dẫn có chữ ký gửi Cổng DVCQG)."
)


class NoUrlMixin:
    def url(self, name, *args, **kwargs):
        raise NotImplementedError(NO_URL)


class PrivateFileSystemStorage(NoUrlMixin, FileSystemStorage):
    """Files under MEDIA_ROOT, which no web server publishes (there is no MEDIA_URL route)."""


class PrivateS3Storage(NoUrlMixin, S3Storage):
    """An S3-compatible bucket with a private ACL on every object and no presigned links.

    The defaults here are the ones that must not be changed by an environment variable: objects are
    private, an existing key is never overwritten (a stored paper is evidence: R-14, archive), and a
    download spills to a temporary file past 2 MB instead of holding a 20 MB scan in memory."""

    def get_default_settings(self) -> dict:
        defaults = super().get_default_settings()
        defaults.update(
            default_acl="private",
            querystring_auth=False,
            file_overwrite=False,
            max_memory_size=2 * 1024 * 1024,
            signature_version="s3v4",
        )
        return defaults

    def _open(self, name, mode="rb"):
        # A missing object is already FileNotFoundError; an unreachable or refusing store becomes an
        # OSError too, which the serving views turn into a Vietnamese 404 page instead of a 500.
        try:
            return super()._open(name, mode)
        except (BotoCoreError, ClientError) as exc:
            raise OSError(f"Kho lưu trữ tài liệu không trả tệp {name}: {exc}") from exc
