# civbio: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
# WeasyPrint (the funder reports' PDF) draws text with Pango; DejaVu gives it fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir "uv==0.13.8"
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3

COPY . .
# Build-time only values: collectstatic and the translations need settings, not secrets.
RUN DEBUG=1 python manage.py compile_translations \
    && SECRET_KEY=build-only ALLOWED_HOSTS=build REDIS_URL=redis://build python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app civbio \
    && mkdir -p /app/media && chown civbio /app/media

USER civbio
EXPOSE 8000
# Forwarded headers are trusted only from FORWARDED_ALLOW_IPS (gunicorn reads it; default
# 127.0.0.1): docker-compose.yml sets the proxy's address.
CMD ["gunicorn", "civbio.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
