"""The wheel ships the package ``promotion`` and everything it needs, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("calibaja_promotion-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def package_files() -> set[str]:
    """Every file of the package in the source tree, as it should appear in the wheel."""
    names = set()
    for path in (ROOT / "promotion").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            names.add(path.relative_to(ROOT).as_posix())
    return names


def test_wheel_ships_every_file_of_the_package(wheel_names: set[str]) -> None:
    missing = package_files() - wheel_names
    assert not missing, f"files of the package left out of the wheel: {sorted(missing)}"


def test_wheel_ships_only_the_package(wheel_names: set[str]) -> None:
    top_level = {name.split("/")[0] for name in wheel_names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"promotion"}


def test_wheel_ships_data_set_migrations_and_translations(wheel_names: set[str]) -> None:
    assert "promotion/fixtures/calibaja.json" in wheel_names
    assert "promotion/migrations/0001_initial.py" in wheel_names
    assert "promotion/locale/es/LC_MESSAGES/django.mo" in wheel_names
    assert "promotion/py.typed" in wheel_names


def test_wheel_ships_what_the_hosts_pages_embed(wheel_names: set[str]) -> None:
    """The template tags, their templates, the base page and the stylesheet."""
    for name in (
        "promotion/embed.py",
        "promotion/templatetags/__init__.py",
        "promotion/templatetags/promotion_tags.py",
        "promotion/templates/promotion/base.html",
        "promotion/templates/promotion/embed/ask.html",
        "promotion/templates/promotion/embed/ask_page.html",
        "promotion/templates/promotion/embed/fact.html",
        "promotion/templates/promotion/embed/facts.html",
        "promotion/static/promotion/promotion.css",
    ):
        assert name in wheel_names, name


def test_top_level_fixture_is_the_shipped_data_set() -> None:
    top = ROOT / "fixtures" / "calibaja.json"
    shipped = ROOT / "promotion" / "fixtures" / "calibaja.json"
    assert top.read_bytes() == shipped.read_bytes()
