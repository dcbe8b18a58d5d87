"""The example deployment: environment-driven settings and a clean ``check --deploy``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "calibaja.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="promotion.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = manage("check")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_with_nothing_set_the_demo_uses_sqlite_and_eager_tasks(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = manage("shell", "-v", "0", "-c", code, DJANGO_DEBUG="1", DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_and_broker_come_from_the_environment(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION'])"
    )
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://promotion@db.example.org:5432/promotion",
        CELERY_BROKER_URL="redis://broker.example.org:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "redis://broker.example.org:6379/0",
        "redis://broker.example.org:6379/0",  # the shared cache too (promotion.decks.cache)
    ]


def test_the_demo_runs_end_to_end_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    env = {"DJANGO_DEBUG": "1", "DJANGO_VAR_DIR": str(tmp_path)}
    assert manage("migrate", "--noinput", "-v", "0", **env).returncode == 0
    first = manage("promotion_demo", **env)
    assert first.returncode == 0, first.stderr
    assert "demo-editor" in first.stdout and "demo-tijuana-edc" in first.stdout
    again = manage("promotion_demo", **env)  # idempotent
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_the_demo_refuses_to_run_without_debug(tmp_path: Path) -> None:
    result = manage("promotion_demo", DJANGO_SECRET_KEY="s" * 50, DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "runs only with DEBUG on" in result.stderr


def test_the_admin_offers_english_and_spanish() -> None:
    code = (
        "from django.test import Client;from django.contrib.auth import get_user_model;"
        "from django.test.utils import setup_test_environment;setup_test_environment();"
        "u=get_user_model().objects.create_user('x',password='x',is_staff=True);"
        "c=Client();c.force_login(u);"
        "r=c.get('/admin/', HTTP_ACCEPT_LANGUAGE='es');print(r.status_code);"
        "print('set_language' in r.content.decode() or '/i18n/setlang/' in r.content.decode());"
        "print('Promoción de inversiones' in r.content.decode())"
    )
    with_db = {"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"}
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);" + code,
        **with_db,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "True", "True"]
