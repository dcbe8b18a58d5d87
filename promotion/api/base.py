"""What every view of the app's API shares, so it behaves the same in any host.

Authentication, permissions, pagination, filtering, throttling, rendering and the schema
are set here, never taken from the host's ``REST_FRAMEWORK`` settings. Where a host needs
another choice it says so in ``PROMOTION`` (``API_AUTHENTICATION_CLASSES``,
``API_THROTTLE_RATES``, ``API_THROTTLE_CACHE``), read per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, renderers
from rest_framework.authentication import BaseAuthentication
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.views import exception_handler

from promotion import security
from promotion.api.throttling import AnonThrottle, UserThrottle
from promotion.conf import promotion_settings


class PromotionPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (up to 100) on every list."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def api_schema(**kwargs: Any) -> Callable[[Any], Any]:
    """``extend_schema`` for a view method, built on drf-spectacular's ``AutoSchema``
    rather than the host's ``DEFAULT_SCHEMA_CLASS`` (which ``extend_schema`` would read)."""

    def decorator(method: Any) -> Any:
        method.kwargs = getattr(method, "kwargs", {})
        method.kwargs.setdefault("schema", AutoSchema)
        return extend_schema(**kwargs)(method)

    return decorator


class PromotionAPIMixin:
    """Put first in the bases of every API view of the app."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [AnonThrottle, UserThrottle]
    pagination_class = PromotionPagination
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    content_negotiation_class = DefaultContentNegotiation
    metadata_class = SimpleMetadata
    versioning_class = None
    # drf-spectacular's, whatever the host's DEFAULT_SCHEMA_CLASS (a descriptor, like DRF's).
    schema = AutoSchema()

    @property
    def authentication_classes(self) -> list[type[BaseAuthentication]]:  # type: ignore[override]
        return [import_string(path) for path in promotion_settings.API_AUTHENTICATION_CLASSES]

    def get_exception_handler(self) -> Callable[..., Any]:
        return exception_handler

    def get_content_security_policy(self) -> dict[str, tuple[str, ...]]:
        """The Content-Security-Policy of every answer of the view, JSON or browsable
        page, errors included (``promotion.security``)."""
        return security.browsable_api_policy()

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        return security.set_policy(response, self.get_content_security_policy())
