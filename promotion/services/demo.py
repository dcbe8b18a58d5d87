"""Demo accounts for the README's demo. Never used by production settings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from promotion.models import (
    Contact,
    IndustryCluster,
    Partner,
    PartnerRole,
    Prospect,
    Region,
    RegionEditor,
    StageChange,
)
from promotion.services.crm import (
    interaction_record,
    membership_add,
    prospect_change_stage,
    prospect_create,
    question_record,
)
from promotion.services.datasets import dataset_load

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    role: str


def _demo_login(name: str) -> str:
    """The login of a demo user, shaped for the host's USERNAME_FIELD."""
    user_model = get_user_model()
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    if isinstance(field, models.EmailField):
        return f"{name}@example.com"
    return name


def _demo_user(name: str) -> Any:
    user_model = get_user_model()
    login = _demo_login(name)
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: login}).first()
    if user is None:
        user = user_model(**{user_model.USERNAME_FIELD: login})
    user.is_staff = True
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def demo_setup(*, region_slug: str) -> list[DemoLogin]:
    """Load the region's data set, then one staff user per partner and a region editor.

    Idempotent: running it again reloads the data set and resets the demo passwords.
    """
    dataset_load(name=region_slug)
    region = Region.objects.get(slug=region_slug)
    logins = []
    editor = _demo_user("demo-editor")
    RegionEditor.objects.get_or_create(region=region, user=editor)
    logins.append(DemoLogin(_demo_login("demo-editor"), DEMO_PASSWORD, "region editor"))
    for partner in Partner.objects.filter(region=region, is_active=True).order_by("slug"):
        manager = _demo_user(f"demo-{partner.slug}")
        membership_add(partner=partner, user=manager, role=PartnerRole.MANAGER)
        demo_pipeline(partner=partner, manager=manager)
        logins.append(
            DemoLogin(_demo_login(f"demo-{partner.slug}"), DEMO_PASSWORD, f"manager of {partner}")
        )
    return logins


# Fictitious companies, clearly marked: nothing here is a fact about the region. Each row:
# (codename, company, country, language, stage path, jobs, investment in USD, questions).
DEMO_PROSPECTS: tuple[
    tuple[str, str, str, str, tuple[str, ...], int, int, tuple[str, ...]], ...
] = (
    (
        "Demo Heron",
        "Heron Demo Devices (fictitious)",
        "KR",
        "en",
        ("lead",),
        120,
        8_000_000,
        ("Do you have wi-fi in the industrial parks?",),
    ),
    (
        "Demo Kestrel",
        "Kestrel Sample Components (fictitious)",
        "JP",
        "en",
        ("lead", "qualified", "site_visit"),
        450,
        35_000_000,
        (
            "How long does a cargo crossing at the border take?",
            "Which universities train electronics engineers?",
        ),
    ),
    (
        "Demo Ibis",
        "Ibis Ejemplo Manufactura (ficticia)",
        "MX",
        "es",
        ("lead", "qualified"),
        80,
        4_500_000,
        ("¿Hay parques industriales con ferrocarril?",),
    ),
    (
        "Demo Plover",
        "Plover Placeholder GmbH (fictitious)",
        "DE",
        "en",
        ("lead", "qualified", "site_search", "proposal", "negotiation"),
        300,
        22_000_000,
        ("What does the region's aerospace supply chain look like?",),
    ),
    (
        "Demo Tern",
        "Tern Muestra Logística (ficticia)",
        "US",
        "es",
        ("lead", "qualified", "site_search", "site_visit", "proposal", "won"),
        200,
        12_000_000,
        ("¿Cuánto tarda el cruce comercial?",),
    ),
    (
        "Demo Wren",
        "Wren Demo Technologies (fictitious)",
        "TW",
        "en",
        ("lead", "qualified", "lost"),
        60,
        3_000_000,
        ("Is there a seaport nearby?",),
    ),
)

DEMO_CONTACTS = (
    ("Alex Example", "Vice-president, operations"),
    ("Rosa Ejemplo", "Directora de proyectos"),
    ("Sam Sample", "Site selection consultant"),
)
DEMO_LOST_REASON = "Demo data: chose another region for its supplier base."


def _demo_clusters(region_id: int) -> list[IndustryCluster]:
    clusters = [
        c
        for c in IndustryCluster.objects.filter(region_id=region_id).order_by("pk")
        if c.naics_prefixes()
    ]
    return clusters


@transaction.atomic
def demo_pipeline(*, partner: Partner, manager: Any) -> list[Prospect]:
    """Fill ``partner`` with the demo pipeline, as ``manager``. Idempotent: a prospect is
    known by its codename, and one that exists is left as it is (children included)."""
    clusters = _demo_clusters(partner.region_id)
    today = timezone.localdate()
    now = timezone.now()
    made = []
    for index, (codename, company, country, language, path, jobs, capex, questions) in enumerate(
        DEMO_PROSPECTS
    ):
        if Prospect.objects.filter(partner=partner, codename=codename).exists():
            continue
        cluster = clusters[(index + len(partner.slug)) % len(clusters)] if clusters else None
        inquiry = today - datetime.timedelta(days=20 + 15 * len(path) + index)
        prospect = prospect_create(
            actor=manager,
            partner=partner,
            codename=codename,
            company_name=company,
            country=country,
            language=language,
            naics_code=cluster.naics_prefixes()[0] if cluster else "31",
            industry=cluster.name_en if cluster else "Manufacturing",
            estimated_jobs=jobs,
            capital_investment=capex,
            currency="USD",
            first_inquiry_on=inquiry,
            assigned_to=manager,
            notes="Demo data: a fictitious company, not a real prospect.",
            extra={"demo": True},
        )
        for stage in path[1:]:
            prospect_change_stage(
                actor=manager,
                prospect=prospect,
                stage=stage,
                lost_reason=DEMO_LOST_REASON if stage == "lost" else "",
            )
        # Spread the stage history over the weeks since the first inquiry.
        start = timezone.make_aware(datetime.datetime.combine(inquiry, datetime.time(9)))
        for step, change in enumerate(prospect.stage_changes.order_by("pk")):
            StageChange.objects.filter(pk=change.pk).update(
                changed_at=min(start + datetime.timedelta(days=14 * step), now)
            )
        contacts = []
        for number, (name, title) in enumerate(DEMO_CONTACTS[: 1 + index % 3]):
            slug = name.split()[0].lower()
            contacts.append(
                Contact.objects.create(
                    prospect=prospect,
                    name=f"{name} (demo)",
                    title=title,
                    email=f"{slug}.{partner.slug}.{index}{number}@example.com",
                    phone=f"+1 555 01{index}{number}",
                    language=language,
                )
            )
        for step, kind in enumerate(("email", "call", "meeting", "site_visit")[: len(path)]):
            interaction_record(
                actor=manager,
                prospect=prospect,
                kind=kind,
                contact=contacts[0],
                occurred_at=min(start + datetime.timedelta(days=1 + 14 * step), now),
                summary="Demo interaction with a fictitious company.",
            )
        for text in questions:
            question_record(
                actor=manager, prospect=prospect, text=text, language=language, asked_on=inquiry
            )
        made.append(prospect)
    return made
