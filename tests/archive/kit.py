"""Finished dossiers to archive, and a package taken apart on disk as an archivist would."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier
from tests.dossiers.kit import NOTARY, act, at, doc, forward_to, submit

SUBMITTED_AT = at("2026-03-02 08:00")


def returned_notary(*, signed_result: bool = True) -> Dossier:
    """A notary-office dossier (field CONGCHUNG) submitted online by congdan1 with one component,
    processed by Sở Tư pháp, decided with a signed result and returned: finished."""
    component = doc(DocumentKind.SUBMITTED, name="don-de-nghi.pdf", by="congdan1")
    d = submit(NOTARY, now=SUBMITTED_AT, documents=[component.pk])
    d = act(d, "receive", "chuyenvien.sotuphap", now=SUBMITTED_AT)
    d = act(d, "forward", "chuyenvien.sotuphap", now=SUBMITTED_AT)
    d = forward_to(d, 5, now=at("2026-03-05 08:00"))
    result = doc(DocumentKind.RESULT, signed=signed_result, name="quyet-dinh.pdf", by="lanhdao.ubndtinh")
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-06 08:00"), documents=[result])
    return act(d, "return_result", "chuyenvien.sotuphap", now=at("2026-03-06 09:00"))


def unpack(content: bytes, into: Path) -> Path:
    """Extract a package under `into` (its own folder: the test's tmp_path also holds the media);
    return its top folder (where verify_package.py is)."""
    into = into / "giai-nen"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(into)
    (top,) = list(into.iterdir())
    return top


def run_verifier(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -I verify_package.py` in the package's folder, as an archivist runs it offline:
    isolated mode (no site-packages, no project on the path), nothing but the package."""
    return subprocess.run(
        [sys.executable, "-I", "verify_package.py", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
