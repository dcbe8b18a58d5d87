from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests import factories

pytestmark = pytest.mark.django_db


def test_lost_needs_a_reason_in_the_database():
    prospect = factories.ProspectFactory()
    prospect.stage = "lost"
    with pytest.raises(IntegrityError):
        prospect.save()


def test_country_must_be_iso_alpha_2():
    prospect = factories.ProspectFactory.build(partner=factories.PartnerFactory(), country="XX")
    with pytest.raises(ValidationError) as err:
        prospect.full_clean()
    assert "country" in err.value.message_dict


def test_str_is_the_codename_not_the_company():
    prospect = factories.ProspectFactory(company_name="Acme Robotics", codename="Project Owl")
    assert str(prospect) == "Project Owl"


def test_prospect_changes_are_recorded():
    prospect = factories.ProspectFactory()
    prospect.estimated_jobs = 300
    prospect.save()
    assert prospect.history.count() == 2
