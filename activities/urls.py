from django.urls import path

from activities import views
from students import views as progress_views

app_name = "activities"

urlpatterns = [
    path("opportunities/", views.board, name="board"),
    path("opportunities/export.csv", views.board_csv, name="board_csv"),
    path("open-opportunities/", views.public_board, name="public_board"),
    path("activities/kind/<str:kind>/", views.activity_list, name="activity_list"),
    path("activities/new/<str:kind>/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/status/", views.activity_status, name="activity_status"),
    path("activities/<int:pk>/reopen/", views.activity_reopen, name="activity_reopen"),
    path("activities/<int:pk>/outputs/", views.research_output_add, name="research_output_add"),
    path("activities/<int:pk>/request/", views.request_create, name="request_create"),
    path("activities/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("requests/<int:pk>/proposal/", views.request_proposal, name="request_proposal"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/delivered/", views.request_deliver, name="request_deliver"),
    path("nominations/<int:pk>/answer/", views.nomination_answer, name="nomination_answer"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("placements/<int:pk>/agreement/", views.placement_agreement, name="placement_agreement"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("reminders/", views.reminder_settings, name="reminder_settings"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/new-address/", views.calendar_regenerate, name="calendar_regenerate"),
    path("modules/", progress_views.module_list, name="module_list"),
    path("editions/", progress_views.edition_list, name="edition_list"),
    path("editions/new/", progress_views.edition_create, name="edition_create"),
    path("editions/<int:pk>/", progress_views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/cell/", progress_views.edition_cell, name="edition_cell"),
    path("editions/<int:pk>/bulk/", progress_views.edition_bulk, name="edition_bulk"),
    path("editions/<int:pk>/enrol/", progress_views.edition_enrol, name="edition_enrol"),
    path(
        "editions/<int:pk>/export.<str:fmt>",
        progress_views.edition_export,
        name="edition_export",
    ),
    path("students/", progress_views.student_list, name="student_list"),
    path("students/import/", progress_views.student_import, name="student_import"),
    path(
        "students/import/template.csv",
        progress_views.student_import_template,
        name="student_import_template",
    ),
    path(
        "students/import/<int:pk>/",
        progress_views.student_import_preview,
        name="student_import_preview",
    ),
    path(
        "students/import/<int:pk>/progress/",
        progress_views.student_import_progress,
        name="student_import_progress",
    ),
    path("students/new/", progress_views.student_edit, name="student_create"),
    path("students/<int:pk>/", progress_views.student_detail, name="student_detail"),
    path("students/<int:pk>/edit/", progress_views.student_edit, name="student_edit"),
    path("students/<int:pk>/export.json", progress_views.student_export, name="student_export"),
    path(
        "students/<int:pk>/everything/",
        progress_views.student_export_page,
        name="student_export_page",
    ),
    path("students/<int:pk>/erase/", progress_views.student_erase, name="student_erase"),
    path("opportunities/matches/", progress_views.matches, name="matches"),
    path(
        "opportunities/<int:pk>/nominate/<int:student_pk>/",
        progress_views.match_nominate,
        name="match_nominate",
    ),
]
