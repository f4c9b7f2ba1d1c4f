"""Checking uploaded images before anything else touches them.

Uploads are untrusted: the name, the content type and even the size a client reports can lie,
and a tiny file can declare a picture of billions of pixels that would take gigabytes to
decode. Every image that reaches storage goes through `image_open_validated`, which reads at
most `max_bytes`, trusts only what Pillow finds in the data, rejects oversized pictures from
their header (before any pixel is decoded), then decodes the whole picture so damaged files
fail here and not later in a worker. The result is re-encoded, which drops metadata such as
GPS positions and anything smuggled after the image data.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_FORMATS = ("JPEG", "PNG", "WEBP")

# Phones write multi-picture JPEGs, which Pillow reports as MPO; they are JPEGs to a person.
_FORMAT_ALIASES = {"MPO": "JPEG"}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_HIGH_BIT_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


@dataclass(frozen=True)
class CleanImage:
    """An image that passed validation, re-encoded from its decoded pixels."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.format]

    def as_file(self, name: str | None = None) -> ContentFile:
        return ContentFile(self.data, name=name or f"image.{self.extension}")


def _format_list(formats) -> str:
    names = ["WebP" if f == "WEBP" else f for f in formats]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _read_bounded(file, max_bytes: int) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(size, max_bytes)
    if hasattr(file, "seek"):
        file.seek(0)
    # The reported size can be wrong (or absent), so never read more than one byte past the
    # limit whatever it said.
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(None, max_bytes)
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    return data


def _too_big(size, max_bytes) -> ValidationError:
    limit = filesizeformat(max_bytes)
    if size is None:
        message = f"The file is too large; the limit is {limit}."
    else:
        message = f"The file is too large ({filesizeformat(size)}); the limit is {limit}."
    return ValidationError(message, code="file_too_large")


def _to_display_mode(img: Image.Image) -> Image.Image:
    """Converts to RGB, or RGBA where the picture has transparency."""
    if img.mode in _HIGH_BIT_DEPTH_MODES:
        # A plain convert() would clip 16-bit samples to 255 and turn the picture white.
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        return img if img.mode == "RGBA" else img.convert("RGBA")
    return img if img.mode == "RGB" else img.convert("RGB")


def image_open_validated(
    file,
    *,
    max_bytes: int,
    max_pixels: int,
    allowed_formats=DEFAULT_FORMATS,
) -> Image.Image:
    """Returns the decoded picture, upright, in RGB or RGBA mode.

    Raises ValidationError with a message meant for the person who uploaded the file.
    """
    allowed = tuple(f.upper() for f in allowed_formats)
    wrong_type = ValidationError(
        f"Upload a {_format_list(allowed)} image; this file is not one.", code="invalid_image"
    )
    data = _read_bounded(file, max_bytes)

    # Pillow accepts JPEG data as MPO through its JPEG opener, so asking for JPEG covers both.
    try:
        img = Image.open(io.BytesIO(data), formats=allowed)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Only reached when the header declares far more pixels than any limit we allow.
        raise ValidationError(
            "The image has too many pixels to process.", code="image_too_many_pixels"
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise wrong_type
    real_format = _FORMAT_ALIASES.get(img.format, img.format)
    if real_format not in allowed:
        raise wrong_type

    width, height = img.size
    if width < 1 or height < 1:
        raise wrong_type
    # The size comes from the header alone: this check costs nothing, whatever the file claims.
    if width * height > max_pixels:
        raise ValidationError(
            f"The image is too large ({width}×{height} pixels); the limit is "
            f"{max_pixels / 1_000_000:g} megapixels.",
            code="image_too_many_pixels",
        )

    try:
        # Animated WebP/PNG: the first frame is the picture.
        img.seek(0)
        img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "The image has too many pixels to process.", code="image_too_many_pixels"
        )
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise ValidationError(
            "The image could not be read; it may be damaged or cut short.", code="corrupt_image"
        )

    try:
        upright = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        # A broken EXIF block is common and harmless; the picture itself decoded fine.
        upright = img
    try:
        clean = _to_display_mode(upright)
    except (OSError, ValueError):
        raise ValidationError("This image's colour format is not supported.", code="bad_mode")
    clean.format = real_format
    clean.info.pop("exif", None)
    if "icc_profile" in img.info:
        clean.info["icc_profile"] = img.info["icc_profile"]
    return clean


def image_encode(img: Image.Image, *, format: str) -> bytes:
    """Encodes a picture returned by `image_open_validated`, without the original metadata."""
    format = format.upper()
    options = {}
    if icc := img.info.get("icc_profile"):
        options["icc_profile"] = icc
    if format == "JPEG":
        if img.mode != "RGB":
            # JPEG has no transparency: flatten onto white rather than onto black.
            background = Image.new("RGB", img.size, (255, 255, 255))
            background.paste(img, mask=img.getchannel("A") if "A" in img.getbands() else None)
            img = background
        options.update(quality=90, optimize=True)
    elif format == "WEBP":
        options.update(quality=90, method=4)
    elif format == "PNG":
        options.update(optimize=True)
    buffer = io.BytesIO()
    img.save(buffer, format=format, **options)
    return buffer.getvalue()


def image_validate_and_reencode(
    file,
    *,
    max_bytes: int,
    max_pixels: int,
    allowed_formats=DEFAULT_FORMATS,
    output_format: str | None = None,
) -> CleanImage:
    """Validates an uploaded image and returns it re-encoded (in its own format by default)."""
    img = image_open_validated(
        file, max_bytes=max_bytes, max_pixels=max_pixels, allowed_formats=allowed_formats
    )
    out_format = (output_format or img.format).upper()
    data = image_encode(img, format=out_format)
    return CleanImage(data=data, format=out_format, width=img.width, height=img.height)
