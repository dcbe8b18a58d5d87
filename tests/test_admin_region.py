"""The region-data admin, as staff see it: pages render, editors edit, other staff read."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import reverse

from promotion import models
from tests import factories
from tests.admin_forms import form_data

REGION_MODELS = [
    models.Region,
    models.Source,
    models.Topic,
    models.TopicAlias,
    models.Fact,
    models.Locality,
    models.IndustryCluster,
    models.TalentPool,
    models.Institution,
    models.InfrastructureAsset,
    models.Partner,
]


@pytest.fixture
def objects(region: models.Region) -> dict[type, Any]:
    topic = factories.TopicFactory(slug="connectivity")
    locality = factories.LocalityFactory(region=region, name="Tijuana", slug="tijuana")
    cluster = factories.ClusterFactory(region=region, rank=1)
    fact = factories.FactFactory(
        region=region,
        locality=locality,
        topics=[topic],
        text_en="Households with internet access in Baja California.",
    )
    return {
        models.Region: region,
        models.Source: fact.source,
        models.Topic: topic,
        models.TopicAlias: factories.TopicAliasFactory(topic=topic, text="wifi"),
        models.Fact: fact,
        models.Locality: locality,
        models.IndustryCluster: cluster,
        models.TalentPool: factories.TalentPoolFactory(region=region, locality=locality),
        models.Institution: factories.InstitutionFactory(region=region, locality=locality),
        models.InfrastructureAsset: factories.AssetFactory(region=region, locality=locality),
        models.Partner: factories.PartnerFactory(region=region, locality=locality),
    }


def url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:promotion_{model._meta.model_name}_{view}", args=args)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_region_model_is_in_the_admin() -> None:
    for model in REGION_MODELS:
        assert model in admin.site._registry, model


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGION_MODELS, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("who", ["staff_user", "editor"])
def test_changelist_search_and_change_form_render(
    request: pytest.FixtureRequest, objects: dict[type, Any], model: type, who: str
) -> None:
    client = logged_in(request.getfixturevalue(who))
    obj = objects[model]
    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert url(model, "change", obj.pk) in changelist.content.decode()
    first_search_field = admin.site._registry[model].search_fields[0]
    term = getattr(obj, first_search_field.split("__")[0])
    searched = client.get(url(model, "changelist"), {"q": term})
    assert searched.status_code == 200
    assert url(model, "change", obj.pk) in searched.content.decode()
    change = client.get(url(model, "change", obj.pk))
    assert change.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGION_MODELS, ids=lambda m: m._meta.model_name)
def test_a_plain_staff_member_reads_but_cannot_change(
    staff_user: Any, objects: dict[type, Any], model: type
) -> None:
    client = logged_in(staff_user)
    obj = objects[model]
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m for m in REGION_MODELS if m is not models.Region], ids=lambda m: m._meta.model_name
)
def test_a_region_editor_can_add_and_change(
    editor: Any, objects: dict[type, Any], model: type
) -> None:
    client = logged_in(editor)
    assert client.get(url(model, "add")).status_code == 200
    obj = objects[model]
    page = client.get(url(model, "change", obj.pk))
    assert 'name="_save"' in page.content.decode()
    response = client.post(url(model, "change", obj.pk), form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response["Location"] == url(model, "changelist")


@pytest.mark.django_db
def test_an_editor_changes_a_fact_and_the_change_is_saved(editor: Any, objects: dict) -> None:
    fact = objects[models.Fact]
    client = logged_in(editor)
    data = form_data(client.get(url(models.Fact, "change", fact.pk)))
    data["text_en"] = "Share of households online in the state of Baja California."
    assert client.post(url(models.Fact, "change", fact.pk), data).status_code == 302
    fact.refresh_from_db()
    assert fact.text_en == "Share of households online in the state of Baja California."


@pytest.mark.django_db
def test_an_editor_gives_cluster_figures_their_own_source_and_date(
    editor: Any, objects: dict
) -> None:
    cluster = objects[models.IndustryCluster]
    figures_source = factories.SourceFactory(region=cluster.region, key="S11")
    client = logged_in(editor)
    change = url(models.IndustryCluster, "change", cluster.pk)
    data = form_data(client.get(change))
    data.update({"employment": "31600", "location_quotient": "28", "figures_as_of": ""})
    refused = client.post(change, data)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert set(errors) == {"figures_source", "figures_as_of"}
    data.update(
        {
            "location_quotient_more_than": "on",
            "figures_source": str(figures_source.pk),
            "figures_as_of": "2008-01-01",
            "figures_as_of_precision": "year",
        }
    )
    assert client.post(change, data).status_code == 302
    cluster.refresh_from_db()
    assert (cluster.employment, cluster.figures_source, cluster.figures_as_of.year) == (
        31600,
        figures_source,
        2008,
    )
    listing = client.get(url(models.IndustryCluster, "changelist")).content.decode()
    assert "more than 28.00" in listing
    assert ">S11</a>" in listing


@pytest.mark.django_db
def test_an_editor_of_another_region_cannot_change_this_one(objects: dict) -> None:
    other = factories.RegionFactory(slug="borderplex", name="Borderplex")
    user = factories.UserFactory(username="borderplex-editor")
    factories.RegionEditorFactory(region=other, user=user)
    fact = objects[models.Fact]
    client = logged_in(user)
    assert client.post(url(models.Fact, "change", fact.pk), {}).status_code == 403
    data = form_data(client.get(url(models.Fact, "change", fact.pk)))
    data.update(key="NEW-1", region=fact.region.pk)
    refused = client.post(url(models.Fact, "add"), data)
    assert "region" in refused.context["adminform"].form.errors
    assert not models.Fact.objects.filter(key="NEW-1").exists()


@pytest.mark.django_db
def test_a_non_staff_user_is_sent_to_the_login_page(objects: dict) -> None:
    client = logged_in(factories.UserFactory(username="visitor", is_staff=False))
    response = client.get(url(models.Fact, "changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_facts_show_their_age_source_link_and_a_review_flag(
    staff_user: Any, region: models.Region
) -> None:
    old = factories.FactFactory(region=region, as_of=datetime.date(2011, 1, 1), key="OLD-1")
    factories.FactFactory(region=region, as_of=datetime.date.today(), key="NEW-1")
    client = logged_in(staff_user)
    page = client.get(url(models.Fact, "changelist")).content.decode()
    assert url(models.Source, "change", old.source.pk) in page
    assert page.count('class="promotion-stale"') == 1

    due = client.get(url(models.Fact, "changelist"), {"staleness": "due"}).content.decode()
    assert "OLD-1" in due and "NEW-1" not in due
    with override_settings(PROMOTION={"FACT_REVIEW_AFTER_YEARS": 30}):
        due = client.get(url(models.Fact, "changelist"), {"staleness": "due"}).content.decode()
        assert "OLD-1" not in due
    current = client.get(url(models.Fact, "changelist"), {"staleness": "current"})
    assert "NEW-1" in current.content.decode()


@pytest.mark.django_db
def test_facts_filter_by_topic_source_and_locality(staff_user: Any, objects: dict) -> None:
    fact = objects[models.Fact]
    other = factories.FactFactory(region=fact.region, key="OTHER-1")
    client = logged_in(staff_user)
    for params in (
        {"topics__id__exact": objects[models.Topic].pk},
        {"source__id__exact": fact.source.pk},
        {"locality__id__exact": objects[models.Locality].pk},
    ):
        page = client.get(url(models.Fact, "changelist"), params).content.decode()
        assert fact.key in page and other.key not in page, params


@pytest.mark.django_db
def test_facts_are_shown_inline_on_what_they_are_about(staff_user: Any, objects: dict) -> None:
    fact = objects[models.Fact]
    client = logged_in(staff_user)
    for model in (models.Locality, models.Source):
        page = client.get(url(model, "change", objects[model].pk)).content.decode()
        assert fact.text_en in page, model


@pytest.mark.django_db
def test_an_editor_adds_a_fact_inline_and_it_takes_the_region(editor: Any, objects: dict) -> None:
    locality = objects[models.Locality]
    client = logged_in(editor)
    page = client.get(url(models.Locality, "change", locality.pk))
    data = form_data(page)
    prefix = "facts"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 2,
            f"{prefix}-1-key": "TIJ-NEW",
            f"{prefix}-1-text_en": "A new statement about Tijuana.",
            f"{prefix}-1-as_of": "2024-01-01",
            f"{prefix}-1-source": objects[models.Source].pk,
            f"{prefix}-1-status": "published",
        }
    )
    response = client.post(url(models.Locality, "change", locality.pk), data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
    ]
    created = models.Fact.objects.get(key="TIJ-NEW")
    assert created.region == locality.region and created.locality == locality


@pytest.mark.django_db
def test_foreign_keys_use_autocomplete(editor: Any, objects: dict) -> None:
    page = logged_in(editor).get(url(models.Fact, "change", objects[models.Fact].pk))
    html = page.content.decode()
    for name in ("source", "topics", "locality", "cluster", "asset", "partner"):
        assert f'name="{name}"' in html
        assert "data-autocomplete-light-url" in html or "admin-autocomplete" in html


@pytest.mark.django_db
def test_a_facts_change_history_says_who_changed_what(
    editor: Any, staff_user: Any, objects: dict
) -> None:
    fact = objects[models.Fact]
    client = logged_in(editor)
    data = form_data(client.get(url(models.Fact, "change", fact.pk)))
    data["value"] = "90.9"
    assert client.post(url(models.Fact, "change", fact.pk), data).status_code == 302
    history = logged_in(staff_user).get(url(models.Fact, "history", fact.pk))
    assert history.status_code == 200
    page = history.content.decode()
    assert "editor" in page and "Value" in page and "90.9" in page


@pytest.mark.django_db
def test_the_admin_index_asks_for_editor_rights_once(
    editor: Any, objects: dict, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(editor)
    client.get(reverse("admin:index"))  # warm the session and content types
    with django_assert_max_num_queries(8):
        assert client.get(reverse("admin:index")).status_code == 200
