"""The "Hồ sơ tồn đọng phần mềm cũ" item of the back-office menu, shown only to those who may open
the R-25 report (motcua.legacy.selectors.report_units: provincial office, administrators, unit leaders)."""

from django import template

from motcua.legacy.selectors import PROVINCE_READERS
from motcua.org.models import Role
from motcua.org.selectors import active_assignments

register = template.Library()

READER_ROLES = sorted({*PROVINCE_READERS, Role.UNIT_LEADER})


@register.filter
def sees_legacy_report(user) -> bool:
    """One query per request, remembered on the user object the request carries."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_legacy_report", None)
    if cached is None:
        cached = active_assignments(user).filter(role__in=[str(r) for r in READER_ROLES]).exists()
        user._sees_legacy_report = cached
    return cached
