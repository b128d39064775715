"""Feedback and complaints (PAKN, R-31) and the rating of finished dossiers (R-32)."""

from django.urls import path


def _not_yet(request, **kwargs):  # replaced as the part is built (issue 11)
    from django.http import HttpResponse

    return HttpResponse("Chức năng đang được xây dựng.", status=501)


urlpatterns = [
    path("phan-anh-kien-nghi/", _not_yet, name="feedback"),
]
