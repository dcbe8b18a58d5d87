"""Load a region data set: every record validated, all or nothing.

``loaddata`` saves records as they are (no ``full_clean``), so a latitude of 500 or a
fact without an as-of date would land silently. ``dataset_load`` deserializes the same
fixture format, validates each record with the model's own rules, and writes nothing
unless every record is valid. Errors name the record and the field.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, models, transaction

from promotion.models.base import natural_key_cache

DATASET_DIR = Path(__file__).resolve().parent.parent / "fixtures"
MAX_REPORTED_ERRORS = 25


class DatasetError(Exception):
    """The data set could not be loaded; nothing was written. ``errors`` lists why."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class DatasetReport:
    path: Path
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        labels = sorted(set(self.created) | set(self.updated))
        parts = [
            f"{label}: {self.created[label]} new, {self.updated[label]} reloaded"
            for label in labels
        ]
        return "; ".join(parts)


def dataset_path(name: str) -> Path:
    """The path of a data set shipped with the app, by name (``calibaja``)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise DatasetError([f"{name!r} is not a data set name (lowercase letters, digits, -)."])
    path = DATASET_DIR / f"{name}.json"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in DATASET_DIR.glob("*.json"))) or "none"
        raise DatasetError([f"No data set named {name!r}. Shipped data sets: {shipped}."])
    return path


def _identity(obj: Any) -> tuple[str, str | None]:
    """The record's model label and natural key, or ``None`` when it cannot be computed."""
    try:
        key = "/".join(str(part) for part in obj.natural_key())
    except Exception:  # an unresolved foreign key inside the natural key
        key = None
    return obj._meta.label_lower, key


def _validation_lines(where: str, error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{where}, field {name!r}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [f"{where}: {message}" for message in error.messages]


class _HistoryRecorder:
    """History rows for the records a load creates or changes, in models with a history.

    Records are saved raw (as ``loaddata`` does), which django-simple-history skips; a
    reload that changes nothing adds no row.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.rows: dict[type[models.Model], dict[Any, tuple[Any, ...]]] = {}
        self.created: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.changed: dict[type[models.Model], list[models.Model]] = defaultdict(list)

    @staticmethod
    def _attnames(model: type[models.Model]) -> list[str]:
        return [field.attname for field in model._meta.concrete_fields if not field.primary_key]

    def note(self, instance: models.Model, *, existed: bool) -> None:
        """Call before saving ``instance``."""
        model = type(instance)
        if not hasattr(model, "history"):
            return
        if not existed:
            self.created[model].append(instance)
            return
        if model not in self.rows:  # one query per model, for the whole load
            attnames = self._attnames(model)
            self.rows[model] = {
                pk: tuple(values)
                for pk, *values in model._base_manager.values_list("pk", *attnames)
            }
        values = tuple(getattr(instance, name) for name in self._attnames(model))
        if self.rows[model].get(instance.pk) != values:
            self.changed[model].append(instance)

    def record(self) -> None:
        for batches, update in ((self.created, False), (self.changed, True)):
            for model, instances in batches.items():
                model.history.bulk_history_create(  # type: ignore[attr-defined]
                    instances, update=update, default_change_reason=self.reason
                )


def _resolved_foreign_keys(instance: models.Model) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and getattr(instance, field.attname) is not None
    ]


@transaction.atomic
def _load(text: str, report: DatasetReport) -> None:
    history = _HistoryRecorder(reason=f"Loaded from the data set {report.path.name}")
    errors: list[str] = []
    deferred = []
    seen: dict[tuple[str, str | None], int] = {}
    index = 0
    stream = serializers.deserialize("json", text, handle_forward_references=True)
    while len(errors) < MAX_REPORTED_ERRORS:
        index += 1
        try:
            item = next(stream)
        except StopIteration:
            break
        except DeserializationError as exc:
            # Django names the model and the bad value; a missing natural key lands here.
            errors.append(f"record {index}: {exc}")
            continue
        instance = item.object
        identity = _identity(instance)
        where = f"record {index} ({identity[0]} {identity[1] or '?'!r})"
        if identity[1] is not None:
            if identity in seen:
                errors.append(f"{where}: the same record as record {seen[identity]}")
                continue
            seen[identity] = index
        # A natural key that matched an existing row gave the instance its primary key:
        # validate it as an update of that row, not as a new one.
        existed = instance.pk is not None
        instance._state.adding = not existed
        try:
            # Uniqueness and constraints are left to the database (one query per record
            # saved instead of several); foreign keys given by natural key were just
            # looked up, so their existence needs no second query either.
            instance.full_clean(
                exclude=[*(item.deferred_fields or ()), *_resolved_foreign_keys(instance)],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors.extend(_validation_lines(where, exc))
            continue
        history.note(instance, existed=existed)
        try:
            item.save()
        except IntegrityError as exc:
            # The transaction cannot go on after a database error: report and stop.
            errors.append(f"{where}: {exc}")
            break
        if item.deferred_fields:
            deferred.append((where, item))
        (report.updated if existed else report.created)[instance._meta.label_lower] += 1
    for where, item in deferred:
        try:
            item.save_deferred_fields()
        except Exception as exc:
            errors.append(f"{where}: {exc}")
    if errors:
        if len(errors) >= MAX_REPORTED_ERRORS:
            errors.append(f"... stopped after {MAX_REPORTED_ERRORS} errors.")
        raise DatasetError(errors)
    history.record()


def dataset_load(*, name: str | None = None, path: str | Path | None = None) -> DatasetReport:
    """Load a shipped data set by ``name`` or a fixture file at ``path``, atomically.

    Records are matched by natural key, so loading the same data set twice updates it in
    place. Raises ``DatasetError`` naming each bad record and field; then nothing is
    written.
    """
    if (name is None) == (path is None):
        raise TypeError("Give exactly one of name or path.")
    file = dataset_path(name) if name is not None else Path(path)  # type: ignore[arg-type]
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError([f"{file}: no such file."]) from None
    except UnicodeDecodeError as exc:
        raise DatasetError(
            [f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})."]
        ) from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            [f"{file}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."]
        ) from None
    report = DatasetReport(path=file)
    with natural_key_cache():
        _load(text, report)
    return report
