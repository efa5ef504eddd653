from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("project/", views.project_detail, name="project_detail"),
    path("milestones/", views.milestones, name="milestones"),
    path("milestones/<int:pk>/", views.milestone_update, name="milestone_update"),
    path(
        "kpis/values/<int:pk>/<str:decision>/",
        views.indicator_value_decide,
        name="indicator_value_decide",
    ),
]
