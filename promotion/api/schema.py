"""The API's OpenAPI 3 schema (drf-spectacular) and its browsable docs (Swagger UI).

The schema covers the app's endpoints only, under whatever prefix the host mounted them,
and whatever the host's own ``SPECTACULAR_SETTINGS`` say. The docs page loads Swagger UI
from the app's static files (drf-spectacular-sidecar), never from a CDN: many agencies'
networks have no internet.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from promotion import security
from promotion.api.base import PromotionAPIMixin, api_schema

TITLE = "calibaja-promotion API"

# Overrides of the host's SPECTACULAR_SETTINGS for this schema only. Also usable as
# ``manage.py spectacular --custom-settings promotion.api.schema.SCHEMA_SETTINGS``.
SCHEMA_SETTINGS: dict[str, Any] = {
    "TITLE": TITLE,
    "DESCRIPTION": (
        "Region facts with their sources, the CRM's prospects and their questions, and "
        "PDF pitch decks. Every CRM endpoint shows only what the user may see: another "
        "partner's object answers 404, exactly like a missing one. Authenticate with the "
        "Django session or an API token (Authorization: Bearer <key>)."
    ),
    "VERSION": "1",
    # Read-only fields (ids, dates) stay out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    # A slug in a path is what Django's slug converter matches; anything else never
    # reaches the API (the host's own 404 page answers).
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}},
    "PREPROCESSING_HOOKS": ["promotion.api.schema.only_promotion_endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "promotion.api.schema.add_error_responses",
    ],
}

# The app's API views live in the modules of this package (promotion.api.views, .crm,
# .decks, .sharing...): a new module is documented without editing this hook.
API_PACKAGE = "promotion.api."


def only_promotion_endpoints(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    """Keep the app's own endpoints: the host's other views are the host's to document."""
    return [
        (path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if getattr(getattr(callback, "cls", None), "__module__", "").startswith(API_PACKAGE)
    ]


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "description": "Field name (or non_field_errors) to messages, or a list of messages.",
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ],
}
ERRORS = {
    "400": "Invalid input: a body or query parameter was refused.",
    "401": "No valid credentials (an unknown, expired or revoked token).",
    "403": "Not allowed (or not logged in, with session authentication).",
    "404": "Not found, or not yours to see (the same answer); also a page past the end.",
    "429": "Too many requests: retry after Retry-After seconds.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document the errors every operation can answer with, in DRF's shape."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation
            for code, description in ERRORS.items():
                if code in responses or (code == "400" and not takes_input):
                    continue
                name = "ValidationError" if code == "400" else "Error"
                response: dict[str, Any] = {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    },
                }
                if code == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds to wait.",
                        }
                    }
                responses[code] = response
    return result


class PromotionSchemaView(PromotionAPIMixin, SpectacularAPIView):
    """``schema/``: the OpenAPI 3 schema (YAML, or JSON with ``?format=json`` or
    ``Accept: application/vnd.oai.openapi+json``)."""

    permission_classes = [AllowAny]
    renderer_classes = [
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
    ]
    serve_public = True
    urlconf = None  # the host's: paths keep the prefix the host gave the API
    custom_settings = SCHEMA_SETTINGS

    # Out of every schema, the host's too (drf-spectacular's own ``get`` is annotated on
    # the host's DEFAULT_SCHEMA_CLASS, which its deploy check would trip over).
    @api_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PromotionSwaggerView(PromotionAPIMixin, SpectacularSwaggerSplitView):
    """``schema/docs/``: Swagger UI over ``schema/``, from the app's static files. The
    page has no inline script or style: its start-up script is ``schema/docs/?script``
    (drf-spectacular's split view), so it works under the app's strict policy."""

    permission_classes = [AllowAny]
    renderer_classes = [TemplateHTMLRenderer]
    template_name = "promotion/api/swagger_ui.html"
    # A page, nothing else: an OPTIONS answer has no template to render it (405 instead).
    http_method_names = ["get", "head"]
    url_name = "promotion_api:schema"
    title = TITLE

    @api_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_content_security_policy(self) -> dict[str, tuple[str, ...]]:
        return security.SWAGGER_UI

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        from django.templatetags.static import static

        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon() -> str:
        from django.templatetags.static import static

        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
