"""Start-up checks: the signature trust roots must be readable; `check --deploy` flags the demo CA;
the document storage chosen (MOTCUA_DOCUMENT_STORAGE) must be usable."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from motcua.documents.signatures import TrustRootsError, trust_root_paths, trust_roots

_DEMO_CA_NAME = "demo-ca.pem"


@checks.register()
def signature_trust_roots(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        roots = trust_roots()
    except TrustRootsError as exc:
        return [checks.Error(str(exc), hint="Sửa MOTCUA_SIGNATURE_TRUST_ROOTS.", id="documents.E001")]
    if not roots:
        return [
            checks.Warning(
                "Chưa cấu hình chứng thư gốc nào: mọi chữ ký số sẽ bị coi là không tin cậy.",
                id="documents.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def demo_ca_not_trusted_in_production(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # The seals' TEST CA (`make_test_ca`) counts as the demo CA: its keys sit beside the app.
    if getattr(settings, "MOTCUA_TRUST_TEST_CA", False) or any(
        p.endswith(_DEMO_CA_NAME) for p in trust_root_paths()
    ):
        return [
            checks.Warning(
                "MOTCUA_SIGNATURE_TRUST_ROOTS đang tin CA THỬ NGHIỆM của dữ liệu mẫu "
                "(khóa bí mật đã công khai).",
                hint="Môi trường thật phải trỏ tới chứng thư gốc của các tổ chức cung cấp "
                "dịch vụ chứng thực chữ ký số.",
                id="documents.W002",
            )
        ]
    return []


def _s3_options() -> dict | None:
    """The options of the documents' storage when it is an S3 bucket (STORAGES["default"])."""
    default = settings.STORAGES.get("default", {})
    return default.get("OPTIONS", {}) if default.get("BACKEND", "").endswith("S3Storage") else None


@checks.register()
def document_storage(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    options = _s3_options()
    if options is None:
        return []
    errors = []
    if not options.get("bucket_name"):
        errors.append(
            checks.Error(
                "MOTCUA_DOCUMENT_STORAGE=s3 nhưng chưa đặt tên bucket lưu tài liệu.",
                hint="Đặt MOTCUA_S3_BUCKET (và MOTCUA_S3_ENDPOINT_URL nếu không dùng AWS).",
                id="documents.E002",
            )
        )
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        errors.append(
            checks.Error(
                "Khóa truy cập kho đối tượng S3 chỉ có một nửa.",
                hint="Đặt cả MOTCUA_S3_ACCESS_KEY và MOTCUA_S3_SECRET_KEY, hoặc bỏ cả hai để dùng "
                "thông tin xác thực mặc định của boto3 (biến AWS_*, vai trò của máy chủ).",
                id="documents.E003",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def document_storage_encrypted(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # Dossiers carry personal data (Nghị định 13/2023/NĐ-CP): they leave this server only encrypted,
    # except to an object store on the same machine.
    options = _s3_options()
    endpoint = urlsplit((options or {}).get("endpoint_url") or "")
    if endpoint.scheme != "http":
        return []
    host = endpoint.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return []
    return [
        checks.Warning(
            f"Tài liệu được gửi tới kho đối tượng {endpoint.netloc} qua http không mã hóa.",
            hint="Dùng https:// trong MOTCUA_S3_ENDPOINT_URL.",
            id="documents.W003",
        )
    ]
