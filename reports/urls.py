from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/coordinator/", views.dashboard_coordinator, name="dashboard_coordinator"),
    path("dashboard/school/", views.dashboard_school, name="dashboard_school"),
    path("dashboard/industry/", views.dashboard_industry, name="dashboard_industry"),
    path("dashboard/funder/", views.dashboard_funder, name="dashboard_funder"),
    path("finance/", views.finance, name="finance"),
    path("figures/", views.figure_definitions, name="figures"),
    path("finance/export.<str:fmt>", views.finance_export, name="finance_export"),
    path("kpis/", views.kpi_overview, name="kpis"),
    path("kpis/line/<int:number>/", views.kpi_overview, name="kpis_line"),
    path("kpis/export.<str:fmt>", views.kpi_export, name="kpi_export"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/close-quarter/", views.quarter_close, name="quarter_close"),
    path("reports/<int:pk>/row/", views.report_row, name="report_row"),
    path("reports/<int:pk>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path(
        "reports/<int:pk>/download.<str:fmt>",
        views.report_download,
        name="report_download",
    ),
]
