# Production image of the portal: one image for web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries (pango, harfbuzz subsetting) and a font for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while pyproject.toml is unchanged): the runtime list only, no test extras.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image and served by WhiteNoise (hashed, compressed names).
# The key only lets the settings load during the build; the containers get the real one at run time.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-0000 \
        python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/media \
    && chown -R app:app /app/media

USER app
EXPOSE 8000

# docker-compose.yml gives each service its command; this default is the web server.
CMD ["gunicorn", "portail.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
