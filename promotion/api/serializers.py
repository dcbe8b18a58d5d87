"""API serializers. Region data is public marketing data; internal fields never appear."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from promotion.models import Fact, Language, Region, Source


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = [
            "slug",
            "name",
            "description_en",
            "description_es",
            "min_latitude",
            "max_latitude",
            "min_longitude",
            "max_longitude",
        ]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["key", "title", "publisher", "url", "published_on", "authority"]
        read_only_fields = fields


class FactSerializer(serializers.ModelSerializer):
    """A published fact with its source. ``note`` is for staff only and is never listed."""

    source = SourceSerializer(read_only=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    locality = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Fact
        fields = [
            "id",
            "key",
            "text_en",
            "text_es",
            "value",
            "value_number",
            "unit_en",
            "unit_es",
            "as_of",
            "as_of_precision",
            "kind",
            "topics",
            "locality",
            "source",
        ]
        read_only_fields = fields


class AnswerQuerySerializer(serializers.Serializer):
    """The query string of ``regions/{slug}/answer/``."""

    q = serializers.CharField(
        max_length=500,
        trim_whitespace=True,
        error_messages={
            "required": "Give the question as ?q=...",
            "blank": "The question (?q=) is empty.",
            "max_length": "The question (?q=) is longer than {max_length} characters.",
        },
    )
    lang = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        error_messages={"invalid_choice": "lang must be en or es."},
    )

    def to_internal_value(self, data: Any) -> Any:
        # A QueryDict: take single values, ignore parameters we do not know.
        return super().to_internal_value({k: data.get(k) for k in ("q", "lang") if k in data})


class AnswerSourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.CharField()


class AnswerFactSerializer(serializers.Serializer):
    """One fact of an answer, in the answer's language (English where untranslated)."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    translated = serializers.BooleanField()
    value = serializers.CharField(allow_blank=True)
    unit = serializers.CharField(allow_blank=True)
    as_of = serializers.DateField()
    source = AnswerSourceSerializer()


class AnswerSerializer(serializers.Serializer):
    """The answer to one question: the shape of ``promotion_answer --json``. Where no
    published fact answers, ``answered`` is false and ``facts`` is empty."""

    question = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices)
    answered = serializers.BooleanField()
    topic = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField()
    facts = AnswerFactSerializer(many=True)
