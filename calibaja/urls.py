from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Cali-Baja · Investment promotion")
admin.site.site_title = _("Cali-Baja investment promotion")
admin.site.index_title = _("Region facts and prospects")

urlpatterns = [
    # The deployment has no public home page of its own: staff work in the admin.
    path("", RedirectView.as_view(url=reverse_lazy("admin:index"), permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("promotion.api.urls")),
    path("", include("promotion.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
