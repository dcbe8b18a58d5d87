"""The loader: all or nothing, errors that name the record and the field."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from promotion.models import Fact, Region, Source, Topic
from promotion.services.datasets import DatasetError, dataset_load

REGION = {
    "model": "promotion.region",
    "fields": {
        "slug": "testland",
        "name": "Testland",
        "min_latitude": "31.0",
        "max_latitude": "33.6",
        "min_longitude": "-117.7",
        "max_longitude": "-114.4",
    },
}
SOURCE = {
    "model": "promotion.source",
    "fields": {
        "region": ["testland"],
        "key": "S1",
        "title": "Census",
        "publisher": "INEGI",
        "url": "https://example.org/census",
        "published_on": "2020-03-01",
        "authority": "official",
    },
}
TOPIC = {
    "model": "promotion.topic",
    "fields": {"slug": "demographics", "name_en": "People", "name_es": "Población"},
}


def fact(key: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "region": ["testland"],
        "key": key,
        "text_en": f"Statement {key}.",
        "text_es": f"Afirmación {key}.",
        "value": "1",
        "as_of": "2020-01-01",
        "source": ["testland", "S1"],
        "topics": [["demographics"]],
    }
    base.update(fields)
    return {"model": "promotion.fact", "fields": base}


def write(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_good_file_loads_and_loading_again_updates_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, [REGION, SOURCE, TOPIC, fact("F-1"), fact("F-2")])
    report = dataset_load(path=path)
    assert report.created["promotion.fact"] == 2
    assert list(Fact.objects.get(key="F-1").topics.values_list("slug", flat=True)) == [
        "demographics"
    ]

    again = dataset_load(path=path)
    assert again.created["promotion.fact"] == 0
    assert again.updated["promotion.fact"] == 2
    assert Fact.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_record", "expected"),
    [
        (fact("F-9", as_of=None), "record 6 (promotion.fact 'testland/F-9'), field 'as_of'"),
        (fact("F-9", text_en="x" * 1001), "field 'text_en'"),
        (fact("F-9", source=["testland", "S404"]), "record 6"),
        (
            {
                "model": "promotion.locality",
                "fields": {
                    "region": ["testland"],
                    "slug": "mars",
                    "name": "Mars",
                    "kind": "city",
                    "country": "MX",
                    "admin_area": "Baja California",
                    "latitude": "80.0",
                    "longitude": "-117.0",
                },
            },
            "(promotion.locality 'testland/mars'), field 'latitude': 80.0, -117.0 lies "
            "outside the region Testland",
        ),
        (fact("F-1"), "record 6 (promotion.fact 'testland/F-1'): the same record as record 4"),
        # Caught by the database's own constraints, still named:
        (fact("F-9", text_en="Statement F-1."), "record 6 (promotion.fact 'testland/F-9'): "),
        (
            {
                "model": "promotion.locality",
                "fields": {
                    "region": ["testland"],
                    "slug": "tecate",
                    "name": "Tecate",
                    "kind": "municipality",
                    "country": "MX",
                    "admin_area": "Baja California",
                    "latitude": "32.57",
                    "longitude": "-116.62",
                    "population": 100000,
                },
            },
            "promotion_locality_population_sourced",
        ),
    ],
)
def test_a_broken_file_changes_nothing_and_names_record_and_field(
    tmp_path: Path, bad_record: dict[str, object], expected: str
) -> None:
    good = [REGION, SOURCE, TOPIC, fact("F-1"), fact("F-2")]
    path = write(tmp_path, [*good, bad_record])
    with pytest.raises(DatasetError) as caught:
        dataset_load(path=path)
    assert expected in str(caught.value)
    assert not Region.objects.exists()
    assert not Source.objects.exists()
    assert not Topic.objects.exists()
    assert not Fact.objects.exists()


@pytest.mark.django_db
def test_loading_records_history_for_what_it_creates_or_changes(tmp_path: Path) -> None:
    dataset_load(path=write(tmp_path, [REGION, SOURCE, TOPIC, fact("F-1"), fact("F-2")]))
    fact_one = Fact.objects.get(key="F-1")
    assert [h.history_type for h in fact_one.history.all()] == ["+"]
    assert fact_one.history.get().history_change_reason == "Loaded from the data set data.json"

    changed = fact("F-1", value="2")
    dataset_load(path=write(tmp_path, [REGION, SOURCE, TOPIC, changed, fact("F-2")]))
    assert [h.history_type for h in fact_one.history.order_by("history_date")] == ["+", "~"]
    assert fact_one.history.first().value == "2"
    assert Fact.objects.get(key="F-2").history.count() == 1  # unchanged: no new row


@pytest.mark.django_db
def test_a_broken_update_leaves_the_previous_data_as_it_was(tmp_path: Path) -> None:
    dataset_load(path=write(tmp_path, [REGION, SOURCE, TOPIC, fact("F-1")]))
    changed = fact("F-1", text_en="Changed statement.")
    broken = fact("F-2", as_of="not a date")
    with pytest.raises(DatasetError, match="record 5"):
        dataset_load(path=write(tmp_path, [REGION, SOURCE, TOPIC, changed, broken]))
    assert Fact.objects.get().text_en == "Statement F-1."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[{"model": "promotion.region",', "not valid JSON"),
        (b"\xff\xfe\x00[", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_clearly(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=expected):
        dataset_load(path=path)


@pytest.mark.django_db
def test_the_command_reports_errors_and_leaves_the_database_unchanged(tmp_path: Path) -> None:
    path = write(tmp_path, [REGION, SOURCE, TOPIC, fact("F-1", as_of=None)])
    with pytest.raises(CommandError) as caught:
        call_command("promotion_load_region", file=str(path))
    assert "the database is unchanged" in str(caught.value)
    assert "field 'as_of'" in str(caught.value)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_data_set() -> None:
    with pytest.raises(CommandError, match=r"No data set named 'atlantis'\. Shipped data sets:"):
        call_command("promotion_load_region", region="atlantis")


@pytest.mark.django_db
def test_the_command_loads_the_shipped_data_set_by_default() -> None:
    out = StringIO()
    call_command("promotion_load_region", stdout=out)
    assert "Loaded calibaja.json" in out.getvalue()
    assert Region.objects.filter(slug="calibaja").exists()
