"""Every URL of the project is either public or sends anonymous visitors to the login page.

The list below is the complete inventory: a new URL pattern without an entry fails this suite.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.browser import submit

PUBLIC = {
    "home",
    "healthz",
    "set_language",
    "partners:invitation_accept",
    "partners:organisation_logo",
    "activities:public_board",
    # How the figures are counted: definitions, no figure (docs/figures.md).
    "reports:figures",
    # The secret token in the address is the key: calendar apps carry no session.
    "calendar_feed",
}
# allauth's own pages for people who are not logged in (login, password reset, …), and the
# step of the login that asks for the second factor.
ALLAUTH_PUBLIC_PREFIX = "account_"
ALLAUTH_PUBLIC = {"mfa_authenticate"}
ALLAUTH_LOGIN_REQUIRED = {
    # The second factor's own pages (allauth.mfa).
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_download_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
}
ADMIN_PREFIX = "admin:"
LOGIN_REQUIRED = {
    "dashboard",
    "partners:account",
    "partners:organisation_list",
    "partners:organisation_detail",
    "partners:organisation_edit",
    "partners:organisation_add",
    "partners:organisation_leave",
    "partners:organisation_rejoin",
    "partners:organisation_category",
    "partners:invitation_list",
    "partners:invitation_create",
    "partners:invitation_revoke",
    "partners:invitation_resend",
    "programmes:project_detail",
    "reports:dashboard_coordinator",
    "reports:dashboard_school",
    "reports:dashboard_industry",
    "reports:dashboard_funder",
    "reports:finance",
    "reports:finance_export",
    "reports:kpis",
    "reports:kpis_line",
    "reports:kpi_export",
    "programmes:indicator_value_decide",
    "programmes:milestones",
    "programmes:milestone_update",
    "programmes:milestone_create",
    "programmes:milestone_edit",
    "programmes:milestone_delete",
    "programmes:indicators",
    "programmes:indicator_create",
    "programmes:indicator_edit",
    "programmes:indicator_retire",
    "ledger:my_contributions",
    "ledger:contribution_review",
    "ledger:contribution_edit",
    "ledger:contribution_evidence",
    "ledger:contribution_correct",
    "ledger:contribution_decide",
    "activities:board",
    "activities:board_csv",
    "activities:activity_list",
    "activities:activity_create",
    "activities:activity_detail",
    "activities:activity_edit",
    "activities:activity_status",
    "activities:activity_reopen",
    "activities:research_output_add",
    "activities:request_create",
    "activities:nominate",
    "activities:my_requests",
    "activities:request_answer",
    "activities:request_proposal",
    "activities:request_cancel",
    "activities:request_deliver",
    "activities:nomination_answer",
    "activities:nomination_withdraw",
    "activities:placement_agreement",
    "activities:notifications",
    "activities:notifications_read",
    "activities:reminder_settings",
    "activities:schedule_list",
    "activities:schedule_edit",
    "reports:report_list",
    "reports:report_row",
    "reports:report_retry",
    "reports:report_publish",
    "reports:quarter_close",
    "reports:report_download",
    "activities:calendar",
    "activities:calendar_regenerate",
    "students:module_list",
    "students:module_create",
    "students:module_edit",
    "students:unit_add",
    "students:unit_edit",
    "students:unit_move",
    "students:unit_remove",
    "students:qualification_list",
    "students:qualification_create",
    "students:qualification_edit",
    "students:qualification_retire",
    "students:edition_list",
    "students:edition_create",
    "students:edition_detail",
    "students:edition_cell",
    "students:edition_bulk",
    "students:edition_enrol",
    "students:edition_export",
    "students:student_list",
    "students:student_import",
    "students:student_import_template",
    "students:student_import_preview",
    "students:student_import_progress",
    "students:student_detail",
    "students:student_create",
    "students:student_edit",
    "students:student_export",
    "students:student_export_page",
    "students:student_erase",
    "activities:matches",
    "activities:opportunity_matches",
    "activities:match_nominate",
}
SAMPLE_KWARGS = {
    "slug": "biocorp",
    "pk": 1,
    "token": "x",
    "key": "x",
    "uidb36": "x",
    "kind": "guest_lesson",
    "fmt": "csv",
    "decision": "approve",
    "number": 1,
    "student_pk": 1,
}


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def classify(name: str) -> str | None:
    if name in PUBLIC or name in ALLAUTH_PUBLIC:
        return "public"
    if name in LOGIN_REQUIRED or name in ALLAUTH_LOGIN_REQUIRED:
        return "login"
    if name.startswith(ADMIN_PREFIX):
        return "admin"
    if name.startswith(ALLAUTH_PUBLIC_PREFIX):
        return "public"
    return None


def test_every_url_pattern_has_an_access_entry():
    missing = sorted({name for name, _ in named_patterns() if classify(name) is None})

    assert missing == [], f"URL patterns without an access entry: {missing}"


def url_for(name: str, pattern: URLPattern) -> str:
    kwargs = {key: SAMPLE_KWARGS[key] for key in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    sorted(n for n, _ in named_patterns() if classify(n) == "login"),
)
def test_anonymous_visitors_are_sent_to_login(client, name):
    pattern = dict(named_patterns())[name]

    response = client.get(url_for(name, pattern))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_admin_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_admin_is_closed_to_everyone_but_coordinators(client, carla, dirk, bram, fien):
    for person in (dirk, bram, fien):
        client.force_login(person)
        # Logged in without access: a plain 403, not a loop back to the login page.
        assert client.get(reverse("admin:index"), follow=True).status_code == 403
    client.force_login(carla)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:partners_organisation_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_admin_login_sends_a_logged_in_coordinator_on_and_only_to_this_site(client, carla):
    """A coordinator following an old link to the admin's login page lands where it pointed."""
    login = reverse("admin:login")
    changelist = reverse("admin:partners_organisation_changelist")
    client.force_login(carla)

    assert client.get(login, {"next": changelist}).url == changelist
    assert client.get(login).url == reverse("admin:index")
    assert client.get(login, {"next": "https://evil.example/"}).url == reverse("admin:index")
    client.logout()
    response = client.get(login, {"next": "https://evil.example/"})
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_coordinators_retire_partners_and_deactivate_people_in_the_admin(
    client, carla, bram, company
):
    client.force_login(carla)

    submit(
        client,
        reverse("admin:partners_organisation_changelist"),
        {"action": "retire_today", "_selected_action": [company.pk]},
        button="index",
    )
    submit(
        client,
        reverse("admin:partners_user_changelist"),
        {"action": "deactivate", "_selected_action": [bram.pk, carla.pk]},
        button="index",
    )

    company.refresh_from_db()
    bram.refresh_from_db()
    carla.refresh_from_db()
    assert company.active_until is not None
    assert not bram.is_active
    assert carla.is_active  # nobody locks themselves out
