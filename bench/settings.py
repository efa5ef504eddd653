"""Production settings, plus the framework floor's address: what `make bench` serves."""

from civbio.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
