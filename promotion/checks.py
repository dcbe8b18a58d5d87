"""System checks: bad configuration is reported by ``manage.py check``, not a crash."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from promotion.conf import DEFAULTS


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    value = getattr(settings, "PROMOTION", {})
    if not isinstance(value, dict):
        return [
            Error(
                "The PROMOTION setting must be a dict.",
                hint="Set PROMOTION = {...} with the keys listed in promotion.conf.DEFAULTS.",
                id="promotion.E001",
            )
        ]
    for key in sorted(set(value) - set(DEFAULTS)):
        errors.append(
            Error(
                f"PROMOTION has an unknown key {key!r}.",
                hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                id="promotion.E002",
            )
        )
    alias = value.get("FILE_STORAGE", DEFAULTS["FILE_STORAGE"])
    if alias not in getattr(settings, "STORAGES", {}):
        errors.append(
            Error(
                f"PROMOTION['FILE_STORAGE'] names the storage {alias!r}, "
                "which is not in settings.STORAGES.",
                hint="Add that alias to STORAGES, or point FILE_STORAGE at an existing one.",
                id="promotion.E003",
            )
        )
    years = value.get("FACT_REVIEW_AFTER_YEARS", DEFAULTS["FACT_REVIEW_AFTER_YEARS"])
    if not isinstance(years, int) or isinstance(years, bool) or years < 1:
        errors.append(
            Error(
                "PROMOTION['FACT_REVIEW_AFTER_YEARS'] must be a positive whole number of years.",
                id="promotion.E004",
            )
        )
    errors += _number_locale_errors(
        value.get("NUMBER_FORMAT_LOCALES", DEFAULTS["NUMBER_FORMAT_LOCALES"])
    )
    minutes = value.get("DECK_RESEND_AFTER_MINUTES", DEFAULTS["DECK_RESEND_AFTER_MINUTES"])
    if not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes <= 0:
        errors.append(
            Error(
                "PROMOTION['DECK_RESEND_AFTER_MINUTES'] must be a positive number of minutes.",
                hint="Keep it above the broker's visibility timeout plus the deck task's "
                "hard time limit (see promotion.conf).",
                id="promotion.E012",
            )
        )
    matcher = value.get("ANSWER_MATCHER", DEFAULTS["ANSWER_MATCHER"])
    if isinstance(matcher, str):
        try:
            import_string(matcher)
        except ImportError as exc:
            errors.append(
                Error(
                    f"PROMOTION['ANSWER_MATCHER'] cannot be imported: {exc}",
                    hint=f"Give the dotted path of a class, e.g. {DEFAULTS['ANSWER_MATCHER']!r}.",
                    id="promotion.E005",
                )
            )
    renderer = value.get("DECK_RENDERER", DEFAULTS["DECK_RENDERER"])
    if isinstance(renderer, str):
        try:
            import_string(renderer)
        except ImportError as exc:
            errors.append(
                Error(
                    f"PROMOTION['DECK_RENDERER'] cannot be imported: {exc}",
                    hint=f"Give the dotted path of a class, e.g. {DEFAULTS['DECK_RENDERER']!r}.",
                    id="promotion.E007",
                )
            )
    sections = value.get("DECK_SECTIONS", DEFAULTS["DECK_SECTIONS"])
    if not isinstance(sections, list | tuple) or not all(isinstance(p, str) for p in sections):
        errors.append(
            Error(
                "PROMOTION['DECK_SECTIONS'] must be a list of dotted paths.",
                hint="See promotion.conf.DEFAULTS['DECK_SECTIONS'].",
                id="promotion.E008",
            )
        )
    else:
        for path in sections:
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    Error(
                        f"PROMOTION['DECK_SECTIONS'] names {path!r}, which cannot be "
                        f"imported: {exc}",
                        hint="Give the dotted path of a Section class.",
                        id="promotion.E008",
                    )
                )
    errors.extend(_check_embedding(value))
    errors.extend(_check_share_links(value))
    errors.extend(_check_api(value))
    return errors


def _check_api(value: dict[str, Any]) -> list[Error]:
    from rest_framework.throttling import SimpleRateThrottle

    errors: list[Error] = []
    classes = value.get("API_AUTHENTICATION_CLASSES", DEFAULTS["API_AUTHENTICATION_CLASSES"])
    if not isinstance(classes, list | tuple) or not all(isinstance(p, str) for p in classes):
        errors.append(
            Error(
                "PROMOTION['API_AUTHENTICATION_CLASSES'] must be a list of dotted paths.",
                hint=f"The default is {DEFAULTS['API_AUTHENTICATION_CLASSES']!r}.",
                id="promotion.E013",
            )
        )
    else:
        for path in classes:
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    Error(
                        f"PROMOTION['API_AUTHENTICATION_CLASSES'] names {path!r}, which "
                        f"cannot be imported: {exc}",
                        hint="Give the dotted path of a DRF authentication class.",
                        id="promotion.E013",
                    )
                )
    rates = value.get("API_THROTTLE_RATES", DEFAULTS["API_THROTTLE_RATES"])
    hint = 'A dict of scope ("anon", "user", "answer") to a rate such as "60/minute", or None.'
    if not isinstance(rates, dict):
        errors.append(
            Error("PROMOTION['API_THROTTLE_RATES'] must be a dict.", hint=hint, id="promotion.E014")
        )
    else:
        for scope, rate in rates.items():
            try:
                if rate is not None:
                    SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
            except (ValueError, KeyError, AttributeError, TypeError):
                errors.append(
                    Error(
                        f"PROMOTION['API_THROTTLE_RATES'][{scope!r}] is not a rate: {rate!r}.",
                        hint=hint,
                        id="promotion.E014",
                    )
                )
    alias = value.get("API_THROTTLE_CACHE", DEFAULTS["API_THROTTLE_CACHE"])
    caches = getattr(settings, "CACHES", None) or {"default": {}}
    if alias not in caches:
        errors.append(
            Error(
                f"PROMOTION['API_THROTTLE_CACHE'] names the cache {alias!r}, which is not in "
                "settings.CACHES.",
                hint="Add that alias to CACHES, or point API_THROTTLE_CACHE at an existing one.",
                id="promotion.E015",
            )
        )
    return errors


def _whole_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_share_links(value: dict[str, Any]) -> list[Error]:
    days = value.get("SHARE_LINK_DAYS", DEFAULTS["SHARE_LINK_DAYS"])
    cap = value.get("SHARE_LINK_MAX_DAYS", DEFAULTS["SHARE_LINK_MAX_DAYS"])
    hint = "Give whole numbers of days, with SHARE_LINK_DAYS at most SHARE_LINK_MAX_DAYS."
    if not _whole_days(days) or not _whole_days(cap):
        return [
            Error(
                "PROMOTION['SHARE_LINK_DAYS'] and PROMOTION['SHARE_LINK_MAX_DAYS'] must be "
                "positive whole numbers of days.",
                hint=hint,
                id="promotion.E011",
            )
        ]
    if days > cap:
        return [
            Error(
                f"PROMOTION['SHARE_LINK_DAYS'] ({days}) is more than "
                f"PROMOTION['SHARE_LINK_MAX_DAYS'] ({cap}).",
                hint=hint,
                id="promotion.E011",
            )
        ]
    return []


def _check_embedding(value: dict[str, Any]) -> list[Error]:
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    from promotion.embed import is_frame_origin

    errors: list[Error] = []
    base = value.get("BASE_TEMPLATE", DEFAULTS["BASE_TEMPLATE"])
    if not isinstance(base, str) or not base:
        errors.append(
            Error(
                "PROMOTION['BASE_TEMPLATE'] must be the name of a template.",
                hint=f"Name the host's base template, or leave out the key for "
                f"{DEFAULTS['BASE_TEMPLATE']!r}.",
                id="promotion.E009",
            )
        )
    else:
        try:
            get_template(base)
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            errors.append(
                Error(
                    f"PROMOTION['BASE_TEMPLATE'] names {base!r}, which cannot be loaded: "
                    f"{exc.__class__.__name__}: {exc}",
                    hint="Name a template the host's TEMPLATES can find; it needs "
                    "{% block content %}.",
                    id="promotion.E009",
                )
            )
    origins = value.get("FRAME_ANCESTORS", DEFAULTS["FRAME_ANCESTORS"])
    hint = (
        "List origins such as 'https://portal.example.org' (scheme, host and port only, "
        "no path), or \"'self'\"; leave it empty to let no site frame the app's pages."
    )
    if not isinstance(origins, list | tuple):
        errors.append(
            Error(
                "PROMOTION['FRAME_ANCESTORS'] must be a list of origins.",
                hint=hint,
                id="promotion.E010",
            )
        )
    else:
        for origin in origins:
            if not is_frame_origin(origin):
                errors.append(
                    Error(
                        f"PROMOTION['FRAME_ANCESTORS'] holds {origin!r}, which is not an origin.",
                        hint=hint,
                        id="promotion.E010",
                    )
                )
    errors += _policy_errors(
        value.get("CONTENT_SECURITY_POLICY", DEFAULTS["CONTENT_SECURITY_POLICY"])
    )
    return errors


def _number_locale_errors(locales: Any) -> list[Error]:
    from django.utils.formats import iter_format_modules

    hint = "A dict of deck language to a locale Django has formats for, e.g. {'es': 'es-mx'}."
    if not isinstance(locales, dict):
        return [
            Error(
                "PROMOTION['NUMBER_FORMAT_LOCALES'] must be a dict.",
                hint=hint,
                id="promotion.E017",
            )
        ]
    return [
        Error(
            f"PROMOTION['NUMBER_FORMAT_LOCALES'][{language!r}] is {locale!r}, a locale "
            "Django has no number formats for.",
            hint=hint,
            id="promotion.E017",
        )
        for language, locale in locales.items()
        if not isinstance(locale, str) or not any(True for _ in iter_format_modules(locale))
    ]


def _policy_errors(policy: Any) -> list[Error]:
    from promotion.security import is_source

    hint = (
        "A dict of directive to a list of sources, e.g. "
        "{'style-src': ['https://cdn.example.org']}, or None to send no policy; each source "
        "is one word, without ';' or ','."
    )
    if policy is None:
        return []
    if not isinstance(policy, dict):
        return [
            Error(
                "PROMOTION['CONTENT_SECURITY_POLICY'] must be a dict or None.",
                hint=hint,
                id="promotion.E016",
            )
        ]
    errors = []
    for directive, sources in policy.items():
        if not is_source(directive) or not isinstance(sources, list | tuple):
            errors.append(
                Error(
                    f"PROMOTION['CONTENT_SECURITY_POLICY'][{directive!r}] must be a list of "
                    "sources.",
                    hint=hint,
                    id="promotion.E016",
                )
            )
            continue
        for source in sources:
            if not is_source(source):
                errors.append(
                    Error(
                        f"PROMOTION['CONTENT_SECURITY_POLICY'][{directive!r}] holds "
                        f"{source!r}, which is not a source.",
                        hint=hint,
                        id="promotion.E016",
                    )
                )
    return errors


# Apps the promotion app builds on; a host must install them too.
REQUIRED_APPS = (
    "rest_framework",
    "simple_history",
    "import_export",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
)


@register(Tags.compatibility)
def check_required_apps(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from django.apps import apps

    missing = [name for name in REQUIRED_APPS if not apps.is_installed(name)]
    if not missing:
        return []
    return [
        Error(
            f"The promotion app needs {', '.join(repr(m) for m in missing)} in INSTALLED_APPS.",
            hint="Add them to INSTALLED_APPS (see the README, 'Add it to an existing Django "
            "project').",
            id="promotion.E006",
        )
    ]
