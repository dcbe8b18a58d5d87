"""Two partners, A (Tijuana) and B (San Diego), staff of each with every role, and B's
prospects shared with A: one with its identity, one by codename only."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def world(db):
    region = factories.RegionFactory()
    a = factories.PartnerFactory(region=region, slug="tj-edc", name="Tijuana EDC")
    b = factories.PartnerFactory(region=region, slug="sd-edc", name="Secret Diego EDC")
    users = {}
    for partner, prefix in ((a, "a"), (b, "b")):
        for role in ("viewer", "editor", "manager"):
            user = factories.UserFactory(username=f"{prefix}-{role}")
            factories.PartnerMembershipFactory(user=user, partner=partner, role=role)
            users[f"{prefix}_{role}"] = user
    a_prospect = factories.ProspectFactory(
        partner=a,
        company_name="Tijuana Motors",
        codename="Project Osprey",
        country="JP",
        capital_investment=Decimal("1000000.00"),
        estimated_jobs=10,
    )
    # B's own prospect: A must never see any of it. Its figures are canaries.
    b_secret = factories.ProspectFactory(
        partner=b,
        company_name="Hidden Falconworks",
        codename="Project Falcon",
        country="DE",
        capital_investment=Decimal("987654321.00"),
        estimated_jobs=4321,
        notes="Hidden note",
        stage="qualified",
    )
    b_shared = factories.ProspectFactory(
        partner=b,
        company_name="Binational Cables",
        codename="Project Tern",
        country="US",
        capital_investment=Decimal("2000000.00"),
        estimated_jobs=20,
    )
    b_codename_only = factories.ProspectFactory(
        partner=b,
        company_name="Discreet Semiconductors",
        codename="Project Wren",
        country="KR",
        capital_investment=Decimal("3000000.00"),
        estimated_jobs=30,
        notes="Discreet note",
    )
    factories.ProspectShareFactory(prospect=b_shared, partner=a, access="read")
    factories.ProspectShareFactory(
        prospect=b_codename_only, partner=a, access="edit", reveal_identity=False
    )
    factories.ContactFactory(
        prospect=b_secret, name="Hidden Person", email="hidden.person@example.com"
    )
    factories.ContactFactory(
        prospect=b_codename_only, name="Discreet Person", email="discreet.person@example.com"
    )
    factories.ContactFactory(
        prospect=a_prospect, name="Known Person", email="known.person@example.com"
    )
    return SimpleNamespace(
        region=region,
        a=a,
        b=b,
        a_prospect=a_prospect,
        b_secret=b_secret,
        b_shared=b_shared,
        b_codename_only=b_codename_only,
        **users,
    )


@pytest.fixture
def client_for():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make
