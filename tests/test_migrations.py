from __future__ import annotations

import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import promotion

MIGRATIONS = Path(promotion.__file__).parent / "migrations"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "auto_field", [None, "django.db.models.AutoField", "django.db.models.BigAutoField"]
)
def test_no_pending_migrations(auto_field: str | None) -> None:
    """Models and migrations agree, whatever the host's DEFAULT_AUTO_FIELD."""
    out = StringIO()
    overrides = {"DEFAULT_AUTO_FIELD": auto_field} if auto_field else {}
    with override_settings(**overrides):
        try:
            call_command("makemigrations", "promotion", check=True, dry_run=True, stdout=out)
        except SystemExit:
            pytest.fail(f"makemigrations would create migrations:\n{out.getvalue()}")


def test_migration_numbers_are_unique() -> None:
    numbers = Counter(
        match.group(1)
        for path in MIGRATIONS.glob("*.py")
        if (match := re.match(r"(\d{4})_", path.name))
    )
    assert numbers, "no migrations found"
    assert [n for n, count in numbers.items() if count > 1] == []


def test_migrations_do_not_hard_code_the_user_model() -> None:
    for path in MIGRATIONS.glob("*.py"):
        text = path.read_text()
        assert "'auth.user'" not in text.lower() and '"auth.user"' not in text.lower(), path.name
