"""Image files for upload tests, made in memory."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt="PNG", size=(320, 200), mode="RGB", color=(200, 30, 30), **save_options):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def upload(data, name="picture.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_claiming(width, height) -> bytes:
    """A valid PNG header that declares width×height RGB pixels, with almost no pixel data:
    a decompression bomb's shape, without its cost."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def noise_png(size=(300, 300)) -> bytes:
    """A PNG that does not compress: its file size grows with its pixel count."""
    width, height = size
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(width * height * 3)).save(buffer, format="PNG")
    return buffer.getvalue()
