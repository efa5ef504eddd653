from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("project/", views.project_detail, name="project_detail"),
]
