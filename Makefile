# tsunagu — two commands do all set-up on a fresh Debian/Ubuntu machine:
#   make demo   venv, install (+ PDF fonts when run as root), migrate, demo city, serve on
#               http://127.0.0.1:8000 with the background worker (CSV imports) beside it
#   make test   venv, install (+ Chromium and fonts when run as root), lint, all tests

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# PDF forms (WeasyPrint: Pango + the IPAex Japanese fonts); Chromium for the browser tests;
# systemd and logrotate for systemd-analyze and logrotate -d, which check the files in deploy/
APT_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 fonts-ipaexfont
APT_PACKAGES := $(APT_RUNTIME) chromium openjdk-17-jre-headless systemd logrotate slapd ldap-utils
PYTEST_ARGS ?=
# optional dependencies installed into the venv: the tests, Spark for the batch linkage (its
# tests run when Java is there too) and LDAP for signing in with the city's directory
EXTRAS ?= test,spark,ldap
# headers python-ldap compiles against (the ldap extra); slapd and ldap-utils run a real
# directory for the tests of signing in with it
APT_BUILD := libldap2-dev libsasl2-dev
# test processes: everything but the browser tests, then the browser tests (each process with
# its own test database, live server and Chromium)
PYTEST_WORKERS ?= auto
E2E_WORKERS ?= 2

.PHONY: demo test lint serve system-deps runtime-deps apt-install python-venv clean

python-venv:
	@if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "python3-venv が必要です: sudo apt-get install python3-venv" >&2; exit 1; fi; fi

$(VENV)/.installed: pyproject.toml | python-venv
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_BUILD)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

system-deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_PACKAGES)"

runtime-deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_RUNTIME)"

apt-install:
	@missing=""; for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "次のパッケージが必要です:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi

demo: $(VENV)/.installed runtime-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@$(MAKE) --no-print-directory serve

# the web server and the background worker that runs the jobs (CSV imports); both stop together
serve: $(VENV)/.installed
	$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=tsunagu.settings.test $(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.installed system-deps lint
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: none selected
	$(VENV)/bin/pytest -n $(E2E_WORKERS) -m e2e $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Production (docs/operations.md): the settings come from the environment (DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...: deploy/tsunagu.env.example), e.g. after
# `set -a; . /etc/tsunagu/tsunagu.env; set +a`. The venv is installed beforehand (offline from a
# wheelhouse on a closed network); these targets never download. systemd runs the same commands
# (deploy/systemd/), cron the scheduled ones (deploy/cron.d/tsunagu).
.PHONY: serve-production worker-production migrate-production production-venv
serve-production worker-production migrate-production: export DJANGO_SETTINGS_MODULE := tsunagu.settings.production

production-venv:
	@test -x $(VENV)/bin/gunicorn || { echo "$(VENV) に tsunagu がインストールされていません（docs/operations.md を参照）" >&2; exit 1; }

# the web application: static files collected, no migration pending, then gunicorn
serve-production: production-venv
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py migrate --check >/dev/null || { echo "適用していないマイグレーションがあるか、データベースに接続できません（バックアップの後に make migrate-production）" >&2; exit 1; }
	exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py

# the background worker (CSV imports), run beside serve-production
worker-production: production-venv
	exec $(PY) manage.py db_worker --interval 1 --no-reload

migrate-production: production-venv
	$(PY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache
