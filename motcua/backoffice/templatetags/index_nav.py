"""The "Chỉ số 766, báo cáo" item of the back-office menu, for the roles that may open /bao-cao/
(motcua.index.selectors.INDEX_ROLES, R-23, R-26)."""

from django import template

from motcua.index.selectors import INDEX_ROLES
from motcua.org.selectors import active_assignments

register = template.Library()


@register.filter
def sees_index(user) -> bool:
    """One query per request, remembered on the user object the request carries."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_index", None)
    if cached is None:
        cached = active_assignments(user).filter(role__in=[str(r) for r in INDEX_ROLES]).exists()
        user._sees_index = cached
    return cached
