from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from partners.models import User


class AuthenticationBackend(AllauthBackend):
    """allauth's e-mail login; the logged-in person is loaded with their organisation in one query,
    since every page shows it in the header and most pages scope by it."""

    def get_user(self, user_id):
        user = User.objects.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        """People of a former partner can no longer log in; their sessions end too."""
        if not super().user_can_authenticate(user):
            return False
        return user.is_superuser or (user.organisation is not None and user.organisation.is_active)
