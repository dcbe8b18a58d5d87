from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from promotion import models


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user of whatever user model the host has: ``username`` becomes its login.

    With the portal's e-mail login (tests/settings_portal.py) ``username="editor"`` creates
    ``editor@example.org``.
    """

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("secret")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, username: str, **kwargs: Any) -> Any:
        login_field = model_class.USERNAME_FIELD
        login = username if login_field == "username" else f"{username}@example.org"
        email_field = model_class.get_email_field_name()
        if email_field != login_field and any(
            f.name == email_field for f in model_class._meta.get_fields()
        ):
            kwargs.setdefault(email_field, f"{username}@example.org")
        manager = cls._get_manager(model_class)
        user, _created = manager.get_or_create(**{login_field: login}, defaults=kwargs)
        return user


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Region
        django_get_or_create = ("slug",)

    slug = "calibaja"
    name = "Cali-Baja"
    min_latitude = Decimal("31.0")
    max_latitude = Decimal("33.6")
    min_longitude = Decimal("-117.7")
    max_longitude = Decimal("-114.4")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    region = factory.SubFactory(RegionFactory)
    key = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Report number {n}")
    publisher = "Statistics office"
    url = "https://example.org/report"
    published_on = datetime.date(2024, 1, 1)
    authority = models.Source.Authority.OFFICIAL


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Topic
        django_get_or_create = ("slug",)

    slug = "connectivity"
    name_en = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    name_es = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())


class TopicAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TopicAlias

    topic = factory.SubFactory(TopicFactory)
    language = "en"
    text = factory.Sequence(lambda n: f"alias {n}")


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Locality

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"place-{n}")
    name = factory.Sequence(lambda n: f"Place {n}")
    kind = models.LocalityKind.MUNICIPALITY
    country = "MX"
    admin_area = "Baja California"
    latitude = Decimal("32.5")
    longitude = Decimal("-117.0")


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IndustryCluster

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"cluster-{n}")
    name_en = factory.Sequence(lambda n: f"Cluster {n}")
    name_es = factory.Sequence(lambda n: f"Clúster {n}")
    naics_codes = "3343"
    source = factory.SubFactory(SourceFactory, region=factory.SelfAttribute("..region"))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Institution

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"institution-{n}")
    name = factory.Sequence(lambda n: f"Institute {n}")
    kind = models.InstitutionKind.UNIVERSITY


class TalentPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TalentPool

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"talent-{n}")
    name_en = factory.Sequence(lambda n: f"Engineers {n}")
    name_es = factory.Sequence(lambda n: f"Ingenieros {n}")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InfrastructureAsset

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"asset-{n}")
    name = factory.Sequence(lambda n: f"Port of entry {n}")
    kind = models.AssetKind.BORDER_CROSSING
    latitude = Decimal("32.54333")
    longitude = Decimal("-117.02972")
    source = factory.SubFactory(SourceFactory, region=factory.SelfAttribute("..region"))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partner

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"Partner EDC {n}")


class FactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Fact
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    key = factory.Sequence(lambda n: f"F-{n:03d}")
    text_en = factory.Sequence(lambda n: f"Statement number {n} about the region.")
    text_es = factory.Sequence(lambda n: f"Afirmación número {n} sobre la región.")
    value = "86.4"
    value_number = Decimal("86.4")
    unit_en = "% of households"
    unit_es = "% de los hogares"
    as_of = datetime.date(2023, 1, 1)
    source = factory.SubFactory(SourceFactory, region=factory.SelfAttribute("..region"))

    @factory.post_generation
    def topics(self, create: bool, extracted: list[models.Topic] | None, **kwargs: object) -> None:
        if create and extracted:
            self.topics.set(extracted)


class RegionEditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RegionEditor

    region = factory.SubFactory(RegionFactory)
    user = factory.SubFactory(UserFactory)


# --- CRM -------------------------------------------------------------------------------


class PartnerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = models.PartnerRole.EDITOR


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Prospect
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    company_name = factory.Sequence(lambda n: f"Example Company {n}")
    codename = factory.Sequence(lambda n: f"Project Heron {n}")
    country = "KR"
    industry = "Medical devices"
    naics_code = "339112"
    estimated_jobs = 120
    capital_investment = Decimal("15000000.00")
    first_inquiry_on = datetime.date(2026, 1, 5)


class ProspectShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProspectShare

    prospect = factory.SubFactory(ProspectFactory)
    partner = factory.SubFactory(PartnerFactory)
    access = models.ShareAccess.READ


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contact

    prospect = factory.SubFactory(ProspectFactory)
    name = factory.Sequence(lambda n: f"Fictitious Person {n}")
    title = "Director of operations"
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    phone = "+1 555 0100"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Interaction

    prospect = factory.SubFactory(ProspectFactory)
    kind = models.InteractionKind.CALL
    summary = "Introductory call."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    prospect = factory.SubFactory(ProspectFactory)
    text = "Do you have wi-fi?"
