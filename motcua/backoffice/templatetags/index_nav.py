"""The leadership's menu item (R-23, R-26): "Chỉ số 766" (/bao-cao/) for the roles that may read the
index (motcua.index.selectors.INDEX_ROLES); "Báo cáo" to the first report for those who may read a
report but not the index (Sở Nội vụ reads the late consultation replies, R-16)."""

from django import template
from django.urls import reverse

from motcua.index.reports import REPORTS
from motcua.index.selectors import INDEX_ROLES
from motcua.org.models import Role
from motcua.org.selectors import active_assignments

register = template.Library()
# The report Sở Nội vụ reads: the late consultation replies.
CONSULTATIONS_REPORT = next(r.url_name for r in REPORTS if r.rule == "R-16")


@register.simple_tag(takes_context=True)
def leadership_menu(context) -> tuple[str, str] | None:
    """(label, address) of the item, or None; read once per request (remembered on the user)."""
    user = context.get("user")
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_leadership_menu", False)
    if cached is not False:
        return cached
    # One query, as the menu's other items: the roles decide, the units are checked by the pages.
    roles = set() if user.is_superuser else set(active_assignments(user).values_list("role", flat=True))
    item = None
    if user.is_superuser or roles & {str(r) for r in INDEX_ROLES}:
        item = ("Chỉ số 766", reverse("reports:index"))
    elif str(Role.HOME_AFFAIRS) in roles:
        item = ("Báo cáo", reverse(f"reports:{CONSULTATIONS_REPORT}"))
    user._leadership_menu = item
    return item
