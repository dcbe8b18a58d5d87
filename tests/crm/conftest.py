"""Two partners, Tijuana and San Diego, each with staff and a prospect, and one share."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories


@pytest.fixture
def world(db):
    region = factories.RegionFactory()
    tj = factories.PartnerFactory(region=region, slug="tj-edc", name="Tijuana EDC")
    sd = factories.PartnerFactory(region=region, slug="sd-edc", name="San Diego EDC")
    cd = factories.PartnerFactory(region=region, slug="cdim", name="CDIM Mexicali")
    tj_manager = factories.UserFactory(username="tj-manager")
    tj_viewer = factories.UserFactory(username="tj-viewer")
    sd_manager = factories.UserFactory(username="sd-manager")
    cd_editor = factories.UserFactory(username="cd-editor")
    factories.PartnerMembershipFactory(user=tj_manager, partner=tj, role="manager")
    factories.PartnerMembershipFactory(user=tj_viewer, partner=tj, role="viewer")
    factories.PartnerMembershipFactory(user=sd_manager, partner=sd, role="manager")
    factories.PartnerMembershipFactory(user=cd_editor, partner=cd, role="editor")
    tj_prospect = factories.ProspectFactory(
        partner=tj,
        company_name="Tijuana Secret Motors",
        codename="Project Osprey",
        country="JP",
    )
    sd_prospect = factories.ProspectFactory(
        partner=sd,
        company_name="Falconworks Biotech",
        codename="Project Falcon",
        country="DE",
        naics_code="325414",
    )
    shared = factories.ProspectFactory(
        partner=sd,
        company_name="Binational Cables",
        codename="Project Tern",
        country="US",
    )
    factories.ProspectShareFactory(prospect=shared, partner=tj, access="read")
    sd_contact = factories.ContactFactory(
        prospect=sd_prospect, name="Hidden Person", email="hidden.person@example.com"
    )
    tj_contact = factories.ContactFactory(prospect=tj_prospect, name="Known Person")
    return SimpleNamespace(**locals())
