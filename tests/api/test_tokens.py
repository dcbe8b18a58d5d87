"""API tokens: made by the command or the admin, shown once, kept as a hash, and giving
exactly their user's visibility."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from promotion.models import APIToken
from promotion.services.tokens import token_create
from tests import factories

LIST = "promotion_api:prospect-list"


def login_of(user) -> str:
    return getattr(user, get_user_model().USERNAME_FIELD)


def create(user, *args: str) -> str:
    out = StringIO()
    call_command("promotion_token", "create", login_of(user), *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def companies(response) -> set[str]:
    return {row["codename"] for row in response.json()["results"]}


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_gives_exactly_its_users_visibility(world, keyword):
    key = create(world.a_viewer)
    response = bearer(key, keyword).get(reverse(LIST))
    assert response.status_code == 200
    assert companies(response) == {"Project Osprey", "Project Tern", "Project Wren"}
    assert "Falcon" not in response.content.decode()
    # And another partner's prospect is a 404 with it, like a missing one.
    detail = reverse("promotion_api:prospect-detail", args=[world.b_secret.pk])
    assert bearer(key).get(detail).status_code == 404


def test_only_the_hash_of_the_key_is_kept(world):
    key = create(world.a_viewer, "--name", "portal sync")
    token = APIToken.objects.get()
    assert key.startswith(f"prm_{token.prefix}_")
    assert token.name == "portal sync"
    secret = key.split("_", 2)[2]
    stored = [str(getattr(token, f.attname)) for f in APIToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    assert len(token.key_hash) == 64


@pytest.mark.parametrize(
    "header",
    ["Bearer prm_nope_nope", "Bearer not-even-a-key", "Bearer", "Bearer a b", "Token prm__x"],
)
def test_a_bad_key_is_a_401_that_says_how_to_authenticate(world, header):
    create(world.a_viewer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse(LIST))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_of_another_scheme_is_left_to_the_hosts_authentication(world, settings):
    settings.PROMOTION = {
        **settings.PROMOTION,
        "API_AUTHENTICATION_CLASSES": [
            "promotion.api.authentication.TokenAuthentication",
            "tests.api.test_tokens.HostTokens",
        ],
    }
    HostTokens.users["host-key-123"] = world.a_viewer
    assert bearer("host-key-123", "Token").get(reverse(LIST)).status_code == 200
    # And a key of ours that is wrong never falls through to the host's.
    assert bearer("prm_nope_host-key-123", "Token").get(reverse(LIST)).status_code == 401


class HostTokens:
    """A host's own token scheme, standing in for DRF's authtoken."""

    users: dict = {}

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(header) == 2 and header[1] in self.users:
            return self.users[header[1]], None
        return None

    def authenticate_header(self, request):
        return "Token"


def test_a_forged_secret_with_a_real_prefix_is_refused(world):
    key = create(world.a_viewer)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert bearer(forged).get(reverse(LIST)).status_code == 401


def test_revoked_and_expired_tokens_are_refused(world):
    key = create(world.a_viewer)
    prefix = APIToken.objects.get().prefix
    assert bearer(key).get(reverse(LIST)).status_code == 200
    out = StringIO()
    call_command("promotion_token", "revoke", prefix, stdout=out)
    assert "revoked" in out.getvalue()
    assert bearer(key).get(reverse(LIST)).status_code == 401

    token, expiring = token_create(user=world.a_viewer, days=1)
    assert bearer(expiring).get(reverse(LIST)).status_code == 200
    APIToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert bearer(expiring).get(reverse(LIST)).status_code == 401


def test_an_inactive_users_token_is_refused(world):
    key = create(world.a_viewer)
    get_user_model().objects.filter(pk=world.a_viewer.pk).update(is_active=False)
    assert bearer(key).get(reverse(LIST)).status_code == 401


def test_the_command_sets_the_expiry_and_notes_the_last_use(world):
    key = create(world.a_viewer, "--days", "30")
    token = APIToken.objects.get()
    assert token.expires_at is not None
    assert (token.expires_at - timezone.now()).days in (29, 30)
    assert token.last_used_at is None
    bearer(key).get(reverse(LIST))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_command_refuses_unknown_users_and_prefixes(world):
    with pytest.raises(CommandError, match="No user"):
        call_command("promotion_token", "create", "nobody-at-all", stdout=StringIO())
    with pytest.raises(CommandError, match="positive"):
        create(world.a_viewer, "--days", "0")
    with pytest.raises(CommandError, match="No token"):
        call_command("promotion_token", "revoke", "deadbeef", stdout=StringIO())


def test_the_session_still_works_and_checks_csrf_on_writes(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.a_editor)
    assert client.get(reverse(LIST)).status_code == 200
    refused = client.post(reverse(LIST), {"company_name": "X"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


# -- admin ---------------------------------------------------------------------------------


def test_staff_create_their_own_token_in_the_admin_and_see_the_key_once(world):
    client = Client()
    client.force_login(world.a_viewer)
    add = reverse("admin:promotion_apitoken_add")
    form = client.get(add)
    assert form.status_code == 200
    assert 'name="user"' not in form.content.decode()  # always one's own
    response = client.post(add, {"name": "spreadsheet", "expires_at_0": "", "expires_at_1": ""})
    assert response.status_code == 302
    token = APIToken.objects.get()
    assert token.user == world.a_viewer
    shown = client.get(response["Location"]).content.decode()
    key = next(word for word in shown.split() if word.startswith(f"prm_{token.prefix}_"))
    key = key.split("<")[0]
    assert bearer(key).get(reverse(LIST)).status_code == 200
    # Shown once: the token's page never shows it again.
    again = client.get(reverse("admin:promotion_apitoken_change", args=[token.pk]))
    assert key not in again.content.decode()


def test_staff_see_and_revoke_only_their_own_tokens(world):
    mine, my_key = token_create(user=world.a_viewer, name="mine")
    theirs, their_key = token_create(user=world.b_viewer, name="theirs")
    client = Client()
    client.force_login(world.a_viewer)
    listed = client.get(reverse("admin:promotion_apitoken_changelist")).content.decode()
    assert "mine" in listed and "theirs" not in listed
    assert (
        client.get(reverse("admin:promotion_apitoken_change", args=[theirs.pk])).status_code
        == 302  # the admin's "does not exist" redirect, as for a missing id
    )
    client.post(
        reverse("admin:promotion_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert bearer(my_key).get(reverse(LIST)).status_code == 401
    assert bearer(their_key).get(reverse(LIST)).status_code == 200


def test_a_superuser_sees_every_token(world):
    root = factories.UserFactory(username="root", is_superuser=True)
    token_create(user=world.b_viewer, name="theirs")
    client = Client()
    client.force_login(root)
    assert "theirs" in client.get(reverse("admin:promotion_apitoken_changelist")).content.decode()


def test_the_hosts_drf_defaults_change_nothing(world, settings):
    settings.REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
        "DEFAULT_FILTER_BACKENDS": [],
        "DEFAULT_PAGINATION_CLASS": None,
        "EXCEPTION_HANDLER": "tests.api.test_tokens.no_handler",
    }
    key = create(world.a_viewer)
    response = bearer(key).get(reverse(LIST), {"country": "KR"})
    assert response.status_code == 200
    assert companies(response) == {"Project Wren"}
    assert bearer("prm_nope_nope").get(reverse(LIST)).json()["detail"]


def no_handler(exc, context):
    return None
