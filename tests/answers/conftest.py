from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from promotion.answering import cache
from promotion.models import FactStatus
from tests import factories

ALIASES = {
    "connectivity": {
        "en": ["internet", "wi-fi", "broadband", "fiber optic", "5G", "data center"],
        "es": ["internet", "conectividad", "fibra óptica", "centro de datos"],
    },
    "talent": {
        "en": ["engineers", "workforce", "hire", "English-speaking", "bilingual"],
        "es": ["ingenieros", "mano de obra", "contratar", "hablan inglés", "bilingüe"],
    },
    "border-crossings": {
        "en": ["border crossing", "port of entry", "trucks cross", "wait times"],
        "es": ["garita", "cruce fronterizo", "tiempo de espera"],
    },
    "airports": {
        "en": ["airport", "flights", "fly in", "Cross Border Xpress"],
        "es": ["aeropuerto", "vuelos", "volar"],
    },
    "demographics": {
        "en": ["population", "inhabitants", "people live"],
        "es": ["población", "habitantes"],
    },
    "costs": {"en": ["cost", "wages", "rent"], "es": ["costo", "salarios", "renta"]},
    # A topic the region has no fact on yet.
    "security": {"en": ["safe", "safety", "crime"], "es": ["seguridad", "seguro"]},
}


@pytest.fixture(autouse=True)
def _fresh_matchers():
    """Start each test with no matcher built in this process."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """A small region: six topics with aliases, two places, facts with sources."""
    region = factories.RegionFactory()
    topics = {}
    for slug, languages in ALIASES.items():
        topic = factories.TopicFactory(slug=slug)
        topics[slug] = topic
        for language, texts in languages.items():
            for text in texts:
                factories.TopicAliasFactory(topic=topic, language=language, text=text)
    tijuana = factories.LocalityFactory(region=region, slug="tijuana", name="Tijuana")
    mexicali = factories.LocalityFactory(region=region, slug="mexicali", name="Mexicali")
    rosarito = factories.LocalityFactory(
        region=region, slug="playas-de-rosarito", name="Playas de Rosarito"
    )

    def fact(topic: str, text_en: str, text_es: str = "", **kwargs):
        return factories.FactFactory(
            region=region, topics=[topics[topic]], text_en=text_en, text_es=text_es, **kwargs
        )

    facts = SimpleNamespace(
        households=fact(
            "connectivity",
            "Baja California households with internet access.",
            "Hogares de Baja California con acceso a internet.",
            as_of=datetime.date(2023, 1, 1),
        ),
        fiber_mexicali=fact(
            "connectivity",
            "Fiber-to-the-home expansion in Mexicali and Tijuana.",
            "Expansión de fibra hasta el hogar en Mexicali y Tijuana.",
            as_of=datetime.date(2022, 1, 1),
        ),
        engineers=fact(
            "talent",
            "Engineers at the Tijuana institute speak English all day.",
            "Los ingenieros del instituto de Tijuana hablan inglés todo el día.",
            locality=tijuana,
        ),
        untranslated=fact(
            "talent", "Specialized engineering positions the industry could not fill."
        ),
        held=fact(
            "talent",
            "An unverified count of bilingual engineers.",
            "Un conteo no verificado de ingenieros bilingües.",
            status=FactStatus.NEEDS_VERIFICATION,
        ),
        otay=fact(
            "border-crossings",
            "Otay Mesa is the busiest commercial crossing for trucks into the US.",
            "Otay Mesa es el cruce comercial con más camiones hacia EE. UU.",
        ),
        calexico=fact(
            "border-crossings",
            "Commercial shipments from Mexicali cross at Calexico East.",
            "Los envíos comerciales de Mexicali cruzan por Calexico East.",
            locality=mexicali,
        ),
        cbx=fact(
            "airports",
            "Cross Border Xpress links Tijuana airport to San Diego by a bridge.",
            "Cross Border Xpress une el aeropuerto de Tijuana con San Diego por un puente.",
        ),
        wages=fact(
            "costs",
            "Minimum wage in the northern border zone.",
            "Salario mínimo en la zona libre de la frontera norte.",
        ),
        population=fact(
            "demographics",
            "Population of Playas de Rosarito.",
            "Población de Playas de Rosarito.",
            locality=rosarito,
        ),
    )
    return SimpleNamespace(
        region=region,
        topics=topics,
        facts=facts,
        tijuana=tijuana,
        mexicali=mexicali,
        rosarito=rosarito,
    )
