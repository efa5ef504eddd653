from django.urls import path

from reports import kpi_views, report_views, views

app_name = "reports"

urlpatterns = [
    path("dashboard/coordinator/", views.dashboard_coordinator, name="dashboard_coordinator"),
    path("dashboard/school/", views.dashboard_school, name="dashboard_school"),
    path("dashboard/industry/", views.dashboard_industry, name="dashboard_industry"),
    path("dashboard/funder/", views.dashboard_funder, name="dashboard_funder"),
    path("finance/", views.finance, name="finance"),
    path("figures/", views.figure_definitions, name="figures"),
    path("finance/export.<str:fmt>", kpi_views.finance_export, name="finance_export"),
    path("kpis/", kpi_views.kpi_overview, name="kpis"),
    path("kpis/line/<int:number>/", kpi_views.kpi_overview, name="kpis_line"),
    path("kpis/export.<str:fmt>", kpi_views.kpi_export, name="kpi_export"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/close-quarter/", report_views.quarter_close, name="quarter_close"),
    path("reports/<int:pk>/row/", report_views.report_row, name="report_row"),
    path("reports/<int:pk>/retry/", report_views.report_retry, name="report_retry"),
    path("reports/<int:pk>/publish/", report_views.report_publish, name="report_publish"),
    path(
        "reports/<int:pk>/download.<str:fmt>",
        report_views.report_download,
        name="report_download",
    ),
]
