"""Request fields that take only what the API's schema says they take."""

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from rest_framework import serializers

# What DRF's CharField refuses anyway (no database column holds a NUL), said in the schema.
# One character or more: an empty string never reaches the validators (DRF answers it by
# `allow_blank` first), and the schema of a field that allows it adds `maxLength: 0` as the
# other branch of a oneOf, which the empty string must not match twice.
NO_NULL_CHARACTERS = RegexValidator(
    r"^[^\x00]+$", message=ProhibitNullCharactersValidator.message, code="null_characters"
)


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns a number into one (`0` becomes
    `"0"`) where the schema says `type: string`. A form's values are strings already. The
    schema says, too, that it holds no NUL character."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            NO_NULL_CHARACTERS if isinstance(v, ProhibitNullCharactersValidator) else v
            for v in self.validators
        ]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def query_params(request) -> dict:
    """The query string for a serializer, as a plain dict: from a QueryDict DRF reads an empty
    value (`?status=`) as if the parameter were absent, where the schema (an enum, an integer)
    refuses it."""
    return request.query_params.dict()
