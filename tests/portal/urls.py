"""The portal's URLconf: its own pages, and the app under a prefix of the portal's choosing."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("staff/admin/", admin.site.urls),
    path("invest/region/", include("promotion.urls")),
    path("invest/api/v1/", include("promotion.api.urls")),
]
