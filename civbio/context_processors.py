from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civbio import rules


def navigation(request) -> dict:
    """The main navigation, fitting the person's role. Builds URLs only: no queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("dashboard", _("Dashboard"), reverse("dashboard")),
        ("partners", _("Partners"), reverse("partners:organisation_list")),
        ("project", _("Project"), reverse("programmes:project_detail")),
    ]
    if rules.can_invite(user):
        items.append(("invitations", _("Invitations"), reverse("partners:invitation_list")))
    if rules.is_coordinator(user):
        items.append(("admin", _("Administration"), reverse("admin:index")))
    path = request.path
    nav = []
    for key, label, url in items:
        nav.append({"key": key, "label": label, "url": url, "active": path.startswith(url)})
    return {"nav_items": nav}
