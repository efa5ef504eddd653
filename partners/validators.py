from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


def validate_logo(upload) -> None:
    """A logo must be a real image of an accepted format, judged by its content, and small."""
    if upload.size > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.LOGO_MAX_BYTES),
            }
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("The logo is not an image civbio can read.")) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("Upload the logo as PNG, JPEG, WebP or GIF."))
