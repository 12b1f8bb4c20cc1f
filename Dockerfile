# The project's one image: the worker (default) and the mock Sage (`python -m sage_mock`).
# Used by docker-compose.yml; build it alone with `docker build -t erp-export-orchestrator .`
FROM python:3.11.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib, subprocess, sys; \
deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
subprocess.check_call([sys.executable, '-m', 'pip', 'install', *deps])"

# Then the project itself (.dockerignore keeps tests, data and the venv out).
COPY . .
RUN pip install --no-deps . \
    && python -m compileall -q /app \
    && useradd --system --uid 10001 --home-dir /app erp \
    && mkdir -p /data \
    && chown erp /data

USER erp
# The worker handles SIGTERM: it stops polling and shuts down cleanly.
STOPSIGNAL SIGTERM
CMD ["python", "worker.py"]
