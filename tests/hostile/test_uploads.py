"""Partner logos through the admin: checked by content (Pillow; PNG and JPEG only), size
and pixel count, stored under a generated name in the app's storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from promotion import models
from promotion.uploads import MAX_LOGO_BYTES, MAX_LOGO_PIXELS
from tests import factories
from tests.test_admin_region import form_data, logged_in, url

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size: tuple[int, int] = (60, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#C8553D").save(buffer, fmt)
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header of a huge canvas with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * (1 + (width + 7) // 8) * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@pytest.fixture
def partner_form(editor, region):
    partner = factories.PartnerFactory(region=region, slug="logo-edc", name="Logo EDC")
    client = logged_in(editor)
    page = client.get(url(models.Partner, "change", partner.pk))
    data = {k: v for k, v in form_data(page).items() if k != "logo"}

    def post(name: str, content: bytes):
        upload = SimpleUploadedFile(name, content, content_type="image/png")
        return client.post(url(models.Partner, "change", partner.pk), {**data, "logo": upload})

    return partner, post


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_logo_is_stored_privately_under_a_generated_name(partner_form, fmt):
    partner, post = partner_form
    response = post("../../etc/My Logo.png", image_bytes(fmt))
    assert response.status_code == 302, response.context["adminform"].form.errors
    partner.refresh_from_db()
    name = partner.logo.name
    assert name.startswith("promotion/logos/") and "Logo" not in name and ".." not in name
    assert storages["default"].exists(name)  # the storage PROMOTION["FILE_STORAGE"] names


REFUSED = {
    "svg renamed .png": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "html renamed .png": b"<html><script>alert(1)</script></html>",
    "gif": image_bytes("GIF"),
    "bmp": image_bytes("BMP"),
    "pdf": b"%PDF-1.4\n1 0 obj<</JS(app.alert(1))>>endobj\n%%EOF",
    "truncated png": image_bytes("PNG")[:60],
    "png header only": image_bytes("PNG")[:30],
}


@pytest.mark.parametrize("content", REFUSED.values(), ids=REFUSED.keys())
def test_anything_else_is_refused(partner_form, content):
    partner, post = partner_form
    response = post("logo.png", content)
    assert response.status_code == 200
    assert "logo" in response.context["adminform"].form.errors
    partner.refresh_from_db()
    assert not partner.logo


def test_a_logo_over_the_byte_cap_is_refused(partner_form):
    _partner, post = partner_form
    big = image_bytes("PNG") + b"\0" * MAX_LOGO_BYTES
    response = post("logo.png", big)
    errors = response.context["adminform"].form.errors["logo"]
    assert "too large" in " ".join(errors)


@pytest.mark.parametrize("size", [(5000, 5000), (30000, 30000)], ids=["over cap", "bomb"])
def test_a_decompression_bomb_is_refused(partner_form, size):
    _partner, post = partner_form
    data = png_bomb(*size)
    assert len(data) < 20_000 and size[0] * size[1] > MAX_LOGO_PIXELS
    response = post("logo.png", data)
    assert response.status_code == 200
    assert "logo" in response.context["adminform"].form.errors
