"""The talent page: each pool of workers with its newest fact (how many, with its source),
the labour costs under their own heading, and the universities."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.decks.conftest import pdf_text
from tests.decks.test_cluster_figures import deck_pdf

pytestmark = pytest.mark.django_db


def talent_page(text: str, start: str = "Talent", end: str = "Getting goods") -> str:
    begin = text.index(f"\n{start}\n")
    return " ".join(text[begin : text.index(end, begin)].split())


def test_each_pool_prints_its_newest_figure_and_wages_are_labour_costs(
    calibaja, owner_partner, owner
):
    prospect = factories.ProspectFactory(partner=owner_partner, naics_code="3391")
    page = talent_page(pdf_text(deck_pdf(prospect, owner)))
    workforce, rest = page.split("Labour costs", 1)
    costs, universities = rest.split("Universities and research institutes", 1)
    # The pool, then its newest published fact with its figure and citation.
    assert re.search(
        r"Baja California export-manufacturing \(IMMEX / maquiladora\) workforce — In October "
        r"2025 IMMEX establishments .+? employed 349,314 workers, .+? \(as of October 2025\) "
        r"\[\d+\]",
        workforce,
    ), workforce
    assert "English-speaking engineers —" in workforce
    assert "minimum wage" not in workforce
    assert re.search(r"440.87 MXN / day \(as of 2026\) \[\d+\]", costs), costs
    assert "UABC" in universities


def test_the_spanish_talent_page(calibaja, owner_partner, owner):
    prospect = factories.ProspectFactory(partner=owner_partner, naics_code="3391")
    text = pdf_text(deck_pdf(prospect, owner, language="es"))
    page = talent_page(text, "Talento", "Cómo cruzan")
    assert "Fuerza laboral" in page and "Costos laborales" in page
    assert "349,314 trabajadores" in page
