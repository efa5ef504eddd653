from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("partners/", views.organisation_list, name="organisation_list"),
    # Before the partner pages: "new" is never a partner's slug (services.RESERVED_SLUGS).
    path("partners/new/", views.organisation_add, name="organisation_add"),
    path("partners/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("partners/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("partners/<slug:slug>/leave/", views.organisation_leave, name="organisation_leave"),
    path("partners/<slug:slug>/rejoin/", views.organisation_rejoin, name="organisation_rejoin"),
    path(
        "partners/<slug:slug>/category/", views.organisation_category, name="organisation_category"
    ),
    path("partners/<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
