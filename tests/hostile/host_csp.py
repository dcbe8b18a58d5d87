"""A host's own CSP middleware on Django 5.2, behaving as Django 6's and django-csp's do:
``SECURE_CSP`` on every response that has no policy yet, never replacing one."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = "; ".join(
                " ".join([name, *sources]) for name, sources in settings.SECURE_CSP.items()
            )
        return response
