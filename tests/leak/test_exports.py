"""Exports of every admin that has them (found in the registry), in every format, for
every role of A: the file holds nothing the role may not see, also when the selection
posted names other partners' rows."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin

from tests.leak.endpoints import objects_of
from tests.leak.oracle import assert_no_leak


def _exporting_admins():
    return [
        (model, model_admin)
        for model, model_admin in site._registry.items()
        if isinstance(model_admin, ExportMixin)
    ]


@pytest.mark.parametrize("role", ["A_viewer", "A_editor", "A_manager", "outsider"])
def test_every_export_holds_only_what_the_role_may_see(leak_world, role):
    world = leak_world
    user = world.users[role]
    client = Client()
    client.force_login(user)
    admins = _exporting_admins()
    assert admins, "no admin exports anything"
    files = 0
    for model, model_admin in admins:
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        except NoReverseMatch:
            continue
        page = client.get(url)
        assert_no_leak(page, user, world=world, where=f"export page of {model.__name__}")
        if page.status_code != 200:
            continue
        form = page.context["form"]
        others = [
            obj.pk for prospect in world.prospects.values() for obj in objects_of(model, prospect)
        ]
        for index, _format in enumerate(model_admin.get_export_formats()):
            data = {"format": str(index), "resource": "0"}
            for name, field in form.fields.items():
                if name not in data and field.initial is not None and name != "export_items":
                    data[name] = "on" if field.initial is True else field.initial
            for selection in ({}, {"export_items": [str(pk) for pk in others]}):
                response = client.post(url, {**data, **selection})
                files += 1
                assert_no_leak(
                    response,
                    user,
                    world=world,
                    where=f"{model.__name__} export {index} {selection}",
                )
    assert files or role in ("outsider", "A_viewer")  # export needs an editor's place
