from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from civbio import kept_pages
from partners.models import User


class AuthenticationBackend(AllauthBackend):
    """allauth's e-mail login; the logged-in person is loaded with their organisation in one query,
    since every page shows it in the header and most pages scope by it. They are kept in the
    cache until anything in the database changes (kept_pages.person)."""

    def get_user(self, user_id):
        user = kept_pages.person(user_id, self._load)
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _load(user_id):
        return User.objects.select_related("organisation").filter(pk=user_id).first()

    def user_can_authenticate(self, user) -> bool:
        """People of a former partner can no longer log in; their sessions end too."""
        if not super().user_can_authenticate(user):
            return False
        return user.is_superuser or (user.organisation is not None and user.organisation.is_active)
