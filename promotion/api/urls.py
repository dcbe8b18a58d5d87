from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from promotion.api import crm, views

app_name = "promotion_api"
urlpatterns: list = [
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("regions/<slug:slug>/", views.RegionDetail.as_view(), name="region-detail"),
    path("regions/<slug:slug>/facts/", views.RegionFactList.as_view(), name="region-facts"),
    path("regions/<slug:slug>/answer/", views.RegionAnswer.as_view(), name="region-answer"),
]

# The CRM (promotion.api.crm): prospects/, prospects/summary/, prospects/{id}/,
# prospects/{id}/questions/ named prospect-list, -summary, -detail and -questions.
crm_router = SimpleRouter()
crm_router.register("prospects", crm.ProspectViewSet, basename="prospect")
urlpatterns += crm_router.urls
