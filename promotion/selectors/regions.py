"""Who may change region data: superusers, and each region's editors for that region."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from promotion.models import Region


def regions_editable_by(*, user: Any) -> QuerySet[Region]:
    if not (user.is_active and user.is_authenticated):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(editors__user=user)
