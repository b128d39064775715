"""Start-up checks: the signature trust roots must be readable; `check --deploy` flags the demo CA."""

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
    if any(p.endswith(_DEMO_CA_NAME) for p in trust_root_paths()):
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
