from __future__ import annotations

from django.urls import path

from promotion import embed, views

app_name = "promotion"
urlpatterns = [
    path("decks/<int:pk>/download/", views.deck_download, name="deck-download"),
    path("regions/<slug:slug>/ask/", embed.ask, name="ask"),
]
