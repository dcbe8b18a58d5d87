from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from promotion.api import crm, decks, schema, sharing, views

app_name = "promotion_api"
urlpatterns: list = [
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("regions/<slug:slug>/", views.RegionDetail.as_view(), name="region-detail"),
    path("regions/<slug:slug>/facts/", views.RegionFactList.as_view(), name="region-facts"),
    path("regions/<slug:slug>/answer/", views.RegionAnswer.as_view(), name="region-answer"),
    path("schema/", schema.PromotionSchemaView.as_view(), name="schema"),
    path("schema/docs/", schema.PromotionSwaggerView.as_view(), name="schema-docs"),
]

# The CRM (promotion.api.crm): prospects/, prospects/summary/, prospects/{id}/,
# prospects/{id}/questions/ named prospect-list, -summary, -detail and -questions.
urlpatterns += [
    re_path(
        r"^prospects/(?P<pk>[^/.]+)/questions/$",
        crm.ProspectQuestionList.as_view(),
        name="prospect-questions",
    ),
]
crm_router = SimpleRouter()
crm_router.register("prospects", crm.ProspectViewSet, basename="prospect")
urlpatterns += crm_router.urls

# Pitch decks (promotion.api.decks): prospects/{id}/decks/, decks/{id}/ and
# decks/{id}/download/ named prospect-decks, deck-detail and deck-download.
urlpatterns += [
    re_path(
        r"^prospects/(?P<pk>[^/.]+)/decks/$",
        decks.ProspectDeckList.as_view(),
        name="prospect-decks",
    ),
]
deck_router = SimpleRouter()
deck_router.register("decks", decks.DeckViewSet, basename="deck")
urlpatterns += deck_router.urls

# Share links (promotion.api.sharing): decks/{id}/share-links/ and
# share-links/{id}/revoke/ named deck-share-links and share-link-revoke.
urlpatterns += [
    # Any id reaches the view, which answers the API's JSON 404 for one that is not a
    # visible deck's (as the router's routes do), never the host's HTML 404 page.
    re_path(
        r"^decks/(?P<pk>[^/.]+)/share-links/$",
        sharing.DeckShareLinkList.as_view(),
        name="deck-share-links",
    ),
    re_path(
        r"^share-links/(?P<pk>[^/.]+)/revoke/$",
        sharing.ShareLinkRevoke.as_view(),
        name="share-link-revoke",
    ),
]
