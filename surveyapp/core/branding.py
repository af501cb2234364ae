"""The province's logo, printed on the counters' posters: checked, stored, audited.

An admin uploads it; anyone with a poster's address sees it, so only what a
browser shows as a plain picture is kept: PNG or JPEG, decoded by Pillow
before it is stored, small in bytes and in pixels. SVG is refused, since it
may carry script to whoever opens its address.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from surveyapp.core.audit import record
from surveyapp.core.uploads import Message
from surveyapp.extensions import db
from surveyapp.models import SiteImage, User, utc_now

PROVINCE_LOGO = "province_logo"
MAX_LOGO_BYTES = 512 * 1024
# A logo prints 25 mm high: 2,000 pixels a side is already far more than needed,
# and the bound keeps a small file from unpacking into a huge bitmap.
MAX_LOGO_PIXELS = 2000
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class LogoError(ValueError):
    """The uploaded file is not a logo that can be kept; nothing was stored."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class CheckedImage:
    """An upload that decodes as a PNG or JPEG within the bounds."""

    data: bytes
    content_type: str
    width: int
    height: int


def _decoded_size(data: bytes) -> tuple[str, int, int]:
    """The format and size Pillow reads from `data`; LogoError when it cannot."""
    with warnings.catch_warnings():
        # Pillow warns (and past twice the limit raises) for huge bitmaps.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                return str(image.format), image.width, image.height
        except (
            UnidentifiedImageError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,  # Pillow's error for some damaged PNG chunks
            ValueError,
        ):
            raise LogoError(
                _l("This file is not a readable PNG or JPEG image.")
            ) from None


def check_logo(data: bytes) -> CheckedImage:
    """`data` as a logo to keep; LogoError with the reason otherwise."""
    if not data:
        raise LogoError(_l("The file is empty."))
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(
            _l("The logo must be at most %(size)d KB.", size=MAX_LOGO_BYTES // 1024)
        )
    if not data.startswith((PNG_MAGIC, JPEG_MAGIC)):
        raise LogoError(_l("Only PNG and JPEG images are accepted."))
    image_format, width, height = _decoded_size(data)
    if image_format not in CONTENT_TYPES:
        raise LogoError(_l("Only PNG and JPEG images are accepted."))
    if max(width, height) > MAX_LOGO_PIXELS:
        raise LogoError(
            _l(
                "The logo must be at most %(pixels)d pixels wide and high.",
                pixels=MAX_LOGO_PIXELS,
            )
        )
    return CheckedImage(data, CONTENT_TYPES[image_format], width, height)


def province_logo() -> SiteImage | None:
    """The logo posters print, if an admin has uploaded one."""
    return db.session.get(SiteImage, PROVINCE_LOGO)


def logo_url(logo: SiteImage) -> str:
    """The logo's address, changed by each upload so no cache shows an old one."""
    return url_for("main.province_logo_image", v=int(logo.uploaded_at.timestamp()))


def store_logo(image: CheckedImage, user: User | None = None) -> SiteImage:
    """Keep `image` as the province's logo, replacing any; the caller commits."""
    logo = province_logo()
    if logo is None:
        logo = SiteImage(name=PROVINCE_LOGO)
        db.session.add(logo)
    logo.content_type = image.content_type
    logo.data = image.data
    logo.width, logo.height = image.width, image.height
    logo.uploaded_at = utc_now()
    logo.uploaded_by_id = user.id if user is not None else None
    details = {"type": image.content_type, "bytes": len(image.data)}
    details |= {"width": image.width, "height": image.height}
    record("logo_upload", user=user, target=PROVINCE_LOGO, details=details)
    return logo


def remove_logo(user: User | None = None) -> bool:
    """Take the logo off the posters; False when there was none. The caller commits."""
    logo = province_logo()
    if logo is None:
        return False
    db.session.delete(logo)
    record("logo_remove", user=user, target=PROVINCE_LOGO)
    return True
