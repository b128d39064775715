"""The procedure catalogue people search (diacritics-insensitive), each procedure's page, online
submission where the province switches it on, and the applicant's own dossiers."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


def _not_yet(request, **kwargs):  # replaced as the part is built (issue 11)
    from django.http import HttpResponse

    return HttpResponse("Chức năng đang được xây dựng.", status=501)


urlpatterns = [
    path("thu-tuc/", _not_yet, name="procedures"),
    path("thu-tuc/<str:code>/", _not_yet, name="procedure"),
    path("thu-tuc/<str:code>/nop-ho-so/", _not_yet, name="submit"),
    path("ho-so-cua-toi/", _not_yet, name="my-dossiers"),
    path("ho-so-cua-toi/<str:code>/", _not_yet, name="my-dossier"),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")
