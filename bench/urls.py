"""The project's addresses plus the framework floor, which only the benchmark serves."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from civbio import urls as project


def floor(request):
    """A trivial view doing one query, through the same middleware as every page: the fastest
    any page could be on this machine, so pages are compared with it and not with a clock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return HttpResponse(f"floor {one}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    *project.urlpatterns,
]
