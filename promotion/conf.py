"""The app's settings: one dict, ``PROMOTION``, read on access with defaults.

Every key is listed in ``DEFAULTS`` with what it does. An unknown key raises
``AttributeError``; the cache is cleared whenever the ``PROMOTION`` setting changes, so
``override_settings(PROMOTION=...)`` works in tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    # Slug of the region that commands use when no --region is given.
    "DEFAULT_REGION": "calibaja",
    # A fact whose as-of date is older than this many years is flagged for review in the
    # admin ("due for review" filter and a warning mark on its age).
    "FACT_REVIEW_AFTER_YEARS": 3,
    # Alias of ``settings.STORAGES`` where the app keeps its files (partner logos, decks).
    # Point it at a private storage: nothing the app stores is meant to be public.
    "FILE_STORAGE": "default",
    # Dotted path of the class that matches an investor's question to a topic and ranks
    # the region's facts for it (see ``promotion.answering.matchers.BaseMatcher``). The
    # default needs no model download and no network: it matches the words of the question
    # against the topic aliases that staff keep in the admin.
    "ANSWER_MATCHER": "promotion.answering.matchers.AliasMatcher",
    # Dotted path of the class that draws a pitch deck (see
    # ``promotion.decks.renderer.DeckRenderer``); subclass it to change pages or styles.
    "DECK_RENDERER": "promotion.decks.renderer.DeckRenderer",
    # The deck's sections, in order: dotted paths of ``promotion.decks.renderer.Section``
    # subclasses. Add, remove or reorder them here; each starts on a new page.
    "DECK_SECTIONS": [
        "promotion.decks.sections.CoverSection",
        "promotion.decks.sections.GlanceSection",
        "promotion.decks.sections.IndustrySection",
        "promotion.decks.sections.TalentSection",
        "promotion.decks.sections.CrossingSection",
        "promotion.decks.sections.QuestionsSection",
        "promotion.decks.sections.ContactsSection",
        "promotion.decks.sections.SourcesSection",
    ],
    # A deck still queued, or still rendering, this many minutes after it was requested
    # (or started) has lost its task message: a broker restarted without persistence, or
    # unreachable when the deck was requested. ``promotion_deck_resend`` and the
    # ``promotion.deck_resend_stale`` task send such decks again (safe: rendering is
    # idempotent). Keep it above the broker's visibility timeout + the deck task's hard
    # time limit + about 100 s of kombu's restore sweep (the example deployment: 300 + 90
    # + 100 s), and above the longest a deck waits in the queue when the workers are busy.
    "DECK_RESEND_AFTER_MINUTES": 15,
    # The locale whose number formats the decks of each language use, where it is not the
    # language's own: Spanish decks write figures the Mexican way (3,298,634 and 419.88), as
    # the region's Spanish fact texts do. ``{}`` writes them as Django's "es" does
    # (3.298.634 and 419,88, the way of Spain).
    "NUMBER_FORMAT_LOCALES": {"es": "es-mx"},
    # The template the app's own pages (the "Ask the region" page) extend. It must define
    # ``{% block content %}``; ``{% block title %}`` is filled too when it has one. Name the
    # host's base template here so the pages look like the rest of the site; the default is
    # a minimal page shipped with the app.
    "BASE_TEMPLATE": "promotion/base.html",
    # Origins allowed to show the app's embeddable pages (the "Ask the region" page) in a
    # frame, e.g. ["https://portal.example.org"]; "'self'" allows the host's own pages.
    # Those pages send ``Content-Security-Policy: frame-ancestors <origins>`` and no
    # X-Frame-Options. Empty (the default): ``frame-ancestors 'none'`` and
    # ``X-Frame-Options: DENY``, so nobody may frame them. Every other page of the app
    # sends ``frame-ancestors 'none'`` and keeps the host's X-Frame-Options
    # (``XFrameOptionsMiddleware``).
    "FRAME_ANCESTORS": [],
    # Sources the host adds to the Content-Security-Policy of the app's pages, per
    # directive, e.g. {"style-src": ["https://cdn.portal.example.org"]} when the host's
    # BASE_TEMPLATE loads its own stylesheet. Every page the app serves sends a strict
    # policy (``promotion.security``): ``default-src 'none'`` and only what the page
    # loads, from the site itself and STATIC_URL's host. ``frame-ancestors`` always comes
    # from FRAME_ANCESTORS. None: the app sends no policy, and leaves its pages to the
    # host's own CSP middleware.
    "CONTENT_SECURITY_POLICY": {},
    # How many days a new share link works (``promotion.services.sharing``), unless the
    # manager who creates it chooses another number of days. A positive whole number, at
    # most SHARE_LINK_MAX_DAYS.
    "SHARE_LINK_DAYS": 30,
    # The longest a share link may work, in days: the cap on what a manager may choose.
    "SHARE_LINK_MAX_DAYS": 90,
    # How the REST API (``promotion.api.urls``) authenticates, whatever the host's
    # ``REST_FRAMEWORK`` says: dotted paths of DRF authentication classes, in order. The
    # default takes an API token (``Authorization: Bearer <key>``, see ``promotion_token``)
    # or the Django session (with its CSRF check on writes).
    "API_AUTHENTICATION_CLASSES": [
        "promotion.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Request rates of the REST API by scope, a courtesy to the server: "anon" per client
    # address without login, "user" per logged-in user, "answer" for
    # ``regions/{slug}/answer/`` (anyone), as DRF rates ("60/minute", "1000/hour"). A
    # scope set to None is not throttled. Brute force on passwords is stopped at login,
    # not here. A 429 answer says when to retry (``Retry-After``).
    "API_THROTTLE_RATES": {"anon": "120/minute", "user": "1200/minute", "answer": "60/minute"},
    # Alias of ``settings.CACHES`` where the throttles count requests. With several web
    # processes, use a shared cache (Redis, Memcached, the database), or each process
    # counts alone.
    "API_THROTTLE_CACHE": "default",
}

# Keys whose value is a dotted path, imported when first read.
IMPORTABLE: frozenset[str] = frozenset({"ANSWER_MATCHER", "DECK_RENDERER"})


class PromotionSettings:
    """Read ``settings.PROMOTION[key]`` lazily, falling back to ``DEFAULTS``."""

    def __getattr__(self, key: str) -> Any:  # only called on a cache miss
        if key not in DEFAULTS:
            raise AttributeError(f"PROMOTION has no key {key!r}")
        value = user_settings().get(key, DEFAULTS[key])
        if key in IMPORTABLE and isinstance(value, str):
            value = import_string(value)
        self.__dict__[key] = value
        return value

    def reload(self) -> None:
        self.__dict__.clear()


def user_settings() -> dict[str, Any]:
    value = getattr(settings, "PROMOTION", None)
    return value if isinstance(value, dict) else {}


promotion_settings = PromotionSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:  # a named function: signals hold weak refs
    if setting == "PROMOTION":
        promotion_settings.reload()


setting_changed.connect(_reload)
