"""Request fields that take only what the API's schema says they take."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns a number into one (`0` becomes
    `"0"`) where the schema says `type: string`. A form's values are strings already."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def query_params(request) -> dict:
    """The query string for a serializer, as a plain dict: from a QueryDict DRF reads an empty
    value (`?status=`) as if the parameter were absent, where the schema (an enum, an integer)
    refuses it."""
    return request.query_params.dict()
