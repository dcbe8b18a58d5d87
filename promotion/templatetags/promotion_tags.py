"""Template tags for the host's pages: ``{% load promotion_tags %}``.

``{% promotion_facts "calibaja" "connectivity" %}``
    The region's published facts on the topic, each with its source and as-of date,
    newest first. Options: ``language="es"`` (default: the active language) and
    ``limit=5`` (default: all).

``{% promotion_ask "calibaja" %}``
    The "Ask the region" form. It needs no JavaScript: it sends the question back to the
    page that holds it (query parameter ``promotion_q``), and the tag shows the sourced
    answer, or says honestly that no published fact answers it. Option: ``language``. The
    template context must hold the request (``django.template.context_processors.request``).

Both take a region's slug or a ``Region``, and a topic's slug or a ``Topic``. Their classes
(``promotion-…``) are styled by ``promotion/promotion.css``, which the host may link or
replace: ``<link rel="stylesheet" href="{% static 'promotion/promotion.css' %}">``. Their
templates, ``promotion/embed/facts.html``, ``ask.html`` and ``fact.html``, may be
overridden like any app template.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from promotion.embed import ask_html, facts_html

register = template.Library()


@register.simple_tag
def promotion_facts(
    region: Any, topic: Any, language: str | None = None, limit: int | None = None
) -> SafeString:
    return facts_html(region=region, topic=topic, language=language, limit=limit)


@register.simple_tag(takes_context=True)
def promotion_ask(
    context: template.Context, region: Any, language: str | None = None
) -> SafeString:
    return ask_html(request=context.get("request"), region=region, language=language)
