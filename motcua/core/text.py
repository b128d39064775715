"""Vietnamese text: stored in Unicode NFC, searched without diacritics.

Citizens often type without diacritics on phones ("cap giay phep xay dung" must find
"Cấp giấy phép xây dựng"), so every searchable model keeps a folded copy of its text.
"""

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

# "đ" is a letter of its own, not "d" + a combining mark, so NFD does not split it.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """The stored form of any Vietnamese text (one code point per accented letter)."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case, diacritics-free, whitespace-collapsed form used for search."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def search_folded(queryset, field: str, query: str):
    """Keep rows whose folded `field` contains every word of `query` (diacritics-insensitive)."""
    for word in fold(query).split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


def parse_decimal(value: Any) -> Decimal | None:
    """A number as it arrives from people and national payloads ("2,5", "15", 15); None if not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def vietnamese_number(value: Decimal) -> str:
    """A decimal as Vietnamese write it: 2,5 — never 3E+1."""
    return format(value.normalize(), "f").replace(".", ",")


def mask_name(name: str) -> str:
    """Each word cut to its initial ("Nguyễn Văn Thử" → "N*** V*** T***"): enough for the holder of
    a receipt to recognise, nothing for a stranger to harvest."""
    return " ".join(f"{word[0]}***" for word in name.split())
