# The production image: web (gunicorn), worker and beat (celery) all run it.
# docker-compose.yml says which command each runs and what environment it needs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# WeasyPrint (board report PDFs) needs Pango and HarfBuzz; the report's CSS names DejaVu Sans.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 throughline \
    && useradd --system --uid 10001 --gid throughline --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin throughline

# Every package pinned with its hash; binary wheels only, no compiler needed.
COPY requirements-prod.lock ./
RUN pip install --require-hashes --only-binary=:all: -r requirements-prod.lock

# The code stays owned by root: the app cannot rewrite itself.
COPY . .

# collectstatic imports the production settings, which refuse to load without
# their variables. These placeholders exist only for this one command; the
# real values come from the environment at run time. Beat keeps its schedule
# in /app/.run (docker-compose mounts a volume there), so the app user owns it.
RUN SECRET_KEY=collectstatic-build-step-placeholder-never-used-at-runtime \
    DATABASE_URL=sqlite:////tmp/collectstatic-placeholder.sqlite3 \
    REDIS_URL=redis://placeholder:6379/0 \
    ALLOWED_HOSTS=placeholder \
    EMAIL_URL=dummymail:// \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/.run \
    && chown throughline:throughline /app/.run

USER throughline:throughline
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
