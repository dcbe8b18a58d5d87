from __future__ import annotations

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings

from promotion.conf import DEFAULTS, promotion_settings


def test_defaults_apply_when_the_host_sets_nothing() -> None:
    with override_settings(PROMOTION={}):
        assert promotion_settings.DEFAULT_REGION == "calibaja"
        assert promotion_settings.FACT_REVIEW_AFTER_YEARS == DEFAULTS["FACT_REVIEW_AFTER_YEARS"]


def test_override_settings_takes_effect_and_is_undone() -> None:
    with override_settings(PROMOTION={"FACT_REVIEW_AFTER_YEARS": 7}):
        assert promotion_settings.FACT_REVIEW_AFTER_YEARS == 7
    assert promotion_settings.FACT_REVIEW_AFTER_YEARS == DEFAULTS["FACT_REVIEW_AFTER_YEARS"]


def test_unknown_key_raises() -> None:
    with pytest.raises(AttributeError, match="NO_SUCH_KEY"):
        promotion_settings.NO_SUCH_KEY  # noqa: B018


def check_ids() -> set[str]:
    # The app's checks are compatibility checks; others may need the database.
    messages = run_checks(tags=[Tags.compatibility])
    return {message.id for message in messages if message.id.startswith("promotion.")}


def test_checks_pass_with_the_defaults() -> None:
    assert check_ids() == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not a dict", "promotion.E001"),
        ({"TYPO": 1}, "promotion.E002"),
        ({"FILE_STORAGE": "nowhere"}, "promotion.E003"),
        ({"FACT_REVIEW_AFTER_YEARS": 0}, "promotion.E004"),
        ({"FACT_REVIEW_AFTER_YEARS": "3"}, "promotion.E004"),
        ({"API_AUTHENTICATION_CLASSES": ["no.such.Auth"]}, "promotion.E013"),
        ({"API_AUTHENTICATION_CLASSES": "promotion.api.Auth"}, "promotion.E013"),
        ({"API_THROTTLE_RATES": {"user": "5/fortnight"}}, "promotion.E014"),
        ({"API_THROTTLE_RATES": ["5/minute"]}, "promotion.E014"),
        ({"API_THROTTLE_CACHE": "nowhere"}, "promotion.E015"),
        ({"NUMBER_FORMAT_LOCALES": {"es": "xx-nowhere"}}, "promotion.E017"),
        ({"NUMBER_FORMAT_LOCALES": ["es-mx"]}, "promotion.E017"),
    ],
)
def test_bad_configuration_is_a_system_check_error(value: object, expected: str) -> None:
    with override_settings(PROMOTION=value):
        assert expected in check_ids()


@pytest.mark.parametrize(
    "app", ["import_export", "django_filters", "drf_spectacular", "drf_spectacular_sidecar"]
)
def test_a_missing_companion_app_is_a_system_check_error(app: str) -> None:
    from django.conf import settings

    apps_without = [name for name in settings.INSTALLED_APPS if name != app]
    with override_settings(INSTALLED_APPS=apps_without):
        messages = run_checks(tags=[Tags.compatibility])
    assert any(m.id == "promotion.E006" and repr(app) in m.msg for m in messages)
