"""Every API path and method, for every role, against the other partners' objects.

Paths come from the OpenAPI schema when ``promotion_api:schema`` exists, and from the URL
resolver otherwise (plus anything the schema leaves out). For each role of partner A,
staff of no partner and an anonymous visitor:

- every response (lists, details, sub-resources, the PDF) holds no canary the role may
  not see (``assert_no_leak``);
- for every method on every path with an object id, another partner's object answers
  exactly like a missing id: same status, same body but for the id, same headers but
  ``Date``;
- a POST naming another partner's partner, user or prospect is refused exactly like one
  naming a missing id;
- the other partners' rows are unchanged afterwards, and logs and e-mails hold nothing
  the role may not see.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from promotion.models import Partner, Prospect, Region
from tests.leak.conftest import viewer_of, viewers
from tests.leak.endpoints import (
    METHODS,
    api_endpoints,
    missing_like,
    objects_of,
    resolver_endpoints,
)
from tests.leak.matrix import Run, sees_row, snapshot
from tests.leak.oracle import NONE, expected_access

PAYLOAD = {
    "text": "Do you have wi-fi?",
    "language": "en",
    "industry": "probe",
    "company_name": "Probe Company",
    "country": "MX",
    "naics_code": "336390",
}
SAFE = ("GET", "HEAD", "OPTIONS")
# The browsable API renders forms with the choices of related fields (DRF#1906): GET
# also as a browser asks.
BROWSER = "HTML"


def client_of(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def send(client: APIClient, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    if method == BROWSER:
        return client.get(path, HTTP_ACCEPT="text/html")
    if method in SAFE:
        return client.generic(method, path)
    # A new company each time: a second create must not fail as a duplicate of the first.
    body = {**PAYLOAD, "company_name": f"Probe {uuid.uuid4().hex[:8]}", **(payload or {})}
    body["company_name"] = f"Probe {uuid.uuid4().hex[:8]}"
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def fills_for(endpoint: Any, world: Any, prospect: Any) -> list[dict[str, Any]]:
    """Values for the parameters of ``endpoint``, one set for each of ``prospect``'s
    objects of the last parameter's model (e.g. each of its decks)."""
    first = fill_for(endpoint, world, prospect)
    params = crm_params(endpoint)
    if first is None or not params:
        return [first] if first is not None else []
    model = endpoint.models_of_params()[params[-1]]
    return [{**first, params[-1]: obj.pk} for obj in objects_of(model, prospect)]


def fill_for(endpoint: Any, world: Any, prospect: Any) -> dict[str, Any] | None:
    """Values for every parameter of ``endpoint`` taken from ``prospect``'s objects, or
    None when the prospect has no object of a parameter's model."""
    values: dict[str, Any] = {}
    for name, model in endpoint.models_of_params().items():
        if model is Region or name == "slug":
            values[name] = world.region.slug
            continue
        if model is Partner:
            values[name] = prospect.partner_id
            continue
        if model is None:
            return None
        objects = objects_of(model, prospect)
        if not objects:
            return None
        values[name] = objects[0].pk
    return values


def crm_params(endpoint: Any) -> list[str]:
    return [
        name
        for name, model in endpoint.models_of_params().items()
        if model is not None and model not in (Region, Partner) and name != "slug"
    ]


@pytest.mark.parametrize("viewer_name", viewers("outsider", "anonymous"))
def test_api_matrix(leak_world, viewer_name, caplog):
    world = leak_world
    viewer = viewer_of(world, viewer_name)
    run = Run(world, viewer)
    client = client_of(viewer)
    # The API, and the app's own pages (deck downloads, share links...).
    endpoints = api_endpoints(client_of(world.users["root"])) + resolver_endpoints("promotion")
    assert endpoints, "no API endpoint found"
    before = snapshot(world, viewer)

    for endpoint in endpoints:
        params = crm_params(endpoint)
        if not endpoint.params or not params:
            values = fill_for(endpoint, world, world.prospects["A"]) or {}
            path = endpoint.fill(values)
            for method in (*SAFE, BROWSER):
                run.requests += 1
                run.scan(send(client, method, path), f"{method} {path}")
            # A new object naming another partner's objects: refused like a missing id.
            for name, other_id, missing_id in _foreign_references(world, viewer):
                payload = {**PAYLOAD, name: other_id}
                other = send(client, "POST", path, payload)
                missing = send(client, "POST", path, {**PAYLOAD, name: missing_id})
                run.requests += 2
                run.scan(other, f"POST {path} {name}={other_id}")
                if other.status_code < 300 and missing.status_code == other.status_code:
                    continue  # the field is ignored either way (a new object each time)
                run.like_missing(f"POST {path} {name}", other, other_id, missing, missing_id)
            continue
        for key, prospect in world.prospects.items():
            values = fill_for(endpoint, world, prospect)
            if values is None:
                continue
            path = endpoint.fill(values)
            target = params[-1]
            model = endpoint.models_of_params()[target]
            if sees_row(viewer, model, prospect):
                for each in fills_for(endpoint, world, prospect):
                    for method in (*SAFE, BROWSER):  # what the role may see: scanned
                        run.requests += 1
                        seen = endpoint.fill(each)
                        run.scan(send(client, method, seen), f"{method} {seen} ({key})")
                continue
            missing_id = missing_like(model, values[target])
            missing_path = endpoint.fill({**values, target: missing_id})
            for method in (*METHODS, BROWSER):
                other = send(client, method, path)
                missing = send(client, method, missing_path)
                run.requests += 2
                where = f"{method} {endpoint.template} ({key}'s {model.__name__})"
                run.scan(other, where)
                run.like_missing(where, other, values[target], missing, missing_id)

    assert snapshot(world, viewer) == before, "another partner's data changed"
    run.scan(caplog.text, "log output")
    for message in mail.outbox:
        run.scan(message.message().as_bytes(), "e-mail")
    print(
        f"\n{viewer_name}: {len(endpoints)} paths, {run.requests} requests, {run.compared} compared"
    )
    run.check()


def _foreign_references(world: Any, viewer: Any) -> list[tuple[str, Any, Any]]:
    """(field, another partner's id, a missing id of the same length) for the foreign
    keys a new object may name."""
    users = get_user_model()._default_manager
    refs = []
    hidden = [p for p in world.prospects.values() if expected_access(viewer, p) is NONE]
    if hidden:
        prospect = hidden[0]
        refs.append(("prospect", prospect.pk, missing_like(Prospect, prospect.pk)))
        refs.append(("partner", prospect.partner_id, missing_like(Partner, prospect.partner_id)))
        staff = world.users[
            f"{next(k for k, p in world.partners.items() if p.pk == prospect.partner_id)}_editor"
        ]
        refs.append(("assigned_to", staff.pk, missing_like(users.model, staff.pk)))
    return refs
