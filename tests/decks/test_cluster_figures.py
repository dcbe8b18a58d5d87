"""The industry section's cluster figures: each with its own source and as-of date, never
under the source that names the cluster, and "no figure on file" where there is none."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from promotion.decks.text import number
from promotion.models import DeckStatus, Source
from promotion.services.decks import deck_render, deck_request
from tests import factories
from tests.decks.conftest import pdf_text

pytestmark = pytest.mark.django_db


def deck_pdf(prospect, user, language="en") -> bytes:
    deck = deck_request(actor=user, prospect=prospect, language=language, enqueue=False)
    deck = deck_render(deck_id=deck.pk, user_id=user.pk)
    assert deck.status == DeckStatus.READY, deck.error
    with deck.file.open("rb") as handle:
        return handle.read()


def industry_page(text: str) -> str:
    start = text.index("Why your industry fits")
    return " ".join(text[start : text.index("Talent", start)].split())


def reference(text: str, number: str) -> str:
    """The entry of the deck's source list numbered ``number`` (its lines joined)."""
    sources = text[text.rindex("Every figure in this deck") :]
    match = re.search(rf"^\[{number}\] (.*?)(?=^\[\d+\] |\Z)", sources, re.M | re.S)
    assert match, number
    return match.group(1)


def test_cluster_figures_print_with_their_own_source_and_date(calibaja, owner_partner, owner):
    # NAICS 334 matches audio and video (figures from S11), semiconductors and magnetic
    # media (none on file).
    prospect = factories.ProspectFactory(partner=owner_partner, naics_code="334")
    text = pdf_text(deck_pdf(prospect, owner))
    page = industry_page(text)
    row = re.search(
        r"Audio and Video Equipment Manufacturing \[(\d+)\]\s+31,600\s+more than 28\s+2008\s+"
        r"\[(\d+)\]",
        page,
    )
    assert row, page
    named_by, figures_from = row.groups()
    assert named_by != figures_from
    s2 = Source.objects.get(region=calibaja, key="S2")
    s11 = Source.objects.get(region=calibaja, key="S11")
    assert reference(text, named_by).startswith(s2.title)
    assert s11.url in reference(text, figures_from).replace("\n", "")
    assert "San Diego Union-Tribune" in reference(text, figures_from)
    # The clusters with no figure say so, in the table and on the chart.
    for name in ("Semiconductor and Other Electronic Component", "Magnetic and Optical"):
        assert name in page
    assert page.count("No figure on file") >= 4  # two cells a row, and the chart's labels
    assert "Employment by cluster" in page
    assert re.search(rf"31,600 \[{figures_from}\]", page), page  # the chart's bar label


def test_spanish_deck_writes_the_figures_the_mexican_way(calibaja, owner_partner, owner):
    """As the region's Spanish fact texts do (``NUMBER_FORMAT_LOCALES``): a Spanish deck
    never prints "43.015" in one place and "43,015" in the next."""
    prospect = factories.ProspectFactory(partner=owner_partner, naics_code="3391")
    text = pdf_text(deck_pdf(prospect, owner, language="es"))
    start = text.index("Por qué su industria encaja")
    page = " ".join(text[start : text.index("Talento", start)].split())
    assert re.search(r"material médico \[\d+\] 43,015 .+ 2008 \[\d+\]", page), page
    assert "43.015" not in text and "43 015" not in " ".join(text.split())
    assert "419.88 MXN" in text and "419,88" not in text


def test_the_number_format_of_each_language_is_a_setting(settings):
    from decimal import Decimal

    assert number(Decimal("3298634.25"), "es") == "3,298,634.25"
    assert number(Decimal("3298634.25"), "en") == "3,298,634.25"
    settings.PROMOTION = {"NUMBER_FORMAT_LOCALES": {}}  # Django's "es": the way of Spain
    assert number(Decimal("419.88"), "es") == "419,88"
    assert number(43015, "es", 0).replace("\xa0", " ") in ("43.015", "43 015")


def test_a_cluster_without_figures_says_so_and_draws_no_chart(region, staff_user):
    partner = factories.PartnerFactory(region=region)
    factories.PartnerMembershipFactory(user=staff_user, partner=partner)
    factories.ClusterFactory(region=region, naics_codes="3343", name_en="Audio and video")
    prospect = factories.ProspectFactory(partner=partner, naics_code="3343")
    page = industry_page(pdf_text(deck_pdf(prospect, staff_user)))
    assert "Audio and video" in page
    assert page.count("No figure on file") == 2
    assert "Employment by cluster" not in page


def test_a_matched_cluster_without_figures_is_compared_with_those_that_have_them(
    calibaja, owner_partner, owner
):
    """Ship building (NAICS 3366) has no figure on file: the page says so, then shows
    the region's clusters that have figures, with their sources and the chart, rather
    than a page of blanks. A matched cluster with figures needs no comparison."""
    prospect = factories.ProspectFactory(partner=owner_partner, naics_code="3366")
    page = industry_page(pdf_text(deck_pdf(prospect, owner)))
    comparison = page.index("For comparison: the region's clusters with figures on file")
    assert page.index("No figure on file") < comparison
    compared = page[comparison:]
    assert re.search(r"Audio and Video Equipment Manufacturing \[\d+\] 31,600", compared)
    assert re.search(r"Medical Equipment and Supplies Manufacturing \[\d+\] 43,015", compared)
    assert "Employment by cluster" in compared

    medical = factories.ProspectFactory(partner=owner_partner, naics_code="3391")
    assert "For comparison" not in industry_page(pdf_text(deck_pdf(medical, owner)))


def test_an_employment_fact_keeps_its_qualifier_and_citation(region, staff_user):
    partner = factories.PartnerFactory(region=region)
    factories.PartnerMembershipFactory(user=staff_user, partner=partner)
    cluster = factories.ClusterFactory(region=region, naics_codes="3391")
    fact = factories.FactFactory(
        region=region,
        cluster=cluster,
        text_en="Medical-device employment in the state exceeded 42,000.",
        value="> 42,000",
        value_number=42000,
        unit_en="employees",
        as_of=datetime.date(2012, 1, 1),
    )
    prospect = factories.ProspectFactory(partner=partner, naics_code="3391")
    text = pdf_text(deck_pdf(prospect, staff_user))
    row = re.search(r"> 42,000\s+No figure on file\s+2012\s+\[(\d+)\]", industry_page(text))
    assert row, industry_page(text)
    assert reference(text, row.group(1)).startswith(fact.text_en)


def test_figures_need_their_source_and_date(region):
    cluster = factories.ClusterFactory.build(
        region=region, source=factories.SourceFactory(region=region), employment=1200
    )
    with pytest.raises(ValidationError) as raised:
        cluster.full_clean()
    assert set(raised.value.message_dict) == {"figures_source", "figures_as_of"}
    cluster.figures_source = factories.SourceFactory(
        region=factories.RegionFactory(slug="borderplex")
    )
    cluster.figures_as_of = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError) as raised:
        cluster.full_clean()
    assert set(raised.value.message_dict) == {"figures_source"}  # another region's source
    cluster.figures_source = factories.SourceFactory(region=region)
    cluster.full_clean()
    cluster.location_quotient_more_than = True
    with pytest.raises(ValidationError) as raised:
        cluster.full_clean()
    assert set(raised.value.message_dict) == {"location_quotient"}
