"""Every admin page of every admin site the host includes, for every role.

Enumerated from each site's registry and each ModelAdmin's own URLs (so a model, an
admin or an extra admin view added later is covered without an edit):

- the index, every changelist (with its list filters, searched for other partners'
  codenames and companies, and as a popup), every add/import/export/extra page;
- every per-object URL (change, delete, history, a past version, extra views taking an
  id) with the objects the role may not see, which must answer exactly like a missing
  id, by GET and by POST; the objects the role may see are scanned;
- the autocomplete of every relation of every registered model, empty and searched;
- every action offered to the role, posted with other partners' ids in
  ``_selected_action``, first without and then with the confirmation.

Afterwards the other partners' rows are unchanged, and the logs and e-mails hold nothing
the role may not see.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from promotion.models import Prospect
from tests.leak.conftest import viewer_of, viewers
from tests.leak.endpoints import (
    admin_object_urls,
    admin_plain_urls,
    admin_sites,
    missing_like,
    model_for_param,
    objects_of,
    prospect_path,
)
from tests.leak.matrix import Run, sees_row, snapshot


def _client(viewer: Any) -> Client:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    return client


def _param_value(name: str, obj: Any, prospect: Prospect, model: type[models.Model]) -> Any:
    if name == "object_id":
        return obj.pk
    if name == "version_id":
        history = getattr(model, "history", None)
        if history is not None:
            row = history.filter(id=obj.pk).order_by("-history_id").first()
            if row is not None:
                return row.history_id
        return 1
    target = model_for_param("", name)
    if target is Prospect:
        return prospect.pk
    return obj.pk


def _search_terms(world: Any, run: Run) -> list[str]:
    """Searches for other partners' codenames, companies and contacts: each canary less
    its first word, so the page echoing the search box is not itself a hit, and only a
    row that matched shows the whole canary."""
    terms = []
    for canary in run.forbidden or world.forbidden(run.viewer):
        if canary.field in ("codename", "company_name", "name") and not canary.number:
            terms.append(canary.text.split("-", 1)[1])
    return terms[:4]


@pytest.mark.parametrize("viewer_name", viewers("A_editor", "outsider", "anonymous"))
def test_admin_matrix(leak_world, viewer_name, caplog):
    world = leak_world
    viewer = viewer_of(world, viewer_name)
    run = Run(world, viewer)
    run.forbidden = world.forbidden(viewer)
    client = _client(viewer)
    before = snapshot(world, viewer)
    sites = admin_sites()
    assert sites, "no admin site in the URLconf"
    pages = 0

    def get(url: str, data: Any = None, **extra: Any) -> Any:
        nonlocal pages
        pages += 1
        run.requests += 1
        response = client.get(url, data or {}, **extra)
        run.scan(response, f"GET {url} {data or ''}")
        return response

    for site in sites:
        get(reverse(f"{site.name}:index"))
        for model, model_admin in site._registry.items():
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            for url in admin_plain_urls(site, model_admin):
                get(url)
            changelist = reverse(
                f"{site.name}:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )
            get(changelist, {"_popup": "1", "_to_field": "id"})
            _autocomplete(site, model, get)
            if prospect_path(model) is None:
                continue  # region data: public, and holds no canary
            for term in _search_terms(world, run):
                get(changelist, {"q": term})
            _objects(world, run, client, site, model, model_admin, viewer, get)
            if viewer is not None:
                _actions(world, run, client, model, model_admin, viewer, changelist, label)

    assert snapshot(world, viewer) == before, "another partner's data changed"
    run.scan(caplog.text, "log output")
    for message in mail.outbox:
        run.scan(message.message().as_bytes(), "e-mail")
    print(f"\n{viewer_name}: {pages} admin pages, {run.compared} compared with a missing id")
    run.check()


def _autocomplete(site: Any, model: type[models.Model], get: Any) -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    url = reverse(f"{site.name}:autocomplete")
    for db_field in model._meta.get_fields():
        if not (db_field.is_relation and db_field.concrete and not db_field.auto_created):
            continue
        if db_field.related_model not in site._registry:
            continue
        if (
            db_field.related_model is not user_model
            and prospect_path(db_field.related_model) is None
        ):
            continue  # region data: public
        for term in ("", "canary"):
            get(
                url,
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": db_field.name,
                    "term": term,
                },
            )


def _objects(world, run, client, site, model, model_admin, viewer, get) -> None:
    for key, prospect in world.prospects.items():
        for obj in objects_of(model, prospect):
            for url_name, params in admin_object_urls(site, model_admin):
                values = {name: _param_value(name, obj, prospect, model) for name in params}
                url = reverse(url_name, kwargs=values)
                if sees_row(viewer, model, prospect):
                    get(url)
                    continue
                target = "object_id" if "object_id" in params else params[0]
                target_model = (
                    model
                    if target in ("object_id", "version_id")
                    else model_for_param("", target) or model
                )
                missing_id = missing_like(target_model, values[target])
                missing_url = reverse(url_name, kwargs={**values, target: missing_id})
                for method in ("GET", "POST"):
                    send = client.get if method == "GET" else client.post
                    data = {} if method == "GET" else {"post": "yes", "confirm": "yes"}
                    other, missing = send(url, data), send(missing_url, data)
                    run.requests += 2
                    where = f"{method} {url_name} ({key}'s {model.__name__})"
                    run.scan(other, where)
                    run.like_missing(where, other, values[target], missing, missing_id)


def _actions(world, run, client, model, model_admin, viewer, changelist, label) -> None:
    request = RequestFactory().get(changelist)
    request.user = viewer
    try:
        actions = model_admin.get_actions(request)
    except Exception:
        actions = {}
    hidden = [
        obj.pk
        for prospect in world.prospects.values()
        if not sees_row(viewer, model, prospect)
        for obj in objects_of(model, prospect)
    ]
    if not hidden:
        return
    for name in actions:
        for confirm in ({}, {"post": "yes", "confirm": "yes"}):
            data = {"action": name, ACTION_CHECKBOX_NAME: hidden, "index": 0, **confirm}
            response = client.post(changelist, data)
            run.requests += 1
            run.scan(response, f"action {label}.{name} {confirm}")
            if response.status_code == 302:
                run.scan(client.get(response["Location"]), f"after action {label}.{name}")
