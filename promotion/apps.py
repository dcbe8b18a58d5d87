from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    name = "promotion"
    label = "promotion"
    verbose_name = _("Investment promotion")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from promotion import checks, receivers  # noqa: F401  (registration only)
