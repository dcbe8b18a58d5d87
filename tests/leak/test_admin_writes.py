"""Admin writes through a share: a partner holding an edit share of a prospect by its
codename only may change what the share allows, but not the owner-only fields, whose
refusal ("this partner already has this codename") would tell it what the owner holds."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from promotion.models import Prospect
from tests.admin_forms import form_data
from tests.leak.oracle import assert_no_leak


def test_a_codename_share_cannot_probe_the_owners_codenames(leak_world):
    world = leak_world
    user = world.users["A_editor"]
    client = Client()
    client.force_login(user)
    shared = world.prospects["CC"]
    url = reverse("admin:promotion_prospect_change", args=[shared.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert_no_leak(page, user, world=world, where="change page of a codename share")
    data = form_data(page)
    taken = world.prospects["C"].codename  # C's other prospect (in practice: guessed)
    answers = {}
    for codename in (taken, "Project Nobody Has This"):
        response = client.post(url, {**data, "codename": codename, "industry": "Probe"})
        answers[codename] = response.status_code
        assert_no_leak(response, user, world=world, where="change of a codename share")
    assert answers[taken] == answers["Project Nobody Has This"], answers
    stored = Prospect.objects.get(pk=shared.pk)
    assert stored.codename == shared.codename  # the owner's to change, not the share's
    assert stored.industry == "Probe"  # what the edit share allows


def test_raw_id_boxes_naming_another_partners_rows_read_like_missing_ids(leak_world):
    """Every raw-id field of every admin (from the registry): an add form posted with
    another partner's id re-renders exactly as with a missing id, and without the
    object's label beside the box."""
    from django.contrib.admin.sites import site

    from tests.leak.endpoints import missing_like
    from tests.leak.matrix import difference

    world = leak_world
    user = world.users["A_editor"]
    client = Client()
    client.force_login(user)
    checked = 0
    for model, model_admin in site._registry.items():
        for name in model_admin.raw_id_fields:
            related = model._meta.get_field(name).related_model
            others = [
                obj
                for key in ("B", "C")
                for obj in related._default_manager.filter(pk__in=_ids_of(world, key, related))
            ]
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
            for obj in others:
                missing = missing_like(related, obj.pk)
                other = client.post(url, {name: obj.pk})
                absent = client.post(url, {name: missing})
                assert_no_leak(other, user, world=world, where=f"{model.__name__}.{name} add form")
                assert difference(other, obj.pk, absent, missing) is None, (model, name)
                checked += 1
    assert checked, "no raw-id field found"


def _ids_of(world, key, model):
    from tests.leak.endpoints import objects_of

    return [obj.pk for obj in objects_of(model, world.prospects[key])]
