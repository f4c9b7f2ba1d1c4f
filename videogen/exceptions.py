"""The API's one exception handler: domain errors become their statuses and bodies here, so
views let them through instead of mapping them one by one. And the 404 and 500 pages, which
answer JSON under `/api/`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from gallery.services import AlreadyReported, OwnVideoReport
from pipeline.errors import JobStateError
from pipeline.quotas import JobLimit


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class BadRequest(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"


# Domain errors whose message is the whole answer: {"detail": message}.
_DETAIL_ERRORS = (
    (JobStateError, Conflict),  # cancel a finished job, continue one that is not paused
    (AlreadyReported, Conflict),
    (OwnVideoReport, BadRequest),
)


def api_exception_handler(exc, context):
    if isinstance(exc, JobLimit):  # the quota or cap and how far it is used
        return Response(exc.as_dict(), status=exc.status_code)
    for domain, api in _DETAIL_ERRORS:
        if isinstance(exc, domain):
            exc = api(str(exc))
            break
    if isinstance(exc, DjangoValidationError):  # a service's field errors, by field
        exc = ValidationError(as_serializer_error(exc))
    return exception_handler(exc, context)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """Django's 404 for a URL no route matches (`/api/v1/jobs/0`: not a UUID). Under `/api/`
    the answer is JSON in the API's error shape, like every other API answer."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)
