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


ADMIN_PAGES = """
import json, re
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from promotion.models import Region, Source

setup_test_environment()
call_command("migrate", verbosity=0)
region = Region.objects.create(
    slug="calibaja", name="Cali-Baja", min_latitude=31, max_latitude=34,
    min_longitude=-118, max_longitude=-114,
)
source = Source.objects.create(region=region, key="S11", title="Jobs", publisher="UT")
user = get_user_model().objects.create_superuser("admin", password="x")
client = Client()
client.force_login(user)
out = {}
for name, url in [
    ("change", f"/admin/promotion/source/{source.pk}/change/"),
    ("fact_add", "/admin/promotion/fact/add/"),
    ("autocomplete", "/admin/autocomplete/?app_label=promotion&model_name=fact"
        "&field_name=source&term=S1"),
]:
    response = client.get(url)
    html = response.content.decode()
    scripts = re.findall(r"<script\\b([^>]*)>(.*?)</script>", html, re.S)
    files = re.findall(r'<(?:script|link)\\b[^>]*(?:src|href)="/static/([^"?]+)', html)
    out[name] = {
        "status": response.status_code,
        "csp": response.get("Content-Security-Policy"),
        "inline_scripts": [a for a, body in scripts if "src=" not in a and body.strip()],
        "inline_styles": len(re.findall(r"<style\\b|\\sstyle=\\"|\\son[a-z]+=\\"", html)),
        "scripts": len([a for a, _body in scripts if "src=" in a]),
        "missing_files": [f for f in files if not finders.find(f)],
        "body": html[:80] if name == "autocomplete" else "",
    }
print(json.dumps(out))
"""


def test_the_admin_runs_under_the_deployments_content_security_policy() -> None:
    """Django 6's CSP middleware, or the 5.2 stand-in, with the same policy: the admin's
    pages need no inline script or style, and every file they load is a static file of
    the site (allowed by 'self')."""
    import json

    result = manage(
        "shell", "-v", "0", "-c", ADMIN_PAGES, DJANGO_DEBUG="1", DATABASE_URL="sqlite:///:memory:"
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'; frame-ancestors 'none'"
    )
    for name, page in pages.items():
        assert page["status"] == 200, (name, page)
        assert page["csp"] == policy, name
        assert page["inline_scripts"] == [], name
        assert page["inline_styles"] == 0, name
        assert page["missing_files"] == [], name
    assert pages["change"]["scripts"] >= 5  # jQuery, actions, the change form's own...
    assert pages["fact_add"]["scripts"] >= 5  # ...and the autocomplete widgets'
    assert pages["autocomplete"]["body"].startswith('{"results": [{"id": ')
