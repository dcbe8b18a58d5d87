"""Benchmark the Prospect admin changelist at 100 and at 10,000 prospects.

Run from the repository root:  python bench/crm_changelist.py [--prospects N]

It builds an in-memory SQLite database with the test settings (``DATABASE_URL`` set to a
PostgreSQL URL is honoured), creates two partners, loads prospects with contacts,
interactions, questions and stage changes by ``bulk_create``, and renders the changelist
(pipeline summary, filters, 50 rows) as a partner manager through the Django test client.
It prints the number of queries and the median time of a few renders at each size, so the
figure is the same shape whatever the size: no query per row.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    total = int(argv[argv.index("--prospects") + 1]) if "--prospects" in argv else 10_000
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from promotion.models import (
        Contact,
        Interaction,
        Partner,
        PartnerMembership,
        Prospect,
        Question,
        Region,
        Stage,
        StageChange,
    )

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    if connection.vendor != "sqlite" or settings.DATABASES["default"]["NAME"] != ":memory:":
        print("Use the in-memory SQLite database: unset DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)

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
    user_model = get_user_model()
    login_field = user_model.USERNAME_FIELD
    manager = user_model._default_manager.create(
        **{login_field: "bench-manager@example.com" if login_field == "email" else "bench-manager"},
        is_staff=True,
    )
    PartnerMembership.objects.create(user=manager, partner=mine, role="manager")
    client = Client()
    client.force_login(manager)
    url = reverse("admin:promotion_prospect_changelist")
    stages = [value for value, _label in Stage.choices if value != Stage.LOST]
    now = timezone.now()

    def load(upto: int) -> None:
        start = Prospect.objects.count()
        prospects = [
            Prospect(
                partner=mine if n % 2 == 0 else other,
                company_name=f"Bench Company {n}",
                codename=f"Project Bench {n}",
                country=("KR", "JP", "US", "MX", "DE")[n % 5],
                naics_code=("3364", "3344", "3391", "3343")[n % 4],
                industry="Bench",
                stage=stages[n % len(stages)],
                language=("en", "es")[n % 2],
                estimated_jobs=50 + n % 400,
                capital_investment=1_000_000 + n,
                first_inquiry_on=(now - datetime.timedelta(days=30 + n % 300)).date(),
            )
            for n in range(start, upto)
        ]
        Prospect.objects.bulk_create(prospects, batch_size=2000)
        created = list(
            Prospect.objects.filter(
                pk__gt=Prospect.objects.order_by("pk").values_list("pk", flat=True)[start - 1]
                if start
                else 0
            )
        )
        Contact.objects.bulk_create(
            [
                Contact(prospect=p, name=f"Bench Person {p.pk}", email=f"person{p.pk}@example.com")
                for p in created
            ],
            batch_size=2000,
        )
        Interaction.objects.bulk_create(
            [
                Interaction(
                    prospect=p,
                    kind="call",
                    summary="Bench call",
                    occurred_at=now - datetime.timedelta(days=k + p.pk % 20),
                )
                for p in created
                for k in range(3)
            ],
            batch_size=2000,
        )
        Question.objects.bulk_create(
            [Question(prospect=p, text="Do you have wi-fi?") for p in created], batch_size=2000
        )
        StageChange.objects.bulk_create(
            [
                StageChange(
                    prospect=p,
                    from_stage="",
                    to_stage=p.stage,
                    changed_at=now - datetime.timedelta(days=p.pk % 90),
                )
                for p in created
            ],
            batch_size=2000,
        )

    print(
        f"Prospect admin changelist, as a manager of one of two partners "
        f"(median of {REPEATS} renders):"
    )
    for size in (100, total):
        load(size)
        client.get(url)  # warm up
        timings = []
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        visible = Prospect.objects.filter(partner=mine).count()
        print(
            f"  {size:>6} prospects ({visible} visible): {len(queries)} queries, "
            f"{statistics.median(timings) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
