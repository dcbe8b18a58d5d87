"""The Content-Security-Policy of the app's own pages.

Every page the app serves (the ask page, the share-link pages and downloads, the deck
download, the API's JSON and browsable pages, the Swagger UI docs page, and the error
pages its views answer with) carries a strict policy: ``default-src 'none'``, then only
what that kind of page loads, all from the site itself (``'self'``, plus the origin of
``STATIC_URL`` when the static files are served from another host). No page of the app
needs an inline script. ``frame-ancestors`` comes from ``PROMOTION["FRAME_ANCESTORS"]``
on the embeddable pages and is ``'none'`` on the others.

How it combines with a host's own policy: the app writes its header on its own responses
only, before the host's middleware sees them. Django 6's ``ContentSecurityPolicyMiddleware``
and django-csp do not replace a header a view has set, so on the app's pages the app's
policy is the one sent, and on every other page the host's. A host whose base template
(``PROMOTION["BASE_TEMPLATE"]``) loads its own scripts, styles or fonts adds their sources
with ``PROMOTION["CONTENT_SECURITY_POLICY"]`` (merged into every app page's policy), or
sets it to ``None`` to leave the app's pages to its own middleware. A policy the view or
a decorator set already is never replaced.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache, wraps
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from promotion.conf import promotion_settings

HEADER = "Content-Security-Policy"
SELF = "'self'"
NONE = "'none'"

# What every page of the app may do, whatever it shows: load nothing by default, post
# forms to itself only, never be given another base URL or plug-in content.
BASE: dict[str, tuple[str, ...]] = {
    "default-src": (NONE,),
    "base-uri": (NONE,),
    "object-src": (NONE,),
    "form-action": (SELF,),
}
# A page of HTML and the app's stylesheet, no script: the ask page, the share pages.
DOCUMENT: dict[str, tuple[str, ...]] = {**BASE, "style-src": (SELF,), "img-src": (SELF,)}


def _style_hashes(*values: str) -> tuple[str, ...]:
    return tuple(
        f"'sha256-{base64.b64encode(hashlib.sha256(v.encode()).digest()).decode()}'" for v in values
    )


# The browsable API (DRF's templates): its own scripts and styles, and the few layout
# ``style="..."`` attributes of its templates, allowed by their hashes and nothing else.
BROWSABLE_API: dict[str, tuple[str, ...]] = {
    **BASE,
    "script-src": (SELF,),
    "style-src": (
        SELF,
        "'unsafe-hashes'",
        *_style_hashes(
            "float: right; margin-right: 10px",
            "float:left",
            "float: right",
            "clear: both",
        ),
    ),
    "img-src": (SELF,),
    "font-src": (SELF,),
    "connect-src": (SELF,),
}


@cache
def browsable_api_policy() -> dict[str, tuple[str, ...]]:
    """``BROWSABLE_API`` with the hash of the syntax-highlighting ``<style>`` block the
    browsable API adds when Pygments is installed (its text depends on Pygments' version,
    so it is hashed as this process renders it)."""
    from django.utils.html import escape
    from rest_framework.compat import pygments_css
    from rest_framework.renderers import BrowsableAPIRenderer

    css = pygments_css(BrowsableAPIRenderer.code_style)
    if not css:
        return BROWSABLE_API
    styles = BROWSABLE_API["style-src"]
    return {**BROWSABLE_API, "style-src": (*styles, *_style_hashes(escape(css)))}


# Swagger UI from drf-spectacular-sidecar: scripts and styles from the static files, its
# icons as data: images, the schema fetched from the site.
SWAGGER_UI: dict[str, tuple[str, ...]] = {
    **BASE,
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF, "data:"),
    "font-src": (SELF,),
    "connect-src": (SELF,),
}

# Directives that load files, which may come from STATIC_URL's host.
_STATIC_DIRECTIVES = ("script-src", "style-src", "img-src", "font-src")
# A source as a policy may hold it: no separator that could start another directive.
_SOURCE = re.compile(r"[^\s;,]+")


def is_source(value: object) -> bool:
    """True for one CSP source expression ("https://cdn.example.org", "'self'", "data:")."""
    return isinstance(value, str) and _SOURCE.fullmatch(value) is not None


def static_origin() -> str | None:
    """The origin of ``STATIC_URL`` when it is on another host, else ``None``."""
    url = urlsplit(str(getattr(settings, "STATIC_URL", "") or ""))
    if url.scheme in ("http", "https") and url.netloc:
        return f"{url.scheme}://{url.netloc}"
    if not url.scheme and url.netloc:  # "//cdn.example.org/static/"
        return url.netloc
    return None


def host_additions() -> Mapping[str, Iterable[str]] | None:
    """``PROMOTION["CONTENT_SECURITY_POLICY"]``: the sources the host adds, per directive
    (invalid entries, which ``manage.py check`` reports as promotion.E016, left out)."""
    value = promotion_settings.CONTENT_SECURITY_POLICY
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return {}
    return {
        directive: [source for source in sources if is_source(source)]
        for directive, sources in value.items()
        if is_source(directive) and isinstance(sources, list | tuple)
    }


def build_policy(
    directives: Mapping[str, Iterable[str]],
    *,
    frame_ancestors: Iterable[str] = (),
    additions: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The header's value: ``directives`` with the static files' origin, the host's
    ``additions`` and ``frame-ancestors`` (``'none'`` when no origin is given)."""
    policy: dict[str, list[str]] = {name: list(sources) for name, sources in directives.items()}
    origin = static_origin()
    if origin:
        for name in _STATIC_DIRECTIVES:
            if name in policy:
                policy[name].append(origin)
    for name, sources in (additions or {}).items():
        current = policy.setdefault(name, [])
        if current == [NONE]:
            current.clear()
        current.extend(sources)
    policy["frame-ancestors"] = list(frame_ancestors) or [NONE]
    parts = []
    for name, sources in policy.items():
        unique = list(dict.fromkeys(sources))
        if len(unique) > 1 and NONE in unique:
            unique.remove(NONE)
        parts.append(" ".join([name, *unique]))
    return "; ".join(parts)


def set_policy(
    response: HttpResponseBase,
    directives: Mapping[str, Iterable[str]],
    *,
    frame_ancestors: Iterable[str] = (),
) -> HttpResponseBase:
    """Give ``response`` the app's policy, unless it has one or the host turned it off."""
    additions = host_additions()
    if additions is None or response.get(HEADER):
        return response
    response[HEADER] = build_policy(
        directives, frame_ancestors=frame_ancestors, additions=additions
    )
    return response


def _error_response(request: HttpRequest, exc: Exception) -> HttpResponseBase:
    # The host's error page for a 404 or 403 the view raised, made here rather than by
    # the handler, so that it leaves the app with the app's headers.
    from django.core.handlers.exception import response_for_exception

    return response_for_exception(request, exc)


def content_security_policy(
    directives: Mapping[str, Iterable[str]] = DOCUMENT,
    *,
    frame_ancestors: Callable[[], Iterable[str]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view of the app with its Content-Security-Policy. ``frame_ancestors``
    returns the origins that may frame the page (none: ``frame-ancestors 'none'``). A 404
    or 403 the view raises is answered with the host's error page and the same policy."""

    def ancestors() -> Iterable[str]:
        return frame_ancestors() if frame_ancestors is not None else ()

    def decorator(view_func: Callable[..., Any]) -> Callable[..., Any]:
        if iscoroutinefunction(view_func):

            async def _async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                try:
                    response = await view_func(request, *args, **kwargs)
                except (Http404, PermissionDenied) as exc:
                    from asgiref.sync import sync_to_async

                    response = await sync_to_async(_error_response)(request, exc)
                return set_policy(response, directives, frame_ancestors=ancestors())

            return wraps(view_func)(_async_view)

        def _view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                response = view_func(request, *args, **kwargs)
            except (Http404, PermissionDenied) as exc:
                response = _error_response(request, exc)
            return set_policy(response, directives, frame_ancestors=ancestors())

        return wraps(view_func)(_view)

    return decorator
