import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from accounts.images import image_open_validated, image_validate_and_reencode
from tests.accounts.imagefiles import image_bytes, png_claiming, upload

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 40_000_000}


def reencode(data, **kwargs):
    return image_validate_and_reencode(upload(data), **{**LIMITS, **kwargs})


def decoded(clean):
    return Image.open(io.BytesIO(clean.data))


def error_text(excinfo):
    return " ".join(excinfo.value.messages)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_reencoded_in_their_own_format(fmt):
    clean = reencode(image_bytes(fmt, size=(64, 48)))

    assert clean.format == fmt
    assert (clean.width, clean.height) == (64, 48)
    img = decoded(clean)
    assert img.format == fmt
    assert img.size == (64, 48)


def test_output_format_can_be_chosen_and_transparency_is_flattened_onto_white():
    data = image_bytes("PNG", size=(10, 10), mode="RGBA", color=(0, 0, 0, 0))

    clean = reencode(data, output_format="JPEG")

    img = decoded(clean)
    assert img.format == "JPEG" and img.mode == "RGB"
    assert all(channel > 240 for channel in img.getpixel((5, 5)))
    assert clean.content_type == "image/jpeg"
    assert clean.extension == "jpg"
    assert clean.as_file().read() == clean.data


def test_gif_is_rejected_whatever_its_name():
    with pytest.raises(ValidationError) as excinfo:
        reencode(image_bytes("GIF"))
    assert "JPEG, PNG or WebP" in error_text(excinfo)


def test_text_file_named_png_is_rejected():
    fake = upload(b"this is not a picture\n" * 10, name="cat.png", content_type="image/png")
    with pytest.raises(ValidationError, match="not one"):
        image_validate_and_reencode(fake, **LIMITS)


def test_allowed_formats_restrict_what_is_accepted():
    with pytest.raises(ValidationError) as excinfo:
        reencode(image_bytes("JPEG"), allowed_formats=("PNG",))
    assert "Upload a PNG image" in error_text(excinfo)


def test_oversized_file_is_rejected_from_its_reported_size_without_reading_it():
    class Unreadable(io.BytesIO):
        size = 10_000_000

        def read(self, *args):
            raise AssertionError("the file should not be read")

    with pytest.raises(ValidationError, match="too large"):
        image_validate_and_reencode(Unreadable(), max_bytes=1_000_000, max_pixels=10**6)


def test_file_that_understates_its_size_is_still_cut_off_at_the_limit():
    data = image_bytes("PNG", size=(200, 200))
    lying = upload(data)
    lying.size = 10

    with pytest.raises(ValidationError, match="too large"):
        image_validate_and_reencode(lying, max_bytes=len(data) - 1, max_pixels=10**6)


def test_empty_file_is_rejected():
    with pytest.raises(ValidationError, match="empty"):
        reencode(b"")


def test_small_image_over_the_pixel_limit_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        reencode(image_bytes("PNG", size=(100, 100)), max_pixels=9_999)
    assert "100×100 pixels" in error_text(excinfo)


def test_header_claiming_huge_dimensions_is_rejected_before_decoding():
    # Decoding would fail as "damaged" (there is no pixel data), so the pixel-limit message
    # shows that the header alone decided.
    with pytest.raises(ValidationError) as excinfo:
        reencode(png_claiming(10_000, 5_000))
    assert excinfo.value.code == "image_too_many_pixels"
    assert "10000×5000 pixels" in error_text(excinfo)


def test_decompression_bomb_is_rejected_even_when_the_pixel_limit_is_lifted():
    with pytest.raises(ValidationError) as excinfo:
        reencode(png_claiming(30_000, 30_000), max_pixels=10**12)
    assert excinfo.value.code == "image_too_many_pixels"


def test_truncated_image_is_rejected_as_damaged():
    data = image_bytes("JPEG", size=(400, 300), color=(10, 120, 200))
    with pytest.raises(ValidationError, match="damaged"):
        reencode(data[: len(data) // 2])


def test_exif_orientation_is_applied_and_metadata_dropped():
    img = Image.new("RGB", (40, 20), (0, 128, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010E] = "secret description"
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)

    clean = reencode(buffer.getvalue())

    out = decoded(clean)
    assert out.size == (20, 40)
    assert not out.getexif()


def test_cmyk_jpeg_becomes_rgb():
    clean = reencode(image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0)))
    assert decoded(clean).mode == "RGB"


def test_palette_image_with_transparency_keeps_it():
    img = Image.new("P", (8, 8), 0)
    img.putpalette([255, 0, 0, 0, 0, 255])
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", transparency=0)

    clean = reencode(buffer.getvalue())

    out = decoded(clean)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0


def test_sixteen_bit_greyscale_is_scaled_not_clipped_to_white():
    img = Image.new("I;16", (8, 8), 32768)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")

    out = decoded(reencode(buffer.getvalue()))

    assert out.mode == "RGB"
    assert 120 <= out.getpixel((0, 0))[0] <= 135


def test_multi_picture_jpeg_from_a_phone_counts_as_jpeg():
    first = Image.new("RGB", (32, 24), (255, 0, 0))
    second = Image.new("RGB", (32, 24), (0, 0, 255))
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])

    clean = reencode(buffer.getvalue())

    assert clean.format == "JPEG"
    assert decoded(clean).size == (32, 24)


def test_open_validated_returns_a_decoded_upright_picture():
    img = image_open_validated(upload(image_bytes("WEBP", size=(30, 10))), **LIMITS)
    assert img.size == (30, 10)
    assert img.mode == "RGB"
    assert img.format == "WEBP"
