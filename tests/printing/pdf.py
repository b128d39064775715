"""Reading the printed PDFs back with the real tools (poppler-utils): text, fonts, page images and
the QR code's modules. No mocks: what a citizen would see on paper is what the tests read."""

import os
import re
import subprocess
from pathlib import Path

from PIL import Image

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def write(pdf: bytes, folder: Path, name: str = "form") -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def text(pdf: bytes, folder: Path) -> str:
    """The text as `pdftotext -layout` reads it, soft wrap hints removed, spaces collapsed."""
    raw = _run("pdftotext", "-layout", "-enc", "UTF-8", str(write(pdf, folder, "text")), "-")
    return re.sub(r"[ \t]+", " ", raw.replace("\u200b", ""))


def flat(pdf: bytes, folder: Path) -> str:
    """The text in reading order with every whitespace removed (for strings the layout wraps)."""
    raw = _run("pdftotext", "-raw", "-enc", "UTF-8", str(write(pdf, folder, "raw")), "-")
    return re.sub(r"\s+", "", raw.replace("\u200b", ""))


def raw(pdf: bytes, folder: Path) -> str:
    """The text in content order (`pdftotext -raw`: a table row's cells one after the other),
    whitespace collapsed to single spaces."""
    out = _run("pdftotext", "-raw", "-enc", "UTF-8", str(write(pdf, folder, "raw")), "-")
    return " ".join(out.replace("\u200b", "").split())


def words_beyond(pdf: bytes, folder: Path, *, right_margin_mm: float) -> list[str]:
    """Words whose box reaches into the right margin or off the page (`pdftotext -bbox`)."""
    html = _run("pdftotext", "-bbox", str(write(pdf, folder, "bbox")), "-")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    limit = width - right_margin_mm * 72 / 25.4 + 1
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', html)
    return [word for x_max, word in words if float(x_max) > limit]


def squash(value: str) -> str:
    """`value` as `flat` has it: without whitespace."""
    return re.sub(r"\s+", "", value)


def info(pdf: bytes, folder: Path) -> dict[str, str]:
    lines = _run("pdfinfo", str(write(pdf, folder, "info"))).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def fonts(pdf: bytes, folder: Path) -> list[str]:
    """The names of the embedded fonts (subset prefix removed)."""
    rows = _run("pdffonts", str(write(pdf, folder, "fonts"))).splitlines()[2:]
    return sorted({row.split()[0].split("+", 1)[-1] for row in rows if row.strip()})


def page_png(pdf: bytes, folder: Path, *, dpi: int = 50, gray: bool = False) -> Path:
    """Page 1 as PNG, rendered by pdftoppm."""
    source = write(pdf, folder, "page")
    target = folder / f"page-{dpi}"
    _run(
        "pdftoppm",
        "-png",
        "-r",
        str(dpi),
        "-singlefile",
        *(["-gray"] if gray else []),
        str(source),
        str(target),
    )
    return target.with_suffix(".png")


def ink(png: Path) -> float:
    """The share of non-white pixels: a blank or nearly blank page is close to 0."""
    image = Image.open(png).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[200:]) / (image.width * image.height)


def keep(name: str, pdf: bytes) -> None:
    """With MOTCUA_PDF_ARTIFACTS=1, keep the PDF and a 100 dpi image of each page for a person to
    look at (test-artifacts/ is git-ignored)."""
    if not os.environ.get("MOTCUA_PDF_ARTIFACTS"):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    _run("pdftoppm", "-png", "-r", "100", str(path), str(ARTIFACTS / name))


# --- the QR code -----------------------------------------------------------------------------------

_DARK = bytes(1 if value < 128 else 0 for value in range(256))


_FINDER = [[r in (0, 6) or c in (0, 6) or (2 <= r <= 4 and 2 <= c <= 4) for c in range(7)] for r in range(7)]


def qr_modules(png: Path, size: int) -> list[list[bool]]:
    """The dark/light modules of the size×size QR symbol on the page image.

    Candidates are two dark runs on one row, of equal length (7 modules) and (size − 7) modules
    apart, as the top edges of the upper finder patterns are; a candidate is the symbol only if all
    three finder patterns (7×7 modules) are where they must be. Each module is read at its centre."""
    image = Image.open(png).convert("L")
    width, height = image.size
    pixel = image.load()
    data = image.tobytes().translate(_DARK)

    def grid(x0: float, y0: float, module: float, n: int) -> list[list[bool]]:
        return [
            [pixel[int(x0 + (c + 0.5) * module), int(y0 + (r + 0.5) * module)] < 128 for c in range(n)]
            for r in range(n)
        ]

    for y in range(height):
        row = data[y * width : (y + 1) * width]
        runs = [(m.start(), m.end() - m.start()) for m in re.finditer(b"\x01+", row)]
        for i, (x0, length) in enumerate(runs):
            if length < 14:  # at least 2 px per module
                continue
            for x1, other in runs[i + 1 :]:
                if abs(other - length) > 2 or abs((x1 - x0) / (length / 7) - (size - 7)) >= 0.5:
                    continue
                module = (x1 - x0) / (size - 7)
                far = (size - 7) * module
                if y + size * module >= height or x0 + size * module >= width:
                    continue
                corners = [(x0, y), (x0 + far, y), (x0, y + far)]
                if all(grid(cx, cy, module, 7) == _FINDER for cx, cy in corners):
                    return grid(x0, y, module, size)
    raise AssertionError("Không tìm thấy mã QR trên trang.")
