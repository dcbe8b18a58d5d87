"""A small region with one of everything a deck prints, for the hostile-input tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests import factories


@pytest.fixture
def deck_world(db):
    region = factories.RegionFactory()
    owner = factories.PartnerFactory(region=region, slug="owner-edc", name="Owner EDC")
    other = factories.PartnerFactory(region=region, slug="other-edc", name="Other EDC")
    topic = factories.TopicFactory(slug="talent")
    locality = factories.LocalityFactory(region=region, name="Tijuana")
    cluster = factories.ClusterFactory(
        region=region,
        naics_codes="3391",
        employment=5000,
        figures_source=factories.SourceFactory(region=region),
        figures_as_of=datetime.date(2024, 1, 1),
    )
    pool = factories.TalentPoolFactory(region=region)
    pool.clusters.set([cluster])
    institution = factories.InstitutionFactory(region=region, locality=locality)
    institution.clusters.set([cluster])
    asset = factories.AssetFactory(region=region, locality=locality)
    source = factories.SourceFactory(region=region, publisher="Census")
    fact = factories.FactFactory(
        region=region, source=source, value_number=Decimal("86.4"), topics=[topic]
    )
    prospect = factories.ProspectFactory(partner=owner, naics_code="339112")
    question = factories.QuestionFactory(prospect=prospect)
    question.facts.set([fact])
    return SimpleNamespace(**locals())


from tests.crm.conftest import world  # noqa: E402,F401  (the three partners of the CRM tests)
