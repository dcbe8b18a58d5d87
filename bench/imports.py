"""Benchmark the prospect import (admin, django-import-export) at 1,000 and 10,000 rows.

Run from the repository root:  python bench/imports.py [--rows N ...]

It uses the test settings and a throwaway test database made the way the test suite
makes one: SQLite in memory, or, when ``DATABASE_URL`` names a PostgreSQL database,
a ``test_<name>`` database beside it (created, then dropped; the named database is left
untouched). Two partners get 1,000 existing prospects each; a manager of one of them
uploads a CSV of new prospects through the Django test client (the preview, a dry run
whose rows are validated and rolled back) and confirms it (the import). Then the same
manager re-imports 1,000 of its existing prospects by id with a new stage (updates).
For each step it prints rows per second and queries per row, so the figure is the same
shape at every size: a small constant number of queries per row.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXISTING = 1_000
HEADER = "partner,company_name,country,naics_code,stage,lost_reason,language,estimated_jobs\r\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sizes = [int(n) for n in argv[argv.index("--rows") + 1 :]] if "--rows" in argv else []
    sizes = sizes or [1_000, 10_000]
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    # The test database, as pytest-django makes it: in memory for SQLite,
    # ``test_<name>`` beside the named PostgreSQL database.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from promotion.models import Partner, PartnerMembership, Prospect, Region

        region = Region.objects.create(
            slug="bench",
            name="Bench",
            min_latitude=31,
            max_latitude=34,
            min_longitude=-118,
            max_longitude=-114,
        )
        mine = Partner.objects.create(region=region, slug="bench-tj", name="Bench Tijuana")
        other = Partner.objects.create(region=region, slug="bench-sd", name="Bench San Diego")
        Prospect.objects.bulk_create(
            [
                Prospect(
                    partner=partner,
                    company_name=f"Existing {n}",
                    codename=f"Project Existing {n}",
                    country="US",
                    naics_code="3364",
                )
                for partner in (mine, other)
                for n in range(EXISTING)
            ]
        )
        user_model = get_user_model()
        login_field = user_model.USERNAME_FIELD
        manager = user_model._default_manager.create(
            **{
                login_field: "bench-manager@example.com"
                if login_field == "email"
                else "bench-manager"
            },
            is_staff=True,
        )
        PartnerMembership.objects.create(user=manager, partner=mine, role="manager")
        client = Client()
        client.force_login(manager)

        queries = 0

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        def step(label: str, rows: int, action):  # type: ignore[no-untyped-def]
            nonlocal queries
            queries = 0
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                response = action()
                elapsed = time.perf_counter() - started
            print(
                f"  {label:<24} {rows:>6} rows: {elapsed:7.1f} s, {rows / elapsed:7.0f} rows/s, "
                f"{queries / rows:6.2f} queries/row ({queries} queries)",
                flush=True,
            )
            return response

        def preview(content: bytes):  # type: ignore[no-untyped-def]
            response = client.post(
                reverse("admin:promotion_prospect_import"),
                {
                    "resource": "0",
                    "format": "0",
                    "import_file": SimpleUploadedFile("prospects.csv", content),
                },
            )
            form = response.context and response.context.get("confirm_form")
            assert form is not None, response.content.decode()[-3000:]
            return response

        def confirm(response):  # type: ignore[no-untyped-def]
            done = client.post(
                reverse("admin:promotion_prospect_process_import"),
                response.context["confirm_form"].initial,
            )
            assert done.status_code == 302, done.status_code
            return done

        vendor = connection.vendor
        print(
            f"Prospect import through the admin ({vendor}), as a manager of one of two "
            f"partners with {EXISTING:,} prospects each:"
        )
        for size in sizes:
            before = Prospect.objects.count()
            rows = "".join(
                f"bench-tj,Company {size} {n},MX,3364,lead,,es,{n % 50}\r\n" for n in range(size)
            )
            content = (HEADER + rows).encode()
            page = step("preview (dry run)", size, lambda content=content: preview(content))
            step("confirm (import)", size, lambda page=page: confirm(page))
            assert Prospect.objects.count() == before + size
        own = list(
            Prospect.objects.filter(partner=mine, company_name__startswith="Existing")
            .order_by("pk")
            .values_list("pk", "company_name")
        )
        content = (
            "id,company_name,country,naics_code,stage,lost_reason,language\r\n"
            + "".join(f"{pk},{name},US,3364,qualified,,en\r\n" for pk, name in own)
        ).encode()
        page = step("update preview (dry run)", len(own), lambda: preview(content))
        step("update confirm (import)", len(own), lambda: confirm(page))
        assert (
            not Prospect.objects.filter(partner=mine, stage="lead")
            .exclude(company_name__startswith="Company")
            .exists()
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
