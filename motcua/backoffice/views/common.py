"""What every officer page shares: who may open it, and how a refusal of the engine is shown."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.core.errors import DomainError
from motcua.dossiers.selectors import is_officer


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in officers only (a role in force on some unit, R-26); others go to the sign-in page
    or, signed in without an officer role, get a Vietnamese 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or is_officer(user)):
            return render(
                request,
                "backoffice/error.html",
                {
                    "title": "Không có quyền",
                    "message": "Tài khoản này không có vai trò cán bộ (R-26).",
                    "rule": "R-26",
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def refusal(exc: DomainError) -> dict:
    """The engine's refusal as the templates show it: Vietnamese message, rule id, error code, field."""
    return {
        "message": exc.message,
        "rule": exc.rule,
        "code": exc.code,
        "field": exc.field,
        "status": exc.status_code,
    }
