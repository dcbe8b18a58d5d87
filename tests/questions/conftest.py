"""Two partners of one region (Tijuana, San Diego) and a second region, a few topics with
aliases, published and held facts. San Diego's prospect "Project Falcon" (Falconworks
Biotech) is never to be seen by Tijuana staff; San Diego shares "Project Tern" with them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from promotion.answering import cache
from promotion.models import FactStatus
from tests import factories

ALIASES = {
    "connectivity": {"en": ["internet", "wi-fi", "broadband"], "es": ["internet", "wifi"]},
    "talent": {"en": ["engineers", "workforce"], "es": ["ingenieros"]},
    # A topic the region has no fact on yet.
    "security": {"en": ["crime", "safety"], "es": ["seguridad"]},
}


@pytest.fixture(autouse=True)
def _fresh_matchers():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    region = factories.RegionFactory()
    elsewhere = factories.RegionFactory(slug="elsewhere", name="Elsewhere")
    topics = {}
    for slug, languages in ALIASES.items():
        topics[slug] = factories.TopicFactory(slug=slug)
        for language, texts in languages.items():
            for text in texts:
                factories.TopicAliasFactory(topic=topics[slug], language=language, text=text)
    households = factories.FactFactory(
        region=region,
        key="CON-01",
        topics=[topics["connectivity"]],
        text_en="Households with internet access.",
        text_es="Hogares con acceso a internet.",
        source__title="Household technology survey",
        source__url="https://example.org/survey",
    )
    engineers = factories.FactFactory(
        region=region,
        key="TAL-01",
        topics=[topics["talent"]],
        text_en="Engineering graduates each year.",
        text_es="Egresados de ingeniería al año.",
    )
    held = factories.FactFactory(
        region=region,
        key="CON-99",
        topics=[topics["connectivity"]],
        text_en="An unverified count of fibre links.",
        status=FactStatus.NEEDS_VERIFICATION,
    )
    foreign = factories.FactFactory(
        region=elsewhere,
        key="CON-01",
        topics=[topics["connectivity"]],
        text_en="Households with internet access elsewhere.",
    )
    tj = factories.PartnerFactory(region=region, slug="tj-edc", name="Tijuana EDC")
    sd = factories.PartnerFactory(region=region, slug="sd-edc", name="San Diego EDC")
    tj_editor = factories.UserFactory(username="tj-editor")
    tj_viewer = factories.UserFactory(username="tj-viewer")
    sd_manager = factories.UserFactory(username="sd-manager")
    factories.PartnerMembershipFactory(user=tj_editor, partner=tj, role="editor")
    factories.PartnerMembershipFactory(user=tj_viewer, partner=tj, role="viewer")
    factories.PartnerMembershipFactory(user=sd_manager, partner=sd, role="manager")
    tj_prospect = factories.ProspectFactory(
        partner=tj, company_name="Tijuana Secret Motors", codename="Project Osprey"
    )
    sd_prospect = factories.ProspectFactory(
        partner=sd, company_name="Falconworks Biotech", codename="Project Falcon"
    )
    shared = factories.ProspectFactory(
        partner=sd, company_name="Binational Cables", codename="Project Tern"
    )
    factories.ProspectShareFactory(prospect=shared, partner=tj, access="read")
    return SimpleNamespace(**locals())
