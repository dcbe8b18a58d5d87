"""``{% promotion_facts %}`` and ``{% promotion_ask %}`` in a host's page."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import escape

from promotion.embed import ASK_MAX_LENGTH, ASK_PARAM
from promotion.models import Fact, FactStatus
from promotion.selectors.facts import facts_published
from promotion.services.answers import answer_question
from tests import factories

pytestmark = pytest.mark.django_db

FACT_ITEM = '<li class="promotion-fact">'


def render(source: str, **context: object) -> str:
    return Template("{% load promotion_tags %}" + source).render(Context(context))


def ask(question: str | None, *, region: str = "calibaja", **params: str) -> str:
    if question is not None:
        params[ASK_PARAM] = question
    request = RequestFactory().get("/invest/", params)
    return render(f'{{% promotion_ask "{region}" %}}', request=request)


# ---------------------------------------------------------------------- facts


def test_facts_tag_shows_the_topics_published_facts_with_their_sources(calibaja):
    html = render('{% promotion_facts "calibaja" "connectivity" %}')
    facts = list(facts_published(region=calibaja, topic="connectivity"))
    assert facts
    assert html.count(FACT_ITEM) == len(facts)
    first = facts[0]
    assert escape(first.text_en) in html
    assert f"<cite>{escape(first.source.title)}</cite>" in html
    assert escape(first.source.publisher) in html
    assert f'href="{escape(first.source.url)}"' in html
    assert f">{escape(first.topics.get(slug='connectivity').name_en)}</h2>" in html
    assert "Source:" in html
    assert "as of" in html


def test_facts_tag_speaks_spanish_when_the_page_does(calibaja):
    with translation.override("es"):
        html = render('{% promotion_facts "calibaja" "connectivity" %}')
    first = facts_published(region=calibaja, topic="connectivity").first()
    assert escape(first.text_es) in html
    assert escape(first.text_en) not in html
    assert "Fuente:" in html
    assert 'lang="es"' in html


def test_facts_tag_takes_a_language_and_a_limit(calibaja):
    html = render('{% promotion_facts "calibaja" "connectivity" language="es" limit=2 %}')
    assert html.count(FACT_ITEM) == 2
    assert "Fuente:" in html
    assert translation.get_language() == "en"


def test_facts_tag_leaves_out_held_facts_and_marks_untranslated_ones(region):
    topic = factories.TopicFactory(slug="talent", name_en="Talent", name_es="Talento")
    factories.FactFactory(region=region, topics=[topic], text_en="Shown in English.", text_es="")
    factories.FactFactory(
        region=region,
        topics=[topic],
        text_en="An unverified count.",
        status=FactStatus.NEEDS_VERIFICATION,
    )
    with translation.override("es"):
        html = render('{% promotion_facts "calibaja" "talent" %}')
    assert "Talento" in html
    assert '<span lang="en">Shown in English.</span>' in html
    assert "aún sin traducir" in html
    assert "unverified" not in html
    assert html.count(FACT_ITEM) == 1


def test_facts_tag_escapes_fact_text_and_links_only_web_addresses(region):
    topic = factories.TopicFactory(slug="talent")
    source = factories.SourceFactory(
        region=region, title="<i>Report</i>", url="javascript:alert(1)"
    )
    factories.FactFactory(
        region=region, topics=[topic], source=source, text_en="<b>Bold</b> & more"
    )
    html = render('{% promotion_facts "calibaja" "talent" %}')
    assert "<b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; more" in html
    assert "&lt;i&gt;Report&lt;/i&gt;" in html
    assert "javascript:" not in html


def test_facts_tag_says_when_a_topic_has_no_published_fact(region):
    factories.TopicFactory(slug="talent")
    html = render('{% promotion_facts "calibaja" "talent" %}')
    assert FACT_ITEM not in html
    assert "We have no published facts on this topic yet." in html


def test_an_unknown_region_renders_nothing(db):
    assert render('{% promotion_facts "nowhere" "talent" %}') == ""


# ---------------------------------------------------------------------- ask


def test_ask_form_answers_an_english_question_with_sourced_connectivity_facts(calibaja):
    html = ask("Do you have wi-fi?")
    answer = answer_question(region=calibaja, text="Do you have wi-fi?", language="en")
    assert answer.answered
    assert answer.topic.slug == "connectivity"
    assert html.count(FACT_ITEM) == len(answer.facts)
    for fact in answer.facts:
        assert escape(fact.text) in html
        assert escape(fact.source.title) in html
    assert "What we know about" in html
    assert f"What we know about {escape(answer.topic.name_en)}:" in html


def test_ask_form_answers_a_spanish_question_in_spanish(calibaja):
    with translation.override("es"):
        html = ask("¿Tienen internet?")
    answer = answer_question(region=calibaja, text="¿Tienen internet?", language="es")
    assert answer.answered
    assert answer.topic.slug == "connectivity"
    for fact in answer.facts:
        assert escape(fact.text) in html
        assert Fact.objects.get(pk=fact.id).text_es == fact.text
        assert escape(fact.source.title) in html
    assert "Lo que sabemos sobre" in html
    assert "Fuente:" in html
    assert "Su pregunta" in html


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "Can you recommend a dentist?", "We have no published fact on that yet."),
        ("es", "¿Me recomienda un dentista?", "Aún no tenemos un dato publicado sobre eso."),
    ],
)
def test_ask_form_declines_a_question_no_fact_answers(calibaja, language, question, expected):
    with translation.override(language):
        html = ask(question)
    assert expected in html
    assert FACT_ITEM not in html


def test_ask_form_declines_a_topic_with_no_published_fact(region):
    topic = factories.TopicFactory(slug="security", name_en="Security")
    factories.TopicAliasFactory(topic=topic, text="crime")
    html = ask("What about crime?")
    assert "We have no published fact on Security yet." in html
    assert FACT_ITEM not in html


def test_ask_form_works_without_javascript(calibaja):
    html = ask(None)
    form = re.search(r"<form[^>]*>", html).group()
    assert 'method="get"' in form
    assert "action=" not in form  # sends the question back to the page that holds it
    assert f'name="{ASK_PARAM}"' in html
    assert '<button class="promotion-ask-submit" type="submit">' in html
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "promotion-answer" not in html  # nothing asked, nothing answered


def test_ask_form_escapes_the_question(calibaja):
    html = ask("<script>alert(1)</script>")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ask_form_refuses_a_question_that_is_too_long(calibaja):
    html = ask("Do you have wi-fi? " + "x" * ASK_MAX_LENGTH)
    assert f"at most {ASK_MAX_LENGTH} characters" in html
    assert 'role="alert"' in html
    assert FACT_ITEM not in html
    assert f'maxlength="{ASK_MAX_LENGTH}"' in html


def test_ask_form_keeps_the_host_pages_own_parameters(calibaja):
    html = ask("Do you have wi-fi?", page="2", tab='"><b>')
    assert '<input type="hidden" name="page" value="2">' in html
    assert 'value="&quot;&gt;&lt;b&gt;"' in html
    assert f'type="hidden" name="{ASK_PARAM}"' not in html


def test_ask_tag_needs_the_request_in_the_context(calibaja):
    with pytest.raises(ImproperlyConfigured, match=r"context_processors\.request"):
        render('{% promotion_ask "calibaja" %}')
