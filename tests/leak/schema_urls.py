"""A host whose API has an OpenAPI ``schema/`` endpoint (a stand-in for drf-spectacular's,
paths written its way: ``{id}``), to prove the enumeration reads the schema."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from promotion.api import urls as api_urls


def schema(request: HttpRequest) -> JsonResponse:
    from tests.leak.endpoints import resolver_endpoints

    paths = {
        endpoint.template.replace("{pk}", "{id}"): {"get": {}, "post": {}}
        for endpoint in resolver_endpoints("promotion_api")
        if not endpoint.template.endswith("/schema/")
    }
    return JsonResponse(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    )


api = ([*api_urls.urlpatterns, path("schema/", schema, name="schema")], "promotion_api")
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("promotion.urls")),
    path("api/", include(api)),
]
