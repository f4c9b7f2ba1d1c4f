"""The account endpoints under /api/v1/auth/: parse, call a service, answer.

Every endpoint acts on the authenticated user only; none takes a user id."""

from contextlib import contextmanager

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import ValidationError, as_serializer_error
from rest_framework.views import APIView

from accounts import services
from accounts.serializers import (
    AvatarUploadSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    RegisterResponseSerializer,
    RegisterSerializer,
    TokenObtainSerializer,
    TokenSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.throttling import ScopedRateThrottle

TAGS = ["auth"]
BAD_REQUEST = OpenApiResponse(description="Invalid input; the errors are listed by field.")
UNAUTHORIZED = OpenApiResponse(description="Not authenticated.")
THROTTLED = OpenApiResponse(description="Too many requests; see the Retry-After header.")


@contextmanager
def service_errors(field=None):
    """Turns a service's Django ValidationError into DRF's 400, by field.

    Errors without a field are put on `field` when given, else under non_field_errors."""
    try:
        yield
    except DjangoValidationError as exc:
        if field and not hasattr(exc, "error_dict"):
            raise ValidationError({field: exc.messages})
        raise ValidationError(as_serializer_error(exc))


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RegisterApi(APIView):
    # Credentials are in the body; a session cookie that came along plays no part.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        tags=TAGS,
        operation_id="auth_register",
        summary="Create an account",
        request=RegisterSerializer,
        responses={201: RegisterResponseSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    )
    def post(self, request):
        data = _validated(RegisterSerializer, request)
        with service_errors():
            user = services.user_register(**data)
        token = services.token_issue(user=user)
        body = {"user": UserSerializer(user, context={"request": request}).data, "token": token.key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    throttle_scope = "login"

    def get_authenticators(self):
        # Obtaining a token needs only the credentials in the body: a stale Authorization
        # header or a session without a CSRF token must not block a login.
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return []

    @extend_schema(
        tags=TAGS,
        operation_id="auth_token_create",
        summary="Exchange email and password for the API token",
        description=(
            "Returns the account's token (the same one for every client). Wrong credentials "
            "and inactive accounts get the same non-field error."
        ),
        request=TokenObtainSerializer,
        responses={200: TokenSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    )
    def post(self, request):
        data = _validated(TokenObtainSerializer, request)
        with service_errors():
            token = services.token_obtain(
                email=data["email"], password=data["password"], request=request._request
            )
        return Response({"token": token.key})

    @extend_schema(
        tags=TAGS,
        operation_id="auth_token_revoke",
        summary="Revoke the API token (signs every client out)",
        request=None,
        responses={204: None, 401: UNAUTHORIZED},
    )
    def delete(self, request):
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_me_retrieve",
        summary="The signed-in user",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
    )
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        operation_id="auth_me_update",
        summary="Change the signed-in user's profile",
        description="Only `display_name` can change here; other keys are ignored.",
        request=UserUpdateSerializer,
        responses={200: MeSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def patch(self, request):
        data = _validated(UserUpdateSerializer, request)
        with service_errors():
            user = services.user_update(user=request.user, **data)
        return Response(MeSerializer(user, context={"request": request}).data)


class PasswordApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_password_change",
        summary="Change the password",
        description="Revokes the API token and returns a new one; other sessions end.",
        request=PasswordChangeSerializer,
        responses={200: TokenSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def post(self, request):
        data = _validated(PasswordChangeSerializer, request)
        with service_errors():
            token = services.user_change_password(user=request.user, **data)
        if isinstance(request.successful_authenticator, SessionAuthentication):
            # A browser calling the API keeps its session, as on the password page.
            update_session_auth_hash(request._request, request.user)
        return Response({"token": token.key})


class AvatarApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_avatar_set",
        summary="Upload a new avatar",
        description="Cropped to a square and stored as 256×256 and 64×64 PNG.",
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={200: UserSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def put(self, request):
        data = _validated(AvatarUploadSerializer, request)
        with service_errors(field="image"):
            user = services.avatar_set(user=request.user, image_file=data["image"])
        return Response(UserSerializer(user, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        operation_id="auth_avatar_delete",
        summary="Remove the avatar",
        request=None,
        responses={204: None, 401: UNAUTHORIZED},
    )
    def delete(self, request):
        services.avatar_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
