"""Shared machinery of the matrices: requests that another partner's object must answer
exactly like a missing one, state snapshots, and collecting every failure of a run."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core import serializers

from tests.leak.endpoints import prospect_path
from tests.leak.oracle import FULL, NONE, LeakFound, World, assert_no_leak, expected_access

IGNORED_HEADERS = {"date", "expires"}  # the time of the response


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.streaming_content = iter([body])
        return body
    return response.content


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"csrfToken":\s*")[^"]+"')


def _alike_but_for_ids(a: str, b: str, a_id: Any, b_id: Any) -> bool:
    """Whether ``a`` and ``b`` differ only where ``a`` has ``a_id`` and ``b`` has
    ``b_id`` (token by token: a "2" in an SVG path is not the id 2)."""
    ta, tb = re.findall(r"\w+|\W", a), re.findall(r"\w+|\W", b)
    start = 0
    while start < min(len(ta), len(tb)) and ta[start] == tb[start]:
        start += 1
    end = 0
    while end < min(len(ta), len(tb)) - start and ta[-1 - end] == tb[-1 - end]:
        end += 1
    ta, tb = ta[start : len(ta) - end], tb[start : len(tb) - end]
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 != j2 - j1:
            return False
        if set(ta[i1:i2]) != {str(a_id)} or set(tb[j1:j2]) != {str(b_id)}:
            return False
    return True


def difference(other: Any, other_id: Any, missing: Any, missing_id: Any) -> str | None:
    """Why ``other`` (another partner's object) is told apart from ``missing`` (an id
    that does not exist), or None when they answer alike."""
    if other.status_code != missing.status_code:
        return f"status {other.status_code} vs {missing.status_code} for a missing id"
    a, b = body_of(other).decode("utf-8", "replace"), body_of(missing).decode("utf-8", "replace")
    a, b = _CSRF.sub(r'\1"', a), _CSRF.sub(r'\1"', b)  # a new token on every page
    if a != b and not _alike_but_for_ids(a, b, other_id, missing_id):
        at = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        here, there = a[max(0, at - 80) : at + 120], b[max(0, at - 80) : at + 120]
        return f"body differs at {at}: …{here!r} vs …{there!r}"
    ha = {k.lower(): v for k, v in other.items() if k.lower() not in IGNORED_HEADERS}
    hb = {k.lower(): v for k, v in missing.items() if k.lower() not in IGNORED_HEADERS}
    if ha.keys() != hb.keys() or any(
        ha[k] != hb[k] and not _alike_but_for_ids(ha[k], hb[k], other_id, missing_id) for k in ha
    ):
        return f"headers differ: {ha} vs {hb}"
    return None


def crm_models() -> list[Any]:
    from django.apps import apps

    return [
        m for m in apps.get_app_config("promotion").get_models() if prospect_path(m) is not None
    ]


def snapshot(world: World, viewer: Any) -> dict[str, str]:
    """Every CRM row of the prospects ``viewer`` may not see at all, serialised."""
    hidden = [p for p in world.prospects.values() if expected_access(viewer, p) is NONE]
    state = {}
    for model in crm_models():
        path = prospect_path(model)
        lookup = "pk__in" if path == "" else f"{path}__in"
        rows = model._default_manager.filter(**{lookup: [p.pk for p in hidden]}).order_by("pk")
        state[model._meta.label] = serializers.serialize("json", rows)
    return state


# Rows that are identity-level (free text or personal data): hidden from a partner that
# sees the prospect by its codename only. Other CRM rows follow the prospect itself.
IDENTITY_MODELS = {"contact", "interaction", "question"}
# Rows only the owner partner's staff see (who else it shares with, its share links).
OWNER_MODELS = {"prospectshare", "sharelink"}


def sees_row(viewer: Any, model: Any, prospect: Any) -> bool:
    access = expected_access(viewer, prospect)
    name = model._meta.model_name
    if name in OWNER_MODELS:
        return bool(
            viewer is not None
            and viewer.is_authenticated
            and (
                viewer.is_superuser
                or viewer.promotion_memberships.filter(partner_id=prospect.partner_id).exists()
            )
        )
    if name in IDENTITY_MODELS:
        return access == FULL
    return access is not NONE


@dataclass
class Run:
    """Collects every failure of a matrix run, so one test reports them all."""

    world: World
    viewer: Any
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    compared: int = 0
    forbidden: list[Any] | None = None

    def scan(self, content: Any, where: str) -> None:
        if self.forbidden is None:  # the rules do not change during a matrix run
            self.forbidden = self.world.forbidden(self.viewer)
        try:
            assert_no_leak(
                content, self.viewer, world=self.world, where=where, forbidden=self.forbidden
            )
        except LeakFound as exc:
            self.failures.append(str(exc))

    def like_missing(
        self, where: str, other: Any, other_id: Any, missing: Any, missing_id: Any
    ) -> None:
        self.compared += 1
        why = difference(other, other_id, missing, missing_id)
        if why:
            self.failures.append(f"{where}: another partner's object is told apart: {why}")

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(
            self.failures[:40]
        )
