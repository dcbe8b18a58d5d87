#!/usr/bin/env python3
"""The two commands of the README, for a machine that has only Python 3.11 or later.

    python3 dev.py demo    virtualenv, install, migrate SQLite, load the demo, serve the admin
    python3 dev.py test    virtualenv, install, run the whole test suite (pytest arguments pass)

``test`` also takes ``--venv DIR``, ``--python EXE`` and ``--django SPEC`` (CI uses them to
run the suite again on another Python with another Django).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
HOST, PORT = "127.0.0.1", "8000"


def venv_python(directory: Path) -> Path:
    return directory / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(directory: Path, python: str | None, django: str | None) -> Path:
    """Create the virtualenv and install the project into it, when anything changed."""
    exe = venv_python(directory)
    if not exe.exists():
        print(f"Creating the virtual environment in {directory.name}/ ...", flush=True)
        if python:
            subprocess.run([python, "-m", "venv", str(directory)], check=True)
        else:
            venv.EnvBuilder(with_pip=True).create(directory)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + str(django).encode())
    stamp = directory / ".calibaja-installed"
    if not stamp.exists() or stamp.read_text() != wanted.hexdigest():
        print("Installing the project and its tools (first run takes a minute) ...", flush=True)
        pip = [str(exe), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip", "setuptools"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        if django:
            subprocess.run([*pip, django], check=True)
        stamp.write_text(wanted.hexdigest())
    return exe


def demo(args: argparse.Namespace) -> int:
    exe = ensure_venv(ROOT / ".venv", None, None)
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "calibaja.settings"}
    if not args.keep_env:
        for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
            env.pop(name, None)
    manage = [str(exe), str(ROOT / "manage.py")]
    (ROOT / "var").mkdir(exist_ok=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], check=True, env=env)
    subprocess.run([*manage, "promotion_demo"], check=True, env=env)
    print(f"\nAdmin: http://{HOST}:{PORT}/admin/  (stop with Ctrl-C)\n", flush=True)
    return subprocess.call([*manage, "runserver", f"{HOST}:{PORT}"], env=env)


def test(args: argparse.Namespace, pytest_args: list[str]) -> int:
    exe = ensure_venv(ROOT / args.venv, args.python, args.django)
    return subprocess.call([str(exe), "-m", "pytest", *pytest_args], cwd=ROOT)


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  (the message for those who run it anyway)
        sys.exit("calibaja-promotion needs Python 3.11 or later.")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="run the demo on http://127.0.0.1:8000/admin/")
    demo_parser.add_argument(
        "--keep-env",
        action="store_true",
        help="use DATABASE_URL and CELERY_BROKER_URL from the environment instead of SQLite "
        "and eager tasks",
    )
    test_parser = commands.add_parser("test", help="run the test suite")
    test_parser.add_argument("--venv", default=".venv", help="virtualenv directory")
    test_parser.add_argument("--python", help="Python to create the virtualenv with")
    test_parser.add_argument("--django", help="pip requirement for Django, e.g. 'Django>=6,<6.2'")
    args, rest = parser.parse_known_args()
    if args.command == "demo":
        if rest:
            parser.error(f"unknown arguments: {' '.join(rest)}")
        return demo(args)
    return test(args, rest)


if __name__ == "__main__":
    sys.exit(main())
