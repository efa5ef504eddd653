from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civbio import uploads


def validate_logo(upload) -> None:
    """A logo must be a real image of an accepted format (no SVG), judged by its whole content
    (`civbio.uploads`), and small."""
    # A logo already stored was judged when it came in: editing the profile keeps it as it is.
    if getattr(upload, "_committed", False):
        return
    if upload.size > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.LOGO_MAX_BYTES),
            }
        )
    try:
        uploads.detect(
            uploads.read_all(upload, settings.LOGO_MAX_BYTES), allowed={uploads.Family.IMAGE}
        )
    except uploads.Refused as exc:
        raise ValidationError(_("The logo is not an image civbio can read.")) from exc


# Password rules. Django's own validators, with messages written for civbio: its Dutch catalog
# addresses people formally ("Uw wachtwoord …") where civbio says "je", and the length message
# of this Django version has no Dutch at all. The checks themselves are Django's.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(min_length)d character.",
            "Use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    # civbio's people have a name and an e-mail address (no username, first or last name).
    DEFAULT_USER_ATTRIBUTES = ("name", "email")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return _("The password looks too much like your %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Do not make it look like your name or e-mail address.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is too common: many people use it.")

    def get_help_text(self) -> str:
        return _("Do not use a password many people use.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password has only digits: add letters or other characters.")

    def get_help_text(self) -> str:
        return _("Do not use digits only.")
