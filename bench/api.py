"""Load benchmark of the REST API on a real server on loopback.

Run from the repository root:  python bench/api.py [--clients N] [--seconds S]
[--prospects N] [--server-workers N] [--server-threads N]

It uses the example deployment (``bench/api_settings.py``: ``calibaja.settings`` with debug
off, over plain HTTP and without the API's throttles) on a PostgreSQL database of its own,
``promotion_bench_api``, created on the server ``DATABASE_URL`` names (default
``postgres://postgres@127.0.0.1:5432/test``; that database is left untouched). It loads the
demo (``promotion_demo``: the Cali-Baja data set, one manager per partner and their demo
prospects) and ``--prospects`` more prospects per partner, then starts gunicorn
(``calibaja.wsgi``, gthread workers) on a free loopback port.

N client threads, each logged in (a session) as the manager of one partner in turn, so
users of every partner are interleaved, send requests for ``--seconds`` seconds over
keep-alive connections, picking at random among:

- ``prospects/?page_size=50``: the first page of the user's prospects;
- ``prospects/{id}/``: one of the user's prospects;
- ``regions/calibaja/facts/?topic=...``: a page of a topic's facts;
- ``regions/calibaja/answer/?q=...``: the answer to an investor's question.

It prints requests per second, p50 and p95 latency per endpoint and overall, and the error
count: any status other than 200, a connection error or a timeout counts as an error (the
status codes seen are listed). At the end the server is stopped and the database dropped.

It needs PostgreSQL and gunicorn (``pip install gunicorn``); without them it says so and
stops. On a shared machine the figures vary with what else runs: the load average is
printed at the start and the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from decks import DEFAULT_DATABASE_URL, p95, postgres_admin, postgres_problem, with_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "promotion_bench_api"
API = "/api/"  # where calibaja.urls mounts promotion.api.urls
REQUEST_TIMEOUT = 30.0
QUESTIONS = (
    ("en", "Do you have wi-fi in the industrial parks?"),
    ("en", "How many engineers graduate every year?"),
    ("en", "How long does a truck take to cross into the US?"),
    ("en", "Which airports have international flights?"),
    ("en", "What is the weather on Mars?"),
    ("es", "¿Cuántos ingenieros hablan inglés?"),
    ("es", "¿Qué puertos marítimos hay cerca de Ensenada?"),
    ("es", "¿Hay internet de fibra en Mexicali?"),
)
TOPICS = ("connectivity", "talent", "border-crossings", "airports", "seaports", "trade")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[outcome] += 1
            if outcome != "200":
                self.errors[kind] += 1


@dataclass(frozen=True)
class Client:
    partner: str
    cookie: str
    prospect_ids: tuple[int, ...]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the run (20)")
    parser.add_argument(
        "--prospects", type=int, default=200, help="extra prospects per partner (200)"
    )
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--server-threads", type=int, default=4, help="threads each (4)")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_data(extra_prospects: int) -> list[Client]:
    """Migrate, load the demo, add prospects; a logged-in session per partner manager."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections

    from promotion.models import PartnerMembership, Prospect, Stage
    from promotion.services.demo import demo_setup

    call_command("migrate", verbosity=0)
    demo_setup(region_slug="calibaja")
    clients = []
    memberships = PartnerMembership.objects.select_related("partner", "user").order_by(
        "partner__slug"
    )
    stages = [value for value, _label in Stage.choices if value != Stage.LOST]
    for membership in memberships:
        Prospect.objects.bulk_create(
            Prospect(
                partner=membership.partner,
                company_name=f"Bench Company {membership.partner.slug} {n}",
                codename=f"Project Bench {n}",
                country=("KR", "JP", "US", "MX", "DE")[n % 5],
                naics_code=("3364", "3344", "3391", "3343")[n % 4],
                industry="Bench",
                stage=stages[n % len(stages)],
                language=("en", "es")[n % 2],
                estimated_jobs=50 + n % 400,
                capital_investment=1_000_000 + n,
            )
            for n in range(extra_prospects)
        )
        user = membership.user
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        ids = tuple(
            Prospect.objects.filter(partner=membership.partner).values_list("pk", flat=True)
        )
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        clients.append(Client(membership.partner.slug, cookie, ids))
    connections.close_all()
    return clients


def start_server(port: int, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "calibaja.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(args.server_workers),
        "--threads",
        str(args.server_threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start listening within 30 s")


def next_request(client: Client, rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(("prospect list", "prospect detail", "facts", "answer"))
    if kind == "prospect list":
        return kind, f"{API}prospects/?page_size=50"
    if kind == "prospect detail":
        return kind, f"{API}prospects/{rng.choice(client.prospect_ids)}/"
    if kind == "facts":
        return kind, f"{API}regions/calibaja/facts/?topic={rng.choice(TOPICS)}"
    language, question = rng.choice(QUESTIONS)
    return kind, f"{API}regions/calibaja/answer/?q={quote(question)}&lang={language}"


def drive(
    client: Client, port: int, until: float, seed: int, results: Results
) -> None:  # one client thread
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    headers = {"Cookie": client.cookie, "Accept": "application/json"}
    while time.monotonic() < until:
        kind, path = next_request(client, rng)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            outcome = str(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as exc:
            outcome = type(exc).__name__
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        results.record(kind, time.perf_counter() - started, outcome)
    connection.close()


def report(results: Results, elapsed: float) -> None:
    total = sum(len(values) for values in results.latencies.values())
    print(f"\n{'endpoint':<18}{'requests':>10}{'p50':>10}{'p95':>10}{'errors':>8}")
    for kind in sorted(results.latencies):
        values = results.latencies[kind]
        print(
            f"{kind:<18}{len(values):>10}{statistics.median(values) * 1000:>8.1f}ms"
            f"{p95(values) * 1000:>8.1f}ms{results.errors[kind]:>8}"
        )
    everything = [value for values in results.latencies.values() for value in values]
    if not everything:
        print("no request completed")
        return
    print(
        f"{'all':<18}{total:>10}{statistics.median(everything) * 1000:>8.1f}ms"
        f"{p95(everything) * 1000:>8.1f}ms{sum(results.errors.values()):>8}"
    )
    print(f"\nrequests per second: {total / elapsed:.1f} over {elapsed:.1f} s")
    print(f"errors: {sum(results.errors.values())}")
    print("statuses: " + ", ".join(f"{k} x{v}" for k, v in sorted(results.statuses.items())))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks run
    server_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if problem := postgres_problem(server_url):
        print(f"bench/api.py needs PostgreSQL: {problem}", file=sys.stderr)
        return 2
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        print("bench/api.py needs gunicorn: pip install gunicorn", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="promotion-bench-api-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="api_settings",
        DATABASE_URL=with_database(server_url, BENCH_DB),
        CELERY_BROKER_URL="",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + secrets.token_urlsafe(32),
        DJANGO_VAR_DIR=str(scratch / "var"),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), str(ROOT / "bench"), os.environ.get("PYTHONPATH")])
        ),
    )
    sys.path.insert(0, str(ROOT))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    postgres_admin(
        server_url,
        f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)",
        f"CREATE DATABASE {BENCH_DB}",
    )
    server = None
    try:
        clients = setup_data(args.prospects)
        print(
            f"data: {len(clients)} partners, "
            f"{sum(len(c.prospect_ids) for c in clients)} prospects; "
            f"server: gunicorn, {args.server_workers} workers x {args.server_threads} threads; "
            f"clients: {args.clients} for {args.seconds:.0f} s"
        )
        port = free_port()
        server = start_server(port, args, scratch / "gunicorn.log")
        results = Results()
        # One request per endpoint and client before the clock starts: imports, caches.
        for client in clients:
            drive(client, port, time.monotonic() + 0.5, 0, Results())
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(
                target=drive,
                args=(clients[n % len(clients)], port, until, n, results),
                daemon=True,
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + REQUEST_TIMEOUT + 5)
        report(results, time.monotonic() - started)
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        postgres_admin(server_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
