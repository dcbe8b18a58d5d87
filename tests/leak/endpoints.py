"""Enumerate what the oracle runs over, so a new endpoint, admin page or model is covered
without an edit: the API from its OpenAPI schema (``promotion_api:schema``) when it
exists, and from the URL resolver in any case; the app's pages from the resolver; the
admin from every admin site's registry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.admin.sites import all_sites
from django.db import models
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
_MARK = 987654000  # reverse() with numbered markers, then put {name} back


@dataclass(frozen=True)
class Endpoint:
    template: str  # "/api/prospects/{pk}/decks/"
    params: tuple[str, ...]
    source: str  # "schema" or "resolver"

    def models_of_params(self) -> dict[str, type[models.Model] | None]:
        return {name: model_for_param(self.template, name) for name in self.params}

    def fill(self, values: dict[str, Any]) -> str:
        path = self.template
        for name, value in values.items():
            path = path.replace("{" + name + "}", str(value))
        return path


def _walk(patterns: list[Any], names: list[str]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _walk(pattern.url_patterns, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(pattern)


def _namespace_patterns(namespace: str) -> list[URLPattern]:
    resolver = get_resolver()
    if namespace not in resolver.namespace_dict:
        return []
    _prefix, sub = resolver.namespace_dict[namespace]
    found: list[URLPattern] = []
    _walk(sub.url_patterns, found)
    return found


def resolver_endpoints(namespace: str) -> list[Endpoint]:
    """Every named URL of ``namespace``, with its parameters as ``{name}``."""
    endpoints: dict[str, Endpoint] = {}
    for pattern in _namespace_patterns(namespace):
        groups = list(pattern.pattern.regex.groupindex)
        kwargs = {}
        for index, name in enumerate(groups):
            kwargs[name] = "json" if name == "format" else _MARK + index
        try:
            path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
        except NoReverseMatch:
            continue
        params = []
        for index, name in enumerate(groups):
            if name == "format":
                continue
            path = path.replace(str(_MARK + index), "{" + name + "}")
            params.append(name)
        endpoints.setdefault(path, Endpoint(path, tuple(params), "resolver"))
    return sorted(endpoints.values(), key=lambda e: e.template)


def _normalised(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


def schema_endpoints(client: Any) -> list[Endpoint] | None:
    """The paths of the OpenAPI schema, or None when the API has no schema endpoint."""
    try:
        url = reverse("promotion_api:schema")
    except NoReverseMatch:
        return None
    response = client.get(url, {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, (url, response.status_code)
    body = response.content.decode()
    try:
        schema = json.loads(body)
    except ValueError:
        import yaml  # drf-spectacular's default rendering

        schema = yaml.safe_load(body)
    api_root = url.rsplit("schema/", 1)[0]
    endpoints = []
    for path in schema.get("paths", {}):
        full = path if path.startswith(api_root) else api_root.rstrip("/") + "/" + path.lstrip("/")
        params = tuple(re.findall(r"\{([^}]+)\}", full))
        endpoints.append(Endpoint(full, params, "schema"))
    return endpoints


def api_endpoints(schema_client: Any) -> list[Endpoint]:
    """The schema's paths when there is a schema, plus any URL the schema leaves out."""
    from_resolver = resolver_endpoints("promotion_api")
    from_schema = schema_endpoints(schema_client)
    if from_schema is None:
        return from_resolver
    known = {_normalised(e.template) for e in from_schema}
    return from_schema + [e for e in from_resolver if _normalised(e.template) not in known]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def model_for_param(template: str, name: str) -> type[models.Model] | None:
    """The model a path parameter names: from the parameter (``prospect_id``) or the
    segment before it (``prospects/{pk}``, ``decks/{id}``, ``share-links/{token}``)."""
    candidates = list(apps.get_app_config("promotion").get_models())
    hints = []
    if name not in ("pk", "id", "object_id", "slug", "token", "uuid"):
        hints.append(re.sub(r"_(id|pk|slug|uuid|token)$", "", name))
    before = template.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    hints.append(before)
    for hint in hints:
        word = _squash(hint)
        for form in (word, word[:-1] if word.endswith("s") else word):
            for model in candidates:
                if form in (model._meta.model_name, _squash(str(model._meta.verbose_name))):
                    return model
            for model in candidates:
                if len(form) >= 4 and model._meta.model_name.endswith(form):
                    return model
    return None


# --- Ownership: which prospect an object belongs to ----------------------------------


def prospect_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its Prospect (``""`` for Prospect itself), following
    foreign keys up to two steps: None when the model is not CRM data."""
    from promotion.models import Prospect

    if model is Prospect:
        return ""
    for db_field in model._meta.concrete_fields:
        if isinstance(db_field, models.ForeignKey) and db_field.related_model is Prospect:
            return db_field.name
    for db_field in model._meta.concrete_fields:
        if isinstance(db_field, models.ForeignKey) and db_field.related_model is not model:
            inner = None
            related = db_field.related_model
            for f in related._meta.concrete_fields:
                if isinstance(f, models.ForeignKey) and f.related_model is Prospect:
                    inner = f.name
            if inner:
                return f"{db_field.name}__{inner}"
    return None


def objects_of(model: type[models.Model], prospect: Any) -> list[Any]:
    path = prospect_path(model)
    if path is None:
        return []
    if path == "":
        return [prospect] if isinstance(prospect, model) else []
    return list(model._default_manager.filter(**{path: prospect}))


def missing_like(model: type[models.Model], value: Any) -> Any:
    """A primary key of ``model`` with as many digits as ``value`` that does not exist."""
    text = str(value)
    if not text.isdigit():
        return "0" * len(text) if len(text) else "0"
    used = set(model._default_manager.values_list("pk", flat=True))
    digits = len(text)
    for candidate in range(10**digits - 1, 10 ** (digits - 1) - 1, -1):
        if candidate not in used:
            return candidate
    return 10**digits + 7  # every id of that length is taken: one digit more


# --- Admin --------------------------------------------------------------------------


def admin_sites() -> list[Any]:
    """The admin sites the host's URLconf includes."""
    sites = []
    for site in all_sites:
        try:
            reverse(f"{site.name}:index")
        except NoReverseMatch:
            continue
        sites.append(site)
    return sorted(sites, key=lambda s: s.name)


def admin_object_urls(site: Any, model_admin: Any) -> list[tuple[str, tuple[str, ...]]]:
    """(url name, parameters) of every per-object URL of a ModelAdmin."""
    urls = []
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        params = tuple(pattern.pattern.regex.groupindex)
        if params:
            urls.append((f"{site.name}:{pattern.name}", params))
    return urls


def admin_plain_urls(site: Any, model_admin: Any) -> list[str]:
    """Every parameterless page of a ModelAdmin (changelist, add, import, export...)."""
    found = []
    for pattern in model_admin.get_urls():
        if (
            isinstance(pattern, URLPattern)
            and pattern.name
            and not pattern.pattern.regex.groupindex
        ):
            try:
                found.append(reverse(f"{site.name}:{pattern.name}"))
            except NoReverseMatch:
                continue
    return found
