"""Checks on uploaded images (partner logos), by content rather than by name.

OWASP File Upload Cheat Sheet: allow-list the types by their bytes (Pillow decides, not
the extension or the browser's content type), cap the size and the pixel count (a
decompression bomb is a small PNG of a huge canvas), and store under a generated name in
the app's private storage.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4096 * 4096


def logo_upload_to(instance: Any, filename: str) -> str:
    """A generated name: the uploader's file name says nothing about the content and
    is not kept. The extension follows the format the bytes were found to be."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("png", "jpg", "jpeg"):
        extension = "img"
    return f"promotion/logos/{uuid.uuid4().hex}.{extension}"


def validate_logo(value: Any) -> None:
    """Refuse anything but a PNG or JPEG within the byte and pixel caps."""
    from PIL import Image

    size = getattr(value, "size", None)
    if size is not None and size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo is too large: at most %(kb)s kB."),
            code="logo_size",
            params={"kb": MAX_LOGO_BYTES // 1024},
        )
    handle = value.file if hasattr(value, "file") else value
    position = handle.tell() if hasattr(handle, "tell") else None
    try:
        if hasattr(handle, "seek"):
            handle.seek(0)
        data = handle.read(MAX_LOGO_BYTES + 1)
    finally:
        if position is not None:
            handle.seek(position)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo is too large: at most %(kb)s kB."),
            code="logo_size",
            params={"kb": MAX_LOGO_BYTES // 1024},
        )
    bomb = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                width, height = image.size
                if image_format in LOGO_FORMATS and width * height <= MAX_LOGO_PIXELS:
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        bomb, image_format, width, height = True, "PNG", 0, 0
    except Exception:
        raise ValidationError(
            _("The logo must be a PNG or JPEG image."), code="logo_format"
        ) from None
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="logo_format")
    if bomb or width * height > MAX_LOGO_PIXELS:
        raise ValidationError(
            _("The logo has too many pixels: at most %(pixels)s."),
            code="logo_pixels",
            params={"pixels": f"{MAX_LOGO_PIXELS:,}"},
        )
