"""A host that plays an existing partner portal, to prove the app embeds cleanly.

Its own user model (an e-mail login, no username), its own URL prefixes, and the app added
by INSTALLED_APPS, one ``include()`` per URLconf and ``migrate``. Run the suite under it with
``--ds=tests.settings_portal``.
"""

from __future__ import annotations

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.portal"]
AUTH_USER_MODEL = "portal.PortalUser"
ROOT_URLCONF = "tests.portal.urls"
# The app's pages extend the portal's own base template, and only the portal may frame them.
PROMOTION = {
    "BASE_TEMPLATE": "portal/base.html",
    "FRAME_ANCESTORS": ["https://portal.example.org"],
}
