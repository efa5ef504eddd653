from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("project/", views.project_detail, name="project_detail"),
    path("milestones/", views.milestones, name="milestones"),
    path("milestones/<int:pk>/", views.milestone_update, name="milestone_update"),
    path("milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/remove/", views.milestone_delete, name="milestone_delete"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/retire/", views.indicator_retire, name="indicator_retire"),
    path(
        "kpis/values/<int:pk>/<str:decision>/",
        views.indicator_value_decide,
        name="indicator_value_decide",
    ),
]
