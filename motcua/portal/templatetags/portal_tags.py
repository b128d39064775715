"""What every portal page shows: the province's name (settings.MOTCUA_PROVINCE_NAME)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def province_name() -> str:
    return settings.MOTCUA_PROVINCE_NAME
