"""Domain errors. Each carries the rule id it enforces and a Vietnamese message for people."""


def error_body(code: str, message: str, rule: str | None = None, details=None) -> dict:
    """The one error shape of the API (DESIGN.md "Public interfaces"), for the API's handler and for
    the refusals answered before a view runs (core.middleware)."""
    body = {"code": code, "message": message, "rule": rule}
    if details:
        body["details"] = details
    return {"error": body}


class DomainError(Exception):
    """A refusal by a business rule: becomes a 4xx with the rule id, never a 500."""

    status_code = 400
    code = "domain_error"

    def __init__(
        self, message: str, *, rule: str | None = None, code: str | None = None, field: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field
        if code:
            self.code = code


class RuleViolation(DomainError):
    """An action the law (a rule R-nn) does not allow."""

    status_code = 422
    code = "rule_violation"

    def __init__(self, rule: str, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message, rule=rule, code=code, field=field)


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid_input"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
