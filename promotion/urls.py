from __future__ import annotations

from django.urls import path

from promotion import embed, views

app_name = "promotion"
urlpatterns = [
    path("decks/<int:pk>/download/", views.deck_download, name="deck-download"),
    path("regions/<slug:slug>/ask/", embed.ask, name="ask"),
    path("s/<str:token>/", views.share_link, name="share-link"),
    path("s/<str:token>/download/", views.share_link_download, name="share-link-download"),
]
