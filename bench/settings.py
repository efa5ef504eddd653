"""Production settings, plus the framework floor's address and a way to ask for a page built
afresh: what `make bench` serves."""

from civbio.settings import *  # noqa: F403
from civbio.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.build_when_asked", *MIDDLEWARE]
