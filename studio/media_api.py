"""The media library API: thin views over pipeline.library.services and its selectors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import StrictCharField, query_params
from gallery.api import FirstRenderer
from gallery.streaming import stored_file_response
from pipeline.library import selectors, services
from pipeline.library.stock import StockError, stock_clients, stock_keep
from pipeline.library.visuals import stock_find
from pipeline.models import MediaItem
from studio.api import LIMIT_SHAPE

MEDIA_TAG = extend_schema(tags=["media"])


class MediaItemSerializer(serializers.ModelSerializer):
    # Empty for a person's own uploads, so not declared as URIs.
    source_url = serializers.CharField(read_only=True)
    author_url = serializers.CharField(read_only=True)
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = MediaItem
        fields = [
            "id", "kind", "format", "original_name", "tags", "size", "width", "height",
            "duration", "source", "source_url", "author", "author_url", "license", "credit",
            "file_url", "thumbnail_url", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_file_url(self, item) -> str:
        return f"/api/v1/media/{item.id}/file"

    def get_thumbnail_url(self, item) -> str:
        return thumbnail_url(item.id)


def thumbnail_url(item_id) -> str:
    return f"/api/v1/media/{item_id}/thumbnail"


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A JPEG, PNG or WebP picture, or an H.264 MP4/MOV/WebM clip without limits "
        "passed (MEDIA_CLIP_MAX_BYTES, MEDIA_CLIP_MAX_SECONDS)."
    )
    tags = serializers.CharField(
        required=False, allow_blank=True, help_text="Comma-separated words it shows."
    )


class MediaFilterSerializer(serializers.Serializer):
    tag = StrictCharField(required=False, max_length=100)
    q = StrictCharField(required=False, max_length=100)
    kind = serializers.ChoiceField(choices=MediaItem.Kind.values, required=False)


def _own_item(request, item_id) -> MediaItem:
    item = selectors.media_get_for(user=request.user, item_id=item_id)
    if item is None:
        raise NotFound("No such media item.")
    return item


@MEDIA_TAG
class MediaListCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[MediaFilterSerializer], responses=MediaItemSerializer(many=True))
    def get(self, request):
        """Your library, newest first; `tag` matches a whole tag, `q` part of a tag or name."""
        params = MediaFilterSerializer(data=query_params(request))
        params.is_valid(raise_exception=True)
        items = selectors.media_of(user=request.user, **params.validated_data)
        return Response(MediaItemSerializer(items, many=True).data)

    @extend_schema(
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaItemSerializer, 403: LIMIT_SHAPE},
    )
    def post(self, request):
        """Adds a picture or clip to your library (validated, re-encoded or re-muxed)."""
        file = request.FILES.get("file")
        if file is None:
            raise serializers.ValidationError({"file": ["No file was submitted."]})
        try:
            item = services.media_create(
                owner=request.user, file=file, tags=request.data.get("tags", "")
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict)
        return Response(MediaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class StockKeepSerializer(serializers.Serializer):
    key = StrictCharField(max_length=120, help_text="A stock candidate's `key`.")
    query = StrictCharField(max_length=100, help_text="The `query` it was listed for.")


@MEDIA_TAG
class MediaStockView(APIView):
    @extend_schema(
        request=StockKeepSerializer,
        responses={201: MediaItemSerializer, 200: MediaItemSerializer, 403: LIMIT_SHAPE},
    )
    def post(self, request):
        """Keeps a stock result (from a scene's candidates) in your library, with its author
        and licence: downloaded and checked like an upload; 200 with the item when it was
        kept before."""
        body = StockKeepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = stock_find(stock_clients(), **body.validated_data)
        if found is None:
            raise serializers.ValidationError(
                {"key": ["No such stock result for this query; search again."]}
            )
        hit, client = found
        try:
            item, added = stock_keep(owner=request.user, hit=hit, client=client)
        except StockError as exc:
            raise serializers.ValidationError({"key": [str(exc)]})
        return Response(
            MediaItemSerializer(item).data,
            status=status.HTTP_201_CREATED if added else status.HTTP_200_OK,
        )


@MEDIA_TAG
class MediaDetailView(APIView):
    @extend_schema(responses=MediaItemSerializer)
    def get(self, request, item_id):
        return Response(MediaItemSerializer(_own_item(request, item_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, item_id):
        """Removes the item and its file; videos already made with it keep their frames."""
        with transaction.atomic():
            services.media_delete(item=_own_item(request, item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class _MediaFileView(APIView):
    content_negotiation_class = FirstRenderer
    field = "file"

    def get(self, request, item_id):
        item = _own_item(request, item_id)
        field = getattr(item, self.field)
        if not field:
            raise NotFound("This item has no such file.")
        content_type = {"MP4": "video/mp4"}.get(item.format) if self.field == "file" else None
        return stored_file_response(request, field, content_type=content_type)


_FILE_TYPES = ("image/jpeg", "image/png", "image/webp", "video/mp4")


@MEDIA_TAG
class MediaFileView(_MediaFileView):
    @extend_schema(responses={(200, t): OpenApiTypes.BINARY for t in _FILE_TYPES})
    def get(self, request, item_id):
        """The stored picture or clip (HTTP Range supported)."""
        return super().get(request, item_id)


@MEDIA_TAG
class MediaThumbnailView(_MediaFileView):
    field = "thumbnail"

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, item_id):
        """A JPEG of the picture, or of the clip's first frame."""
        return super().get(request, item_id)
