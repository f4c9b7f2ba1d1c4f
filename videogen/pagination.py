from rest_framework import pagination, serializers

from accounts.fields import query_params

MAX_PAGE_SIZE = 100


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` are whole numbers within bounds, as the schema says: anything
    else is a 400 naming the parameter (DRF's own would quietly use the default size, and
    answer a word for a page number with 404). A page past the last is still a 404."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        query = PageQuerySerializer(data=query_params(request))
        query.is_valid(raise_exception=True)
        self._page_size = query.validated_data.get("page_size", self.page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        return self._page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
