"""What a partner's portal shows of the app inside its own pages.

- The HTML behind the template tags of ``promotion_tags``: a topic's published facts with
  their sources, and the "Ask the region" form, which answers a visitor's question with
  ``promotion.services.answers.answer_question``. The form is a plain GET form: it needs no
  JavaScript, and the page that holds it shows the answer when it reloads.
- ``ask``: the same form as a page of its own (``promotion:ask``), extending
  ``PROMOTION["BASE_TEMPLATE"]``, that the portal may show in a frame.
- ``frameable``: the decorator that lets only the origins in
  ``PROMOTION["FRAME_ANCESTORS"]`` frame a view; every other page keeps the host's
  ``X-Frame-Options``. The rest of the pages' policy is ``promotion.security``'s.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from promotion import security
from promotion.answering.formatting import format_as_of, format_value
from promotion.conf import promotion_settings
from promotion.models import Language, Region, Topic
from promotion.models.base import localized
from promotion.selectors.facts import facts_published
from promotion.services.answers import AnswerFact, answer_fact, answer_question

logger = logging.getLogger(__name__)

# The query parameter the "Ask the region" form sends its question in. Namespaced, so it
# never clashes with the host page's own parameters.
ASK_PARAM = "promotion_q"
# Longer questions are refused with a message rather than cut.
ASK_MAX_LENGTH = 300

# ---------------------------------------------------------------------------- framing

# scheme://host[:port], nothing after it: the only form of a source we write into the
# header, so that a value cannot add a directive ("https://a.org; script-src *").
_ORIGIN = re.compile(
    r"https?://"
    r"(?:\[[0-9A-Fa-f:.]+\]"
    r"|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
SELF = "'self'"


def is_frame_origin(value: object) -> bool:
    """True for an origin such as ``https://portal.example.org`` (or ``'self'``)."""
    if value == SELF:
        return True
    if not isinstance(value, str):
        return False
    match = _ORIGIN.fullmatch(value)
    return match is not None and (match["port"] is None or 0 < int(match["port"]) <= 65535)


def frame_ancestors() -> list[str]:
    """The configured origins that may frame the embeddable pages (invalid ones, which
    ``manage.py check`` reports as promotion.E010, are left out)."""
    origins = promotion_settings.FRAME_ANCESTORS
    if not isinstance(origins, list | tuple):
        return []
    return [origin for origin in origins if is_frame_origin(origin)]


def frame_ancestors_policy(origins: Iterable[str]) -> str:
    """The CSP directive for ``origins``: ``frame-ancestors 'none'`` when there are none."""
    return "frame-ancestors " + (" ".join(origins) or "'none'")


def _allow_framing(response: HttpResponseBase) -> HttpResponseBase:
    origins = frame_ancestors()
    directive = frame_ancestors_policy(origins)
    policy = response.get("Content-Security-Policy")
    if not policy:
        response["Content-Security-Policy"] = directive
    elif "frame-ancestors" not in policy:
        response["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {directive}"
    if origins:
        # What ``xframe_options_exempt`` does; decided per response because the setting is
        # read when the request comes, not when the view is decorated.
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    elif response.get("X-Frame-Options") is None:
        response["X-Frame-Options"] = "DENY"
    return response


def frameable(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Let the origins of ``PROMOTION["FRAME_ANCESTORS"]``, and only they, show the view's
    pages in a frame.

    The response gets ``Content-Security-Policy: frame-ancestors <origins>`` and is exempt
    from ``XFrameOptionsMiddleware``. With no origins configured it gets
    ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. A policy the view set already
    is kept, with the directive added; a host CSP middleware (django-csp, Django 6's) does
    not replace a header that is already there. Use it on views meant for a portal's
    frames only (the ask page, the deck share page)::

        @frameable
        def deck_share(request, token): ...
    """
    if iscoroutinefunction(view_func):

        async def _async_view(*args: Any, **kwargs: Any) -> HttpResponseBase:
            return _allow_framing(await view_func(*args, **kwargs))

        return wraps(view_func)(_async_view)

    def _view(*args: Any, **kwargs: Any) -> HttpResponseBase:
        return _allow_framing(view_func(*args, **kwargs))

    return wraps(view_func)(_view)


# ---------------------------------------------------------------------------- rendering


def embed_language(language: str | None = None) -> str:
    """``language`` when the app answers in it, else the active language ("es-mx" is
    "es"), else English."""
    for candidate in (language, translation.get_language()):
        if candidate:
            code = candidate.lower().replace("_", "-").split("-")[0]
            if code in Language.values:
                return code
    return Language.ENGLISH


def region_for(region: Region | str) -> Region | None:
    """A region given as itself or by its slug; ``None`` (logged) when there is none."""
    if isinstance(region, Region):
        return region
    found = Region.objects.filter(slug=region).first()
    if found is None:
        logger.warning("promotion_tags: no region with the slug %r", region)
    return found


@dataclass(frozen=True)
class ShownFact:
    """A fact as the host's page shows it, in one language."""

    fact: AnswerFact
    # Value and unit, the value's numbers written the language's way ("24,3 %").
    figure: str
    # The as-of date as precisely as it is known ("2023", "dic. 2023").
    as_of: str
    # The source's address when it is a web link, else "" (no link is drawn).
    source_url: str


def shown_fact(fact: AnswerFact, language: str) -> ShownFact:
    figure = " ".join(part for part in (format_value(fact.value, language), fact.unit) if part)
    url = fact.source.url if fact.source.url.lower().startswith(("https://", "http://")) else ""
    return ShownFact(
        fact=fact,
        figure=figure,
        as_of=format_as_of(fact.as_of, fact.as_of_precision, language),
        source_url=url,
    )


def facts_html(
    *,
    region: Region | str,
    topic: Topic | str,
    language: str | None = None,
    limit: int | None = None,
) -> SafeString:
    """The published facts of ``region`` on ``topic`` with their sources, newest first, at
    most ``limit``, in ``language`` (the active one by default). A fact with no text in
    the language shows its English text, marked as not yet translated."""
    language = embed_language(language)
    found = region_for(region)
    if found is None:
        return SafeString("")
    slug = topic.slug if isinstance(topic, Topic) else str(topic)
    topic_obj = topic if isinstance(topic, Topic) else Topic.objects.filter(slug=slug).first()
    facts = facts_published(region=found, topic=slug)
    if limit is not None:
        facts = facts[: max(0, int(limit))]
    context = {
        "region": found,
        "language": language,
        "topic_name": localized(topic_obj, "name", language)[0] if topic_obj else "",
        "facts": [shown_fact(answer_fact(fact, language), language) for fact in facts],
    }
    with translation.override(language):
        return render_to_string("promotion/embed/facts.html", context)


def ask_html(
    *, request: HttpRequest | None, region: Region | str, language: str | None = None
) -> SafeString:
    """The "Ask the region" form, with the answer to the question in ``request.GET`` (under
    ``ASK_PARAM``) when there is one, in ``language`` (the active one by default)."""
    if request is None:
        raise ImproperlyConfigured(
            "{% promotion_ask %} reads the question from the request: add "
            "'django.template.context_processors.request' to the template context processors."
        )
    language = embed_language(language)
    found = region_for(region)
    if found is None:
        return SafeString("")
    question = request.GET.get(ASK_PARAM, "").strip()
    context: dict[str, Any] = {
        "region": found,
        "language": language,
        "param": ASK_PARAM,
        "max_length": ASK_MAX_LENGTH,
        "question": question[:ASK_MAX_LENGTH],
        "form_id": f"promotion-ask-{found.slug}",
        # The host page's own parameters, sent again so that asking keeps its state.
        "kept": [
            (name, value)
            for name, values in request.GET.lists()
            if name != ASK_PARAM
            for value in values
        ],
    }
    with translation.override(language):
        if len(question) > ASK_MAX_LENGTH:
            context["error"] = gettext(
                "Your question is too long: please ask it in at most %(limit)d characters."
            ) % {"limit": ASK_MAX_LENGTH}
        elif question:
            answer = answer_question(region=found, text=question, language=language)
            context["answer"] = answer
            context["topic_name"] = (
                localized(answer.topic, "name", language)[0] if answer.topic else ""
            )
            context["facts"] = [shown_fact(fact, language) for fact in answer.facts]
        return render_to_string("promotion/embed/ask.html", context)


# ---------------------------------------------------------------------------- pages


@frameable
@security.content_security_policy(security.DOCUMENT, frame_ancestors=frame_ancestors)
@require_safe
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Ask the region" form as a page of its own, for the portal to link or frame."""
    region = get_object_or_404(Region, slug=slug)
    return render(
        request,
        "promotion/embed/ask_page.html",
        {"region": region, "base_template": promotion_settings.BASE_TEMPLATE},
    )
