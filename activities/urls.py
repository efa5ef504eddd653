from django.urls import path

from activities import schedule_views, views

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
    path("schedules/", schedule_views.schedule_list, name="schedule_list"),
    path("schedules/<int:pk>/", schedule_views.schedule_edit, name="schedule_edit"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/new-address/", views.calendar_regenerate, name="calendar_regenerate"),
    path("opportunities/matches/", views.matches, name="matches"),
    path("opportunities/<int:pk>/matches/", views.opportunity_matches, name="opportunity_matches"),
    path(
        "opportunities/<int:pk>/nominate/<int:student_pk>/",
        views.match_nominate,
        name="match_nominate",
    ),
]
