from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from promotion.decks.sections import border_line
from tests import factories
from tests.decks.conftest import pdf_text
from tests.decks.test_cluster_figures import deck_pdf


def pairs(flat: list[float]) -> list[tuple[float, float]]:
    return list(zip(flat[::2], flat[1::2], strict=True))


def test_the_border_runs_through_the_crossings_from_edge_to_edge():
    crossings = [(300.0, 120.0), (100.0, 100.0), (200.0, 110.0)]
    line = pairs(border_line(crossings, width=400, height=330))
    assert line[1:-1] == sorted(crossings)  # west to east
    assert line[0] == (0.0, pytest.approx(90.0))  # carried on along the end segments
    assert line[-1] == (400.0, pytest.approx(130.0))


def test_one_crossing_draws_a_level_line_and_the_line_stays_on_the_map():
    assert pairs(border_line([(50.0, 80.0)], width=400, height=330)) == [
        (0.0, 80.0),
        (50.0, 80.0),
        (400.0, 80.0),
    ]
    steep = pairs(border_line([(10.0, 10.0), (20.0, 300.0)], width=400, height=330))
    assert all(0 <= y <= 330 for _x, y in steep)
    same_longitude = pairs(border_line([(10.0, 10.0), (10.0, 40.0)], width=400, height=330))
    assert same_longitude[0] == (0.0, 10.0)


def test_labels_cover_no_mark_no_other_label_and_stay_in_their_panel():
    from promotion.decks.sections import MapPanel

    panel = MapPanel((0.0, 0.0, 200.0, 100.0), (32.4, 32.8, -117.3, -116.5), 0.84)
    crowd = [(32.54 + 0.004 * n, -116.97 + 0.006 * n) for n in range(8)]
    for n, (lat, lon) in enumerate(crowd):
        panel.mark("border_crossing", lat, lon, None, f"Port of Entry {n}", None, n)
    panel.mark("city", 32.9, -117.0, None, "Outside the panel", None, 0)
    panel.place_labels()
    marks = [(x - 4.5, y - 4.5, x + 4.5, y + 4.5) for _k, x, y, _f in panel.marks]
    labels = [
        (x, y, x + stringWidth(text, font, 6.5), y + 7) for x, y, text, font, _c in panel.labels
    ]
    assert len(panel.marks) == 8  # the mark outside the panel is left out
    assert 0 < len(labels) < 8  # some fit, the rest are left to the table

    def overlap(a, b):
        return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])

    for i, box in enumerate(labels):
        assert 0 <= box[0] and box[2] <= 200 and 0 <= box[1] and box[3] <= 100
        assert not any(overlap(box, mark) for mark in marks)
        assert not any(overlap(box, other) for other in labels[i + 1 :])
    # The lowest priority first: the first mark's label is placed.
    assert panel.labels[0][2] == "Port of Entry 0"


@pytest.mark.django_db
def test_the_table_lists_the_assets_nearest_the_prospects_places_with_a_closer_map(
    calibaja, owner_partner
):
    """A Tijuana partner's deck lists the main crossings and airports of Tijuana and San
    Diego, not the alphabet's first; a prospect that would settle in Mexicali gets
    Mexicali's. The map adds a closer view of that area."""
    from promotion.models import Locality, Partner

    tijuana = Partner.objects.get(region=calibaja, slug="tijuana-edc")
    user = factories.UserFactory(username="tj")
    factories.PartnerMembershipFactory(user=user, partner=tijuana)
    prospect = factories.ProspectFactory(partner=tijuana, company_name="Nearby Co")
    page = crossings_page(pdf_text(deck_pdf(prospect, user)))
    for name in ("Otay Mesa Port of Entry", "San Ysidro Port of Entry", "Tijuana International"):
        assert name in page, name
    assert "Andrade Port of Entry Border crossing" not in page
    assert "Around Tijuana" in page

    prospect.site_localities.set([Locality.objects.get(region=calibaja, slug="mexicali")])
    page = crossings_page(pdf_text(deck_pdf(prospect, user, language="es")))
    for name in ("Calexico East Port of Entry", "Mexicali International Airport"):
        assert name in page, name
    assert "Alrededor de Mexicali" in page, page[:1500]


def crossings_page(text: str) -> str:
    for start in ("Getting goods and people across", "Cómo cruzan personas y mercancías"):
        if start in text:
            break
    begin = text.index(start)
    return " ".join(text[begin : begin + 4000].split())
