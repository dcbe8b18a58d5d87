from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# Natural keys already resolved during a data-set load: a fixture names the same region,
# topics and sources thousands of times.
_natural_keys: ContextVar[dict[tuple[str, tuple[Any, ...]], Any] | None] = ContextVar(
    "promotion_natural_keys", default=None
)


@contextmanager
def natural_key_cache() -> Iterator[None]:
    """Remember ``get_by_natural_key`` results until the block ends (one load)."""
    token = _natural_keys.set({})
    try:
        yield
    finally:
        _natural_keys.reset(token)


def related(instance: models.Model, field_name: str) -> Any:
    """``getattr(instance, field_name)`` for a foreign key (``None`` when unset),
    remembered during a load.

    ``natural_key()`` and ``clean()`` of every record read its region or source; during a
    load each distinct one is fetched once instead of once per record.
    """
    cache = _natural_keys.get()
    field = instance._meta.get_field(field_name)
    pk = getattr(instance, field.attname)  # type: ignore[union-attr]
    if pk is None:
        return None
    if cache is None or field.is_cached(instance):  # type: ignore[union-attr]
        return getattr(instance, field_name)
    cache_key = (field.related_model._meta.label_lower, ("pk", pk))  # type: ignore[union-attr]
    if cache_key not in cache:
        cache[cache_key] = getattr(instance, field_name)
    else:
        field.set_cached_value(instance, cache[cache_key])  # type: ignore[union-attr]
    return cache[cache_key]


class NaturalKeyManager(models.Manager):
    """``get_by_natural_key`` from ``natural_key_lookup``, remembered during a load."""

    def natural_key_lookup(self, *key: Any) -> dict[str, Any]:
        raise NotImplementedError

    def get_by_natural_key(self, *key: Any) -> Any:
        cache = _natural_keys.get()
        if cache is None:
            return self.get(**self.natural_key_lookup(*key))
        cache_key = (self.model._meta.label_lower, key)
        if cache_key not in cache:
            cache[cache_key] = self.get(**self.natural_key_lookup(*key))
        return cache[cache_key]


class Language(models.TextChoices):
    """The languages a deck or an answer can be given in."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


def localized(obj: object, field: str, language: str) -> tuple[str, bool]:
    """Return ``(text, translated)`` for ``<field>_<language>``.

    Bilingual fields come in pairs, ``<field>_en`` and ``<field>_es``. When the asked
    language is empty, the English text is returned with ``translated=False`` so that the
    caller can mark it as untranslated rather than drop it.
    """
    text = getattr(obj, f"{field}_{language}", "") or ""
    if text:
        return text, True
    fallback = getattr(obj, f"{field}_{Language.ENGLISH}", "") or ""
    return fallback, language == Language.ENGLISH
