"""What only the benchmark serves: a page built on every request, when asked for."""

from civbio import kept_pages


def build_when_asked(get_response):
    """With the header `X-Bench-Build: 1`, nothing of the page or the person is read from the
    cache (kept_pages.fresh): what a page costs just after any change, measured under load."""

    def middleware(request):
        if request.headers.get("X-Bench-Build") != "1":
            return get_response(request)
        with kept_pages.fresh():
            return get_response(request)

    return middleware
