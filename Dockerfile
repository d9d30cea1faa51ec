# The lovflow image: one image for the worker (default command) and for one-off commands such as
# `lov db upgrade` (docker-compose.yml runs both). Build: docker compose build, or
#   docker build -t lovflow:0.1.0 .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The source tree in /app wins over the installed copy, so that alembic/, plans/ and
    # templates/ (not Python packages) are found next to the code, by `lov` as by worker.py.
    PYTHONPATH=/app \
    # No TOML file unless one is mounted here (SMTP login and other secrets: docs/DEPLOYMENT.md).
    LOV_CONFIG=/etc/lovflow/lov.toml \
    # Only the embedded default writes here; a container's filesystem outside it stays read-only.
    LOV_VAR_DIR=/tmp/lovflow

WORKDIR /app

# Dependencies first, in their own layer: a code change then does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p workflows activities models services starter \
    && touch worker.py workflows/__init__.py activities/__init__.py models/__init__.py services/__init__.py \
        starter/__init__.py \
    && pip install . \
    && pip uninstall --yes lovflow \
    && rm -rf build *.egg-info

COPY . .
RUN pip install --no-deps . && rm -rf build *.egg-info

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin lovflow \
    && mkdir -p /etc/lovflow \
    && install -d -o lovflow -m 0700 /var/lib/lovflow/documents
USER lovflow

# SIGTERM (docker stop) drains the worker and exits 0; see worker.py.
CMD ["python", "worker.py"]
