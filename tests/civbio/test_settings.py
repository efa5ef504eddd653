"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Only named: `check` connects to nothing.
REDIS = "redis://redis:6379/0"


def run_django(args, **env):
    # A clean production-like environment: none of the test run's development switches.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment["CIVBIO_ENV_FILE"] = ""  # no development .env: production reads only the env
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(["check"], ALLOWED_HOSTS="civbio.example.nl", SITE_URL="https://x.nl")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django(["check"], SECRET_KEY="x" * 60, SITE_URL="https://x.nl", REDIS_URL=REDIS)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="k7#" + "q2Zr9vLx" * 8,
        ALLOWED_HOSTS="civbio.example.nl",
        SITE_URL="https://civbio.example.nl",
        REDIS_URL=REDIS,
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_redis():
    """Without the shared cache the login limits would count per process."""
    result = run_django(
        ["check", "--deploy"],
        SECRET_KEY="k7#" + "q2Zr9vLx" * 8,
        ALLOWED_HOSTS="civbio.example.nl",
        SITE_URL="https://civbio.example.nl",
        REDIS_URL="",
    )

    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def test_a_malformed_boolean_is_a_clear_error():
    result = run_django(["check"], DEBUG="perhaps")

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_one_redis_holds_the_cache_and_the_broker_and_sessions_stay_in_the_database():
    shown = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION', 'local'), "
        "s.CELERY_BROKER_URL or 'none', s.SESSION_ENGINE, len(s.CACHES))"
    )

    def settings_with(**env):
        result = run_django(["shell", "--verbosity", "0", "-c", shown], DEBUG="1", **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    redis = "redis://redis:6379/0"
    database = "django.contrib.sessions.backends.db"
    guarded = "civbio.redis_cache.RedisCache"
    assert settings_with(REDIS_URL=redis) == [guarded, redis, redis, database, "1"]
    local = "django.core.cache.backends.locmem.LocMemCache"
    assert settings_with(REDIS_URL="") == [local, "local", "none", database, "1"]
