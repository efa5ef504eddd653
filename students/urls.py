from django.urls import path

from students import catalogue_views, views

app_name = "students"

urlpatterns = [
    path("modules/", views.module_list, name="module_list"),
    path("modules/new/", catalogue_views.module_edit, name="module_create"),
    path("modules/<int:pk>/edit/", catalogue_views.module_edit, name="module_edit"),
    path("modules/<int:pk>/units/new/", catalogue_views.unit_add, name="unit_add"),
    path("units/<int:pk>/edit/", catalogue_views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", catalogue_views.unit_move, name="unit_move"),
    path("units/<int:pk>/remove/", catalogue_views.unit_remove, name="unit_remove"),
    path("qualifications/", catalogue_views.qualification_list, name="qualification_list"),
    path("qualifications/new/", catalogue_views.qualification_edit, name="qualification_create"),
    path(
        "qualifications/<int:pk>/edit/",
        catalogue_views.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "qualifications/<int:pk>/retire/",
        catalogue_views.qualification_retire,
        name="qualification_retire",
    ),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/new/", views.edition_create, name="edition_create"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/cell/", views.edition_cell, name="edition_cell"),
    path("editions/<int:pk>/bulk/", views.edition_bulk, name="edition_bulk"),
    path("editions/<int:pk>/enrol/", views.edition_enrol, name="edition_enrol"),
    path(
        "editions/<int:pk>/export.<str:fmt>",
        views.edition_export,
        name="edition_export",
    ),
    path("students/", views.student_list, name="student_list"),
    path("students/import/", views.student_import, name="student_import"),
    path(
        "students/import/template.csv",
        views.student_import_template,
        name="student_import_template",
    ),
    path(
        "students/import/<int:pk>/",
        views.student_import_preview,
        name="student_import_preview",
    ),
    path(
        "students/import/<int:pk>/progress/",
        views.student_import_progress,
        name="student_import_progress",
    ),
    path("students/new/", views.student_edit, name="student_create"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<int:pk>/export.json", views.student_export, name="student_export"),
    path(
        "students/<int:pk>/everything/",
        views.student_export_page,
        name="student_export_page",
    ),
    path("students/<int:pk>/erase/", views.student_erase, name="student_erase"),
]
