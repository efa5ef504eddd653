from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("contributions/", views.my_contributions, name="my_contributions"),
    path("contributions/review/", views.contribution_review, name="contribution_review"),
    path(
        "contributions/<int:pk>/edit/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "contributions/<int:pk>/evidence/",
        views.contribution_evidence,
        name="contribution_evidence",
    ),
    path(
        "contributions/<int:pk>/correct/",
        views.contribution_correct,
        name="contribution_correct",
    ),
    path(
        "contributions/<int:pk>/<str:decision>/",
        views.contribution_decide,
        name="contribution_decide",
    ),
]
