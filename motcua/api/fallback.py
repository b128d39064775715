"""Every address under /api/ that no endpoint answers: a 404 in the API's JSON error shape, for any
method and whatever the Accept header, instead of Django's HTML page."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from motcua.core.errors import NotFound


@extend_schema(exclude=True)
class UnknownPath(APIView):
    # No sign-in, no throttle: an unknown address is unknown to everyone (a bad token must not turn
    # it into a 401), and JSON even where the browsable API is on.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        # Before content negotiation too: even `Accept: text/html` gets the 404, not a 406.
        raise NotFound("Không có địa chỉ API này; danh sách các địa chỉ có tại /api/schema/.")
