from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/coordinator/", views.dashboard_coordinator, name="dashboard_coordinator"),
    path("dashboard/school/", views.dashboard_school, name="dashboard_school"),
    path("dashboard/industry/", views.dashboard_industry, name="dashboard_industry"),
    path("dashboard/funder/", views.dashboard_funder, name="dashboard_funder"),
]
