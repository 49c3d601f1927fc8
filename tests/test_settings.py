"""Settings: production passes ``check --deploy``; the database comes from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TSUNAGU_"))}
    env.update(extra)
    return env


def test_production_settings_pass_deploy_check(tmp_path):
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="tsunagu.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-for-the-check-" + "x9Q!z" * 6,
        DJANGO_ALLOWED_HOSTS="tsunagu.city.example.lg.jp",
        TSUNAGU_DATA_DIR=str(tmp_path),
    )
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="tsunagu.settings.production", TSUNAGU_DATA_DIR=str(tmp_path)
    )
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_sqlite_path_is_overridable(tmp_path):
    target = tmp_path / "sub" / "city.sqlite3"
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="tsunagu.settings.local", TSUNAGU_SQLITE_PATH=str(target)
    )
    env.pop("DATABASE_URL", None)
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(target)


def test_database_url_selects_postgresql():
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="tsunagu.settings.local",
        DATABASE_URL="postgres://someone@db.example:5432/tsunagu",
    )
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['TEST']['CHARSET'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "tsunagu",
        "db.example",
        "UTF8",
    ]


def test_japanese_locale_and_timezone():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
