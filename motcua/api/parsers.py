"""The API's JSON parser: DRF's, with the limits an endpoint open to the Internet needs.

`json.loads` recurses once per nested array or object, so a body of 1,000 `[` ends in a
RecursionError (a 500) and a few MB of them hold a worker for nothing. Nothing the API accepts is
nested more than a few levels, so the depth is measured on the text first — without recursion — and
anything deeper than `MAX_DEPTH` is refused before it is parsed. The body is read only up to
DATA_UPLOAD_MAX_MEMORY_SIZE (Django applies that limit to forms, not to a stream read by DRF).
"""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.parsers import JSONParser, get_encoding

from motcua.core.errors import InvalidInput

# Deepest nesting accepted. The deepest body the API takes today (a submission: an object holding
# the applicant's object and lists of ids) is 2; 32 leaves room for any future shape and is far
# below the interpreter's recursion limit.
MAX_DEPTH = 32

# A JSON string, quotes and escapes included — or, unterminated, everything up to the end of the
# text (json.loads refuses it afterwards). Possessive, and it always matches from a quote: a pattern
# that could fail there would be retried from every escaped quote inside, quadratic in the length
# (`"\"\"\"…` without a closing quote would hold a worker for minutes).
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str, limit: int | None = None) -> int:
    """How deeply arrays and objects nest in `text`, brackets inside strings not counted. Stops
    counting as soon as `limit` is exceeded (then returns limit + 1). Invalid JSON gives some
    number; the parser refuses it afterwards anyway."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    return deepest
        else:
            depth -= 1
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSONParser with a size limit and a depth limit. NUL characters and lone surrogates in
    strings are left to the serializers' fields (DRF's CharField refuses both, naming the field);
    the API takes no free-form JSON that would reach the database unchecked."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE")  # → 413
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise InvalidInput(
                "Dữ liệu gửi lên không đọc được: không phải văn bản UTF-8.", code="parse_error"
            ) from None
        if json_depth(text, MAX_DEPTH) > MAX_DEPTH:
            raise InvalidInput(f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).", code="too_deep")
        try:
            document = json.loads(text, parse_constant=self._refuse_constant if self.strict else None)
        except (ValueError, RecursionError):
            raise InvalidInput(
                "Dữ liệu gửi lên không đọc được (JSON không hợp lệ).", code="parse_error"
            ) from None
        return document

    @staticmethod
    def _refuse_constant(name: str):
        # NaN and Infinity are not JSON (RFC 8259); Python would accept them.
        raise ValueError(f"{name} is not valid JSON")
