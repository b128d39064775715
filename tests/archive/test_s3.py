"""The archive reads documents through Django's storage API only: the same package, verified the
same way, when the documents are kept in an S3-compatible bucket (moto's server over real HTTP)."""

from motcua.archive.services import archive_dossier, export_package
from tests.archive.kit import returned_notary, run_verifier, unpack
from tests.object_store import object_store, s3_documents  # noqa: F401 (fixtures)


def test_r30_package_of_documents_kept_in_s3_reverifies(s3_documents, object_store, tmp_path):  # noqa: F811
    d = returned_notary()
    assert any(key.startswith("documents/") for key in object_store.keys(s3_documents))
    result = d.attachments.get(document__kind="result").document

    archive_dossier(d)
    folder = unpack(export_package(d), tmp_path)

    assert run_verifier(folder).returncode == 0
    (packaged,) = [p for p in (folder / "tai-lieu").iterdir() if "quyet-dinh" in p.name]
    with result.file.open("rb") as handle:
        assert packaged.read_bytes() == handle.read()
