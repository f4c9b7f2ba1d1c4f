"""The multipart parser of every API view that takes a form."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class _Prefixed:
    """A stream with its first bytes read already (to look at them) and put back."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def read(self, size=-1):
        if not self.head:
            return self.rest.read(size)
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        data, self.head = self.head[:size], self.head[size:]
        if len(data) < size:
            data += self.rest.read(size - len(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """A body sent as multipart/form-data that does not open with its boundary is refused
    with 400: Django's parser would read it as an empty form, so `null` or any text would
    pass for an empty object."""

    def parse(self, stream, media_type=None, parser_context=None):
        boundary = (media_type or "").partition("boundary=")[2].split(";")[0].strip().strip('"')
        opening = b"--" + boundary.encode("ascii", "replace")
        head = stream.read(len(opening) + 2)
        if not (head.startswith(opening) or head == b"\r\n" + opening):
            raise ParseError("Multipart form parse error - no opening boundary.")
        return super().parse(_Prefixed(head, stream), media_type, parser_context)
