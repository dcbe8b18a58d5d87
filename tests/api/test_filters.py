"""Filters and pagination of the API's lists, within what the user may see."""

from __future__ import annotations

import datetime

from django.urls import reverse

from promotion.models import PitchDeck
from tests import factories

LIST = "promotion_api:prospect-list"


def codenames(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["codename"] for row in response.json()["results"]}


def test_prospects_filter_by_stage_country_and_language(world, client_for):
    client = client_for(world.a_viewer)
    world.b_shared.stage = "qualified"
    world.b_shared.save()
    assert codenames(client.get(reverse(LIST), {"stage": "qualified"})) == {"Project Tern"}
    # B's own qualified prospect (Falcon) stays invisible through any filter.
    assert codenames(client.get(reverse(LIST), {"stage": ["qualified", "lead"]})) >= {
        "Project Tern"
    }
    assert "Project Falcon" not in codenames(client.get(reverse(LIST), {"stage": "qualified"}))
    assert codenames(client.get(reverse(LIST), {"country": "kr"})) == {"Project Wren"}
    assert codenames(client.get(reverse(LIST), {"country": "DE"})) == set()
    assert client.get(reverse(LIST), {"stage": "nonsense"}).status_code == 400


def test_the_owner_partner_filter_offers_only_the_users_partners(world, client_for):
    client = client_for(world.a_viewer)
    assert codenames(client.get(reverse(LIST), {"partner": world.a.pk})) == {"Project Osprey"}
    # Another partner's id is refused exactly like one that does not exist.
    other = client.get(reverse(LIST), {"partner": world.b.pk})
    missing = client.get(reverse(LIST), {"partner": 999999})
    assert other.status_code == missing.status_code == 400
    assert set(other.json()) == set(missing.json()) == {"partner"}
    assert "Secret" not in other.content.decode()
    html = client.get(reverse(LIST), HTTP_ACCEPT="text/html").content.decode()
    assert "Tijuana EDC" in html and "Secret Diego EDC" not in html


def test_search_never_matches_a_company_the_user_may_not_see(world, client_for):
    client = client_for(world.a_viewer)
    assert codenames(client.get(reverse(LIST), {"search": "cables"})) == {"Project Tern"}
    assert codenames(client.get(reverse(LIST), {"search": "wren"})) == {"Project Wren"}
    # Wren's company is shared by codename only: its name finds nothing.
    assert codenames(client.get(reverse(LIST), {"search": "Discreet"})) == set()
    assert codenames(client.get(reverse(LIST), {"search": "Falconworks"})) == set()


def test_prospects_filter_by_naics_industry_and_dates(world, client_for):
    client = client_for(world.a_manager)
    world.a_prospect.naics_code = "336390"
    world.a_prospect.industry = "Auto parts"
    world.a_prospect.save()
    assert codenames(client.get(reverse(LIST), {"naics": "3363"})) == {"Project Osprey"}
    assert codenames(client.get(reverse(LIST), {"industry": "auto"})) == {"Project Osprey"}
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert codenames(client.get(reverse(LIST), {"created_after": tomorrow})) == set()
    assert "Project Osprey" in codenames(
        client.get(reverse(LIST), {"updated_before": tomorrow + "T00:00:00Z"})
    )


def test_every_list_is_paginated(world, client_for):
    client = client_for(world.a_viewer)
    page = client.get(reverse(LIST), {"page_size": 1})
    body = page.json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]
    assert client.get(reverse(LIST), {"page": 99}).status_code == 404
    for name, args in [
        ("region-list", []),
        ("prospect-questions", [world.a_prospect.pk]),
        ("prospect-decks", [world.a_prospect.pk]),
    ]:
        body = client.get(reverse(f"promotion_api:{name}", args=args)).json()
        assert {"count", "next", "previous", "results"} <= set(body), name


def test_questions_filter_by_topic_and_follow_up(world, client_for):
    topic = factories.TopicFactory(slug="connectivity")
    factories.QuestionFactory(prospect=world.a_prospect, text="Wi-fi?", topic=topic)
    factories.QuestionFactory(prospect=world.a_prospect, text="Rent?", needs_follow_up=True)
    client = client_for(world.a_viewer)
    url = reverse("promotion_api:prospect-questions", args=[world.a_prospect.pk])

    def texts(params):
        return {q["text"] for q in client.get(url, params).json()["results"]}

    assert texts({"topic": "connectivity"}) == {"Wi-fi?"}
    assert texts({"needs_follow_up": "true"}) == {"Rent?"}
    assert texts({}) == {"Wi-fi?", "Rent?"}


def test_decks_filter_by_status_and_language(world, client_for):
    PitchDeck.objects.create(prospect=world.a_prospect, language="es", status="failed")
    PitchDeck.objects.create(prospect=world.a_prospect, language="en", status="queued")
    client = client_for(world.a_viewer)
    url = reverse("promotion_api:prospect-decks", args=[world.a_prospect.pk])

    def langs(params):
        return [d["language"] for d in client.get(url, params).json()["results"]]

    assert langs({"status": "failed"}) == ["es"]
    assert langs({"language": "en"}) == ["en"]
    assert langs({"stale": "true"}) == []
    assert sorted(langs({"stale": "false"})) == ["en", "es"]


def test_date_time_filters_take_any_iso_offset_and_refuse_what_utc_cannot_hold(world, client_for):
    client = client_for(world.a_viewer)
    # Found by schemathesis: PostgreSQL refuses an offset of -23:47 as it is.
    far = client.get(reverse(LIST), {"created_before": "2978-03-30T05:18:29.97-23:47"})
    assert codenames(far) == {"Project Osprey", "Project Tern", "Project Wren"}
    past = client.get(reverse(LIST), {"created_after": "2978-03-30T05:18:29-23:47"})
    assert codenames(past) == set()
    overflow = client.get(reverse(LIST), {"created_after": "0001-01-01T00:00:00+23:00"})
    assert overflow.status_code == 400
    assert "created" in str(overflow.json())
