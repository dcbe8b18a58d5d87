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
    return errors


# Apps the promotion app builds on; a host must install them too.
REQUIRED_APPS = ("rest_framework", "simple_history", "import_export")


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
