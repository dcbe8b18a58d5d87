"""The storage the app keeps its files in, chosen by ``PROMOTION['FILE_STORAGE']``.

``PromotionStorage`` forwards every call to ``storages[PROMOTION['FILE_STORAGE']]`` at the
moment of the call, so the setting is never read at import time, a test's
``override_settings`` takes effect, and migrations do not depend on the host's choice.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

from promotion.conf import promotion_settings


def file_storage() -> Storage:
    """The storage backend the app's files go to right now."""
    return storages[promotion_settings.FILE_STORAGE]


@deconstructible(path="promotion.storage.PromotionStorage")
class PromotionStorage(Storage):
    def _backend(self) -> Storage:
        return file_storage()

    def open(self, name: str, mode: str = "rb") -> Any:
        return self._backend().open(name, mode)

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self._backend().save(name, content, max_length=max_length)

    def delete(self, name: str) -> None:
        self._backend().delete(name)

    def exists(self, name: str) -> bool:
        return self._backend().exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self._backend().listdir(path)

    def size(self, name: str) -> int:
        return self._backend().size(name)

    def url(self, name: str | None) -> str:
        return self._backend().url(name)

    def path(self, name: str) -> str:
        return self._backend().path(name)

    def get_valid_name(self, name: str) -> str:
        return self._backend().get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str) -> str:
        return self._backend().generate_filename(filename)

    def get_accessed_time(self, name: str) -> Any:
        return self._backend().get_accessed_time(name)

    def get_created_time(self, name: str) -> Any:
        return self._backend().get_created_time(name)

    def get_modified_time(self, name: str) -> Any:
        return self._backend().get_modified_time(name)
