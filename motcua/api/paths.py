"""Codes in URL paths."""

import re

from motcua.core.errors import NotFound


class CodeInPath:
    """Dossier and procedure codes are short ASCII (`000.00.30.H19-261122-0001`, `1.001193`): anything
    else in the path is answered 404 before it reaches the database (PostgreSQL refuses NUL bytes in
    text, which would otherwise surface as a 500)."""

    code_pattern = re.compile(r"[0-9A-Za-z._-]{1,64}")
    not_found = ("Không tìm thấy hồ sơ.", "dossier_not_found")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.code_pattern.fullmatch(kwargs.get("code", "")):
            message, code = self.not_found
            raise NotFound(message, code=code)
