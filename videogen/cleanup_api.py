"""`POST api/v1/cleanup`: retention and the orphan sweep, now (staff only)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pipeline.cleanup import cleanup_run

_REMOVED = inline_serializer(
    "CleanupRemoved",
    {"count": serializers.IntegerField(), "bytes": serializers.IntegerField()},
)
CLEANUP_SHAPE = inline_serializer(
    "CleanupReport",
    {
        "videos_expired": _REMOVED,
        "artifacts_expired": _REMOVED,
        "work_dirs_expired": _REMOVED,
        "orphan_files": _REMOVED,
        "orphan_artifacts": _REMOVED,
        "orphan_work_dirs": _REMOVED,
        "total": _REMOVED,
    },
)


class CleanupView(APIView):
    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        request=None,
        responses={
            200: CLEANUP_SHAPE,
            401: OpenApiResponse(description="Not authenticated."),
            403: OpenApiResponse(description="Staff only."),
        },
    )
    def post(self, request):
        """Deletes videos past VIDEO_RETENTION_DAYS and the stored artifacts and work folders
        (this host's) of jobs finished long ago, then stored files, artifacts and work folders
        nothing refers to (older than ORPHAN_GRACE_HOURS); answers what was removed, counts
        and bytes (staff only)."""
        return Response(cleanup_run().as_dict())
