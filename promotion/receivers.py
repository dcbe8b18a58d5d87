"""Signal receivers: keep the answer matchers' cache in step with the data.

Connected when the app is ready (``PromotionConfig.ready``). Every save or delete of what a
matcher reads marks the region's data as changed (``promotion.answering.cache``), once at
once, so the same request sees its own change, and once more when the transaction
commits, so another process cannot keep a snapshot read before the commit.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from promotion.answering.cache import knowledge_changed
from promotion.models import (
    Fact,
    IndustryCluster,
    InfrastructureAsset,
    Institution,
    Locality,
    Partner,
    Region,
    Source,
    TalentPool,
    Topic,
    TopicAlias,
)

REGION_DATA = (
    Fact,
    Source,
    Locality,
    InfrastructureAsset,
    Institution,
    TalentPool,
    Partner,
    IndustryCluster,
)


def _changed(region_id: int | None) -> None:
    knowledge_changed(region_id=region_id)
    transaction.on_commit(partial(knowledge_changed, region_id=region_id))


def region_data_changed(*, sender: Any, instance: Any, **kwargs: Any) -> None:
    _changed(instance.pk if isinstance(instance, Region) else instance.region_id)


def topics_changed(*, sender: Any, instance: Any, **kwargs: Any) -> None:
    _changed(None)


def fact_topics_changed(*, sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    # From a fact: that fact's region. From a topic (reverse side): every region.
    _changed(instance.region_id if isinstance(instance, Fact) else None)


for model in (*REGION_DATA, Region):
    post_save.connect(
        region_data_changed, sender=model, dispatch_uid=f"promotion_answers_{model.__name__}_save"
    )
    post_delete.connect(
        region_data_changed, sender=model, dispatch_uid=f"promotion_answers_{model.__name__}_delete"
    )
for model in (Topic, TopicAlias):
    post_save.connect(
        topics_changed, sender=model, dispatch_uid=f"promotion_answers_{model.__name__}_save"
    )
    post_delete.connect(
        topics_changed, sender=model, dispatch_uid=f"promotion_answers_{model.__name__}_delete"
    )
m2m_changed.connect(
    fact_topics_changed, sender=Fact.topics.through, dispatch_uid="promotion_answers_fact_topics"
)
