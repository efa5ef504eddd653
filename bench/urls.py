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


def signed_in_floor(request):
    """The floor behind the login: the session and the person are read, as for every page
    behind it, and nothing else is done. No such page can be faster than this."""
    if not request.user.is_authenticated:
        return HttpResponse("not signed in", content_type="text/plain", status=403)
    return HttpResponse(f"floor {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor/signed-in/", signed_in_floor, name="bench_signed_in_floor"),
    *project.urlpatterns,
]
