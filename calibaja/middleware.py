"""Django 5.2's stand-in for Django 6's ``ContentSecurityPolicyMiddleware``.

It reads the same ``SECURE_CSP`` setting (a dict of directive to sources) and, like
Django 6's, never replaces a policy a view has set already (the promotion app's pages set
their own). On Django 6 the settings use Django's middleware instead of this one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"


def build_policy(config: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in config.items() if sources)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        config = getattr(settings, "SECURE_CSP", None)
        if config and HEADER not in response:
            response[HEADER] = build_policy(config)
        return response
