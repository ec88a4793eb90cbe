"""Files people send to Haven. Only the kinds named here are accepted. Each one is decoded and encoded
again by Pillow and stored under a name the server makes, so nothing the sender chose (the bytes
around the picture, the metadata, the file name, the extension) is ever kept or served back.

Why: a PNG with an HTML page appended, named ``evil.html``, was stored under that name and served as
``text/html``. Its script ran for every officer who opened the child's photo (security review
finding 1). Re-encoding also drops the EXIF block, which often holds the GPS position where the photo
was taken: for a found child, that is the place of discovery, and it must not travel with the photo.
Decision record: docs/decisions/0015-uploads-and-content-security-policy.md.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# A 48-megapixel phone photo is the largest real one; a larger image is a decompression bomb (a small
# file that expands to gigabytes of pixels).
PHOTO_MAX_PIXELS = 48_000_000


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str


# The formats Pillow names, and how Haven stores and serves each.
PHOTO_KINDS = {"JPEG": Kind(".jpg", "image/jpeg"), "PNG": Kind(".png", "image/png")}


def photo_for_storage(upload: File) -> ContentFile:
    """The photo re-encoded in its own format (JPEG or PNG), upright, without metadata, named by the
    server. Raises ValidationError, with a message for the sender, for anything else."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = PHOTO_KINDS.get(image.format or "")
            if kind is None:
                raise ValidationError(_("Send the photo as a JPEG or PNG file."), code="wrong_type")
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_large")
            encoded = _reencoded(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        # Pillow raises these for a file that is not an image, a truncated one, or a bomb.
        raise ValidationError(_("This file is not a photo."), code="not_an_image") from None
    return ContentFile(encoded, name=uuid.uuid4().hex + kind.extension)


def _reencoded(image: Image.Image) -> bytes:
    """The pixels alone, saved anew in the image's format: no EXIF, no comments, no trailing bytes."""
    image.load()
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if image.format == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        keep = upright.mode in ("RGB", "RGBA", "L", "LA", "P", "1")
        (upright if keep else upright.convert("RGBA")).save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_kind(stored: File) -> Kind | None:
    """The true kind of a stored photo, read from its content (never from its name), or None."""
    try:
        with Image.open(stored) as image:
            return PHOTO_KINDS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        stored.seek(0)


# Whatever a stored file holds, the browser runs nothing in it and loads nothing for it.
SANDBOX = "sandbox; default-src 'none'; img-src 'self'"


def photo_response(stored: File) -> FileResponse:
    """A stored photo served with the type its content has, never a type guessed from its name; a file
    that is not a JPEG or PNG (one stored before uploads were re-encoded) is only downloadable. Each
    showing names a child, so it is never cached."""
    kind = photo_kind(stored)
    response = FileResponse(
        stored,
        content_type=kind.content_type if kind else "application/octet-stream",
        as_attachment=kind is None,
        filename=f"anh{kind.extension if kind else '.bin'}",
    )
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
