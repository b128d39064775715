"""The "Đồng bộ DVCQG" item of the back-office menu, shown only to the roles that may open the page
(motcua.sync.selectors.HEALTH_ROLES, R-26)."""

from django import template

from motcua.org.selectors import active_assignments
from motcua.sync.selectors import HEALTH_ROLES

register = template.Library()


@register.filter
def sees_sync_health(user) -> bool:
    """One query per request, remembered on the user object the request carries."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_sync_health", None)
    if cached is None:
        cached = active_assignments(user).filter(role__in=[str(r) for r in HEALTH_ROLES]).exists()
        user._sees_sync_health = cached
    return cached
