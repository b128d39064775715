"""Sign-in with VNeID / the national SSO (OpenID Connect code flow, R-26) and sign-out."""

from django.urls import path


def _not_yet(request, **kwargs):  # replaced as the part is built (issue 11)
    from django.http import HttpResponse

    return HttpResponse("Chức năng đang được xây dựng.", status=501)


urlpatterns = [
    path("dang-nhap/", _not_yet, name="signin"),
    path("dang-xuat/", _not_yet, name="signout"),
]
