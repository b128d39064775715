"""Reading an old system's export into records, each with the line it starts on (R-09).

A file that cannot be read at all (wrong encoding, no header, a required column missing, broken
JSON) is refused as a whole, before anything is imported; a record that reads but does not validate
is the importer's to refuse, line by line.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from motcua.core.errors import InvalidInput
from motcua.legacy.mapping import (
    ENTRY_DATE_COLUMNS,
    HISTORY_KEY,
    REQUIRED_COLUMNS,
    canonical_column,
)


class LegacyFileError(InvalidInput):
    """The file as a whole cannot be imported; the message says why, in Vietnamese."""

    code = "legacy_file_invalid"


@dataclass
class LegacyRecord:
    line: int
    fields: dict[str, str]  # canonical column → text, stripped
    raw: dict[str, Any]  # as read, for the provenance record
    history: list[dict[str, Any]] = field(default_factory=list)
    # A record whose shape is wrong (a history that is not a list…): refused with this reason.
    problem: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def _check_columns(present: set[str], what: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if not any(c in present for c in ENTRY_DATE_COLUMNS):
        missing.append(" hoặc ".join(ENTRY_DATE_COLUMNS))
    if missing:
        raise LegacyFileError(f"{what} thiếu cột bắt buộc: {', '.join(missing)}.")


def decode(content: bytes) -> str:
    """UTF-8, with or without the byte-order mark Excel writes."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LegacyFileError(
            f"Tệp không phải văn bản UTF-8 (byte thứ {exc.start + 1}); hãy xuất lại tệp với mã hóa UTF-8."
        ) from None


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(text: str) -> Iterator[LegacyRecord]:
    """One record per row; the header names the columns (comma, semicolon or tab separated)."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise LegacyFileError("Tệp CSV trống.") from None
    except csv.Error as exc:
        raise LegacyFileError(f"Tệp CSV hỏng ở dòng 1: {exc}.") from None
    columns = [canonical_column(name) for name in header]
    _check_columns({c for c in columns if c}, "Tệp CSV")
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LegacyFileError(f"Tệp CSV hỏng ở dòng {start}: {exc}.") from None
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank line
        raw = {name: value for name, value in zip(header, row, strict=False)}
        fields = {c: _text(v) for c, v in zip(columns, row, strict=False) if c}
        problem = ""
        if len(row) != len(header):
            problem = f"Dòng có {len(row)} cột, tiêu đề có {len(header)} cột."
        yield LegacyRecord(line=line, fields=fields, raw=raw, problem=problem)


# --- JSON ---------------------------------------------------------------------------------------

_WHITESPACE = " \t\r\n"


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def read_json(text: str) -> Iterator[LegacyRecord]:
    """A JSON array of dossier objects (the `DongBoHoSoMC` data[] shape) with their progress rows in
    `QuaTrinhXuLy`. Read element by element so each record knows the line it starts on."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if pos >= len(text) or text[pos] != "[":
        raise LegacyFileError("Tệp JSON phải là một mảng các hồ sơ: [ {…}, {…} ].")
    pos = _skip(text, pos + 1)
    checked = False
    number = 0
    while pos < len(text) and text[pos] != "]":
        number += 1
        line = _line_of(text, pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise LegacyFileError(f"Tệp JSON hỏng ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.") from None
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
        elif pos < len(text) and text[pos] != "]":
            raise LegacyFileError(
                f"Tệp JSON hỏng ở dòng {_line_of(text, pos)}: thiếu dấu phẩy giữa hai hồ sơ."
            )
        if not isinstance(value, dict):
            yield LegacyRecord(
                line=line, fields={}, raw={"value": value}, problem="Phần tử không phải một hồ sơ {…}."
            )
            continue
        if not checked:
            _check_columns({canonical_column(k) for k in value} - {None}, "Hồ sơ JSON")
            checked = True
        fields, history, problem = {}, [], ""
        for key, item in value.items():
            if key == HISTORY_KEY:
                if isinstance(item, list) and all(isinstance(r, dict) for r in item):
                    history = item
                elif item is not None:
                    problem = f"{HISTORY_KEY} phải là một mảng các bước xử lý."
                continue
            column = canonical_column(key)
            if column:
                fields[column] = _text(item)
        yield LegacyRecord(line=line, fields=fields, raw=value, history=history, problem=problem)
    if pos >= len(text):
        raise LegacyFileError("Tệp JSON hỏng: thiếu dấu ] kết thúc mảng.")
    if _skip(text, pos + 1) != len(text):
        raise LegacyFileError(f"Tệp JSON hỏng ở dòng {_line_of(text, pos + 1)}: có nội dung sau dấu ].")


def read_records(text: str, fmt: str) -> Iterator[LegacyRecord]:
    return read_csv(text) if fmt == "csv" else read_json(text)
