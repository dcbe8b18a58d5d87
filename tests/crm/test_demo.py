from __future__ import annotations

import pytest

from promotion.models import Contact, Interaction, PartnerMembership, Prospect, Question
from promotion.selectors.crm import prospect_visible_to
from promotion.services.demo import demo_setup

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        m.objects.count() for m in (Prospect, Contact, Interaction, Question, PartnerMembership)
    )


def test_demo_gives_each_partner_a_manager_and_a_pipeline_idempotently():
    logins = demo_setup(region_slug="calibaja")
    first = counts()
    demo_setup(region_slug="calibaja")
    assert counts() == first
    partner_logins = [login for login in logins if "manager of" in login.role]
    assert partner_logins
    membership = PartnerMembership.objects.select_related("partner", "user").first()
    assert membership.role == "manager"
    visible = prospect_visible_to(user=membership.user)
    assert set(visible.values_list("partner", flat=True)) == {membership.partner_id}
    assert len(set(visible.values_list("stage", flat=True))) >= 5
    assert set(visible.values_list("language", flat=True)) == {"en", "es"}
    assert all(
        "fictitious" in name or "ficticia" in name
        for name in Prospect.objects.values_list("company_name", flat=True)
    )
    assert all(
        email.endswith("@example.com") for email in Contact.objects.values_list("email", flat=True)
    )
    from promotion.models import IndustryCluster

    prefixes = {p for c in IndustryCluster.objects.all() for p in c.naics_prefixes()}
    assert set(Prospect.objects.values_list("naics_code", flat=True)) <= prefixes
