from civbio.views import healthz


class HealthzMiddleware:
    """Answers /healthz before host validation and HTTPS redirects, so a container health check
    or load balancer can probe the process by its internal address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
