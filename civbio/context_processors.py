from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from activities.selectors import unread_notification_count
from civbio import rules


def navigation(request) -> dict:
    """The main navigation fitting the person's role, and their unread notifications (counted
    lazily: one query, only where a template shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("dashboard", _("Dashboard"), reverse("dashboard"))]
    if rules.is_staff_member(user):
        items += [
            ("board", _("Opportunities"), reverse("activities:board")),
            ("requests", _("Requests"), reverse("activities:my_requests")),
        ]
    if rules.can_run_editions(user):
        items += [
            ("editions", _("Modules"), reverse("students:edition_list")),
            ("students", _("Students"), reverse("students:student_list")),
        ]
    if rules.can_see_finances(user):
        items.append(("finance", _("Finance"), reverse("reports:finance")))
    if rules.has_role(user, "school_staff", "industry_staff"):
        items.append(("contributions", _("Contributions"), reverse("ledger:my_contributions")))
    items.append(("kpis", _("KPIs"), reverse("reports:kpis")))
    if rules.is_coordinator(user) or rules.has_role(user, "funder"):
        items.append(("reports", _("Reports"), reverse("reports:report_list")))
    items += [
        ("partners", _("Partners"), reverse("partners:organisation_list")),
        ("project", _("Project"), reverse("programmes:project_detail")),
    ]
    if rules.can_invite(user):
        items.append(("invitations", _("Invitations"), reverse("partners:invitation_list")))
    if rules.can_manage_catalogues(user):
        items.append(("catalogues", _("Catalogues"), reverse("students:qualification_list")))
    if rules.is_coordinator(user):
        items.append(("admin", _("Administration"), reverse("admin:index")))
    path = request.path
    nav = []
    for key, label, url in items:
        nav.append({"key": key, "label": label, "url": url, "active": path.startswith(url)})
    return {
        "nav_items": nav,
        # Counted only when a template shows it (the header does, on every page).
        "unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user)),
    }
