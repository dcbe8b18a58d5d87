"""The leak oracle: canaries in every CRM text field, the expected visibility modelled
from the rules, and ``assert_no_leak`` that scans anything produced for a user.

Every text field of every CRM model (found from the models' fields, so a field added
later gets a canary without an edit here) holds a unique string such as
``CANARY-B-company_name-7f3a``; the figures hold distinctive 9- to 12-digit numbers.
Each canary carries the *level* of access that reveals it:

- ``visible``: whoever sees the prospect (its staff, and a partner it is shared with,
  even by codename only): codename, industry, figures, site needs, reason lost;
- ``identity``: whoever may see who the company is (its staff, and a partner it is
  shared with ``reveal_identity``): the company, notes, host data, contacts,
  interactions and questions (free text that may name the company);
- ``staff``: the partner's staff users, seen by colleagues, and by a partner that sees
  the identity of one of the partner's prospects (it works with them on it).

``expected_access`` decides from the memberships and shares in the database, with the
rules written out here again, *not* by calling ``promotion.selectors``: the oracle checks
the selectors, it does not trust them.
"""

from __future__ import annotations

import base64
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

FULL = "full"
CODENAME = "codename"
NONE = None

# Which text fields a codename-only partner may see (the rest are identity-level).
VISIBLE_TEXT_FIELDS = {
    ("prospect", "codename"),
    ("prospect", "industry"),
    ("prospect", "lost_reason"),
    ("prospect", "site_needs"),
}
# Text fields that cannot hold a canary (validated codes).
SKIPPED_TEXT_FIELDS = {("prospect", "country"), ("prospect", "naics_code")}


class LeakFound(AssertionError):
    """A canary reached someone who may not see it."""


@dataclass(frozen=True)
class Canary:
    text: str
    owner: str  # the prospect key ("B"), or "staff:B" for users
    partner: str  # the owner partner's key
    model: str
    field: str
    level: str  # "visible", "identity" or "staff"
    number: bool = False


@dataclass
class CanaryBook:
    """Every canary planted, by owner."""

    canaries: list[Canary] = field(default_factory=list)

    def add(self, canary: Canary) -> Canary:
        assert all(c.text.lower() != canary.text.lower() for c in self.canaries), canary
        self.canaries.append(canary)
        return canary

    def of(self, owner: str) -> list[Canary]:
        return [c for c in self.canaries if c.owner == owner]


def token() -> str:
    return secrets.token_hex(3)


def text_canary(partner_key: str, owner: str, model: str, field_name: str) -> str:
    return f"CANARY-{owner}-{model}-{field_name}-{token()}"


def canary_value(db_field: models.Field, text: str) -> str:
    """A valid value of ``db_field`` that contains ``text``."""
    if isinstance(db_field, models.EmailField):
        return f"{text.lower()}@example.test"
    if isinstance(db_field, models.URLField):
        return f"https://{text.lower()}.example.test/"
    if isinstance(db_field, models.SlugField):
        return text.lower()
    return text


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's free-text fields: every one gets a canary."""
    found = []
    name = model._meta.model_name
    for db_field in model._meta.concrete_fields:
        if not isinstance(db_field, models.CharField | models.TextField):
            continue
        if db_field.choices or db_field.primary_key or (name, db_field.name) in SKIPPED_TEXT_FIELDS:
            continue
        found.append(db_field)
    return found


def plant_text(
    book: CanaryBook, instance: models.Model, *, owner: str, partner: str, level_of: Any
) -> None:
    """Fill every text field of ``instance`` with a canary (not saved here)."""
    model = instance._meta.model_name
    for db_field in text_fields(type(instance)):
        text = text_canary(partner, owner, model, db_field.name)
        value = canary_value(db_field, text)
        if db_field.max_length:
            assert len(value) <= db_field.max_length, (db_field, value)
        setattr(instance, db_field.attname, value)
        book.add(Canary(text, owner, partner, model, db_field.name, level_of(model, db_field.name)))


def distinctive_number(digits: int) -> int:
    """A number no id, date or count will print by chance: no repeated digit pairs."""
    while True:
        value = secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)
        text = str(value)
        if len(set(text)) >= digits - 2:
            return value


def number_variants(value: int | Decimal) -> list[str]:
    """How a figure may be printed: plain, or grouped by thousands in either language."""
    integer = int(value)
    grouped = f"{integer:,}"
    return sorted(
        {
            str(integer),
            grouped,
            grouped.replace(",", "."),
            grouped.replace(",", " "),
            grouped.replace(",", "\u00a0"),
            grouped.replace(",", "\u202f"),
        }
    )


def level_for(model: str, field_name: str) -> str:
    return "visible" if (model, field_name) in VISIBLE_TEXT_FIELDS else "identity"


# --- The rules, modelled --------------------------------------------------------------


def expected_access(user: Any, prospect: Any) -> str | None:
    """``full``, ``codename`` or None: what ``user`` may see of ``prospect`` by the rules
    (membership of the owner: full; an active share to one of the user's partners:
    full if it reveals the identity, else codename; superuser: full)."""
    from promotion.models import PartnerMembership, ProspectShare

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NONE
    if user.is_superuser:
        return FULL
    mine = set(PartnerMembership.objects.filter(user=user).values_list("partner_id", flat=True))
    if prospect.partner_id in mine:
        return FULL
    shares = ProspectShare.objects.filter(
        prospect_id=prospect.pk, partner_id__in=mine, revoked_at__isnull=True
    )
    if not shares.exists():
        return NONE
    return FULL if shares.filter(reveal_identity=True).exists() else CODENAME


def expected_can_edit(user: Any, prospect: Any) -> bool:
    from promotion.models import PartnerMembership, ProspectShare

    if expected_access(user, prospect) is NONE:
        return False
    if user.is_superuser:
        return True
    editing = set(
        PartnerMembership.objects.filter(user=user, role__in=["editor", "manager"]).values_list(
            "partner_id", flat=True
        )
    )
    if prospect.partner_id in editing:
        return True
    return ProspectShare.objects.filter(
        prospect_id=prospect.pk, partner_id__in=editing, revoked_at__isnull=True, access="edit"
    ).exists()


@dataclass
class World:
    """What the leak tests plant: partners, prospects by key, users by role, canaries."""

    book: CanaryBook
    partners: dict[str, Any]
    prospects: dict[str, Any]
    users: dict[str, Any]
    region: Any
    decks: dict[str, Any] = field(default_factory=dict)

    def allowed(self, viewer: Any, canary: Canary) -> bool:
        from promotion.models import PartnerMembership, Prospect

        if canary.level == "staff":
            if viewer is None or not getattr(viewer, "is_authenticated", False):
                return False
            if viewer.is_superuser:
                return True
            partner = self.partners[canary.partner]
            if PartnerMembership.objects.filter(user=viewer, partner=partner).exists():
                return True
            return any(
                expected_access(viewer, p) == FULL for p in Prospect.objects.filter(partner=partner)
            )
        prospect = Prospect.objects.filter(pk=self.prospects[canary.owner].pk).first()
        if prospect is None:
            return False
        access = expected_access(viewer, prospect)
        if canary.level == "visible":
            return access in (FULL, CODENAME)
        return access == FULL

    def forbidden(self, viewer: Any) -> list[Canary]:
        cache: dict[tuple[str, str], bool] = {}
        result = []
        for canary in self.book.canaries:
            key = (canary.owner, canary.level)
            if key not in cache:
                cache[key] = self.allowed(viewer, canary)
            if not cache[key]:
                result.append(canary)
        return result


# --- Scanning ---------------------------------------------------------------------------


def to_text(content: Any) -> str:
    """Whatever was produced, as searchable text: PDFs through pypdf (text, metadata,
    annotations) and raw bytes; XLSX and other zips through their XML; JSON as dumped."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        parts = [data.decode("utf-8", "replace"), data.decode("latin-1")]
        if data.startswith(b"%PDF"):
            parts.append(pdf_text(data))
        elif data.startswith(b"PK"):
            parts.append(zip_text(data))
        return "\n".join(parts)
    if isinstance(content, dict | list | tuple):
        return json.dumps(content, default=str, ensure_ascii=False)
    return str(content)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [str(reader.metadata or {})]
    for page in reader.pages:
        parts.append(page.extract_text() or "")
        for annotation in page.get("/Annots") or []:
            parts.append(str(annotation.get_object()))
    return "\n".join(parts)


def zip_text(data: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts.append(name)
            parts.append(archive.read(name).decode("utf-8", "replace"))
    return "\n".join(parts)


def broker_text(value: bytes | str) -> str:
    """A value kept by a Redis broker or result backend, as searchable text: itself, and
    where it is kombu's JSON envelope (queued or unacknowledged), its base64 body decoded
    (a task's arguments travel there, unreadable as stored)."""
    raw = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    parts = [raw]
    try:
        loaded = json.loads(raw)
    except ValueError:
        return raw
    pending = [loaded]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            properties = item.get("properties")
            body = item.get("body")
            if (
                isinstance(properties, dict)
                and properties.get("body_encoding") == "base64"
                and isinstance(body, str)
            ):
                decoded = base64.b64decode(body)
                parts.append(broker_text(decoded))
            pending.extend(item.values())
    return "\n".join(parts)


def redis_text(url: str) -> str:
    """Everything in the Redis at ``url``, in every database: every key's name and value,
    of every type (queues, unacknowledged messages, bindings, task results...)."""
    import redis

    parts = []
    admin = redis.Redis.from_url(url)
    try:
        databases = sorted(int(name[2:]) for name in admin.info("keyspace"))
    finally:
        admin.close()
    for db in databases:
        client = redis.Redis.from_url(url, db=db)
        try:
            for key in client.scan_iter(count=500):
                kind = client.type(key).decode()
                values: list[Any]
                if kind == "string":
                    values = [client.get(key)]
                elif kind == "list":
                    values = client.lrange(key, 0, -1)
                elif kind == "hash":
                    values = [x for pair in client.hgetall(key).items() for x in pair]
                elif kind == "set":
                    values = list(client.smembers(key))
                elif kind == "zset":
                    values = [m for m, _score in client.zrange(key, 0, -1, withscores=True)]
                elif kind == "stream":
                    values = [str(entry) for entry in client.xrange(key)]
                else:
                    raise AssertionError(f"a Redis key of a type not scanned: {kind} {key!r}")
                parts.append(f"db{db} {kind} {key.decode('utf-8', 'replace')}")
                parts.extend(broker_text(v) for v in values if v is not None)
        finally:
            client.close()
    return "\n".join(parts)


def response_text(response: Any) -> str:
    """Status line, headers and body of a Django response (streamed ones included)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.streaming_content = iter([body])  # still readable afterwards
    else:
        body = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{response.status_code}\n{headers}\n\n{to_text(body)}"


_SQUASH = re.compile(r"\s+")


def find_leaks(text: str, canaries: list[Canary]) -> list[tuple[Canary, str]]:
    lowered = text.lower()
    squashed = _SQUASH.sub("", lowered)  # a PDF may break a canary over two lines
    found = []
    for canary in canaries:
        if canary.number:
            pattern = rf"(?<![\d.,]){re.escape(canary.text)}(?![\d])"
            match = re.search(pattern, text)
            if match:
                found.append((canary, text[max(0, match.start() - 60) : match.end() + 60]))
            continue
        needle = canary.text.lower()
        at = lowered.find(needle)
        if at >= 0:
            found.append((canary, text[max(0, at - 60) : at + len(needle) + 60]))
        elif needle in squashed:
            found.append((canary, "(in text broken over lines)"))
    return found


def assert_no_leak(
    content: Any,
    viewer: Any,
    *,
    world: World,
    where: str = "",
    forbidden: list[Canary] | None = None,
) -> None:
    """Fail when ``content`` holds a canary that ``viewer`` (a user, or None for an
    anonymous visitor) may not see by the rules (``forbidden``: computed already)."""
    text = response_text(content) if hasattr(content, "status_code") else to_text(content)
    leaks = find_leaks(text, world.forbidden(viewer) if forbidden is None else forbidden)
    if leaks:
        who = getattr(viewer, "get_username", lambda: "anonymous")() if viewer else "anonymous"
        lines = [
            f"  {c.owner}.{c.model}.{c.field} ({c.level}) {c.text!r}: …{ctx!r}…" for c, ctx in leaks
        ]
        raise LeakFound(f"leak to {who} in {where or 'content'}:\n" + "\n".join(lines[:20]))
