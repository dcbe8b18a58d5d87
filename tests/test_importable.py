"""Nothing reads the host's settings at import time (STYLE.md, convention 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_settings_facing_modules_import_without_any_settings() -> None:
    """With no settings module at all, a module that read settings would raise."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import promotion.apps, promotion.conf, promotion.checks, promotion.storage;"
        "from django.conf import settings; assert not settings.configured; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
