"""Turning an uploaded avatar into a safe 400x400 image.

The upload is judged by its content, never its name: Pillow is only allowed to open the four
formats we serve, image dimensions are checked from the header before any pixel is decoded (a
few hundred bytes can claim gigapixels), and the result is re-encoded from pixels so no
metadata (EXIF location, comments) or trailing payload survives.
"""

from __future__ import annotations

import io
import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIZE = (400, 400)
ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# Far below Pillow's own bomb limit: an avatar never needs more than a large phone photo.
MAX_SOURCE_PIXELS = 40_000_000


def avatar_process(upload: IO[bytes], *, size: int) -> tuple[bytes, str]:
    """Return the re-encoded image and its file extension, or raise ValidationError."""
    too_big = ValidationError(
        f"Avatars are at most {settings.AVATAR_MAX_BYTES / 1_000_000:g} MB; this file is larger."
    )
    if size > settings.AVATAR_MAX_BYTES:
        raise too_big
    # Read one byte past the cap: the declared size of an upload is the client's word only.
    data = upload.read(settings.AVATAR_MAX_BYTES + 1)
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise too_big
    if not data:
        raise ValidationError("The file is empty.")
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; treat that as refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_SOURCE_PIXELS:
                raise ValidationError(
                    f"The image is {width}x{height} pixels; avatars may have at most "
                    f"{MAX_SOURCE_PIXELS // 1_000_000} million pixels."
                )
            image.seek(0)  # first frame of an animated GIF or WebP
            image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError("The image claims to be far too large to be an avatar.") from None
        except UnidentifiedImageError:
            raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError("The image file is damaged or incomplete.") from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image = ImageOps.fit(image, AVATAR_SIZE, method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    image.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue(), "jpg"
