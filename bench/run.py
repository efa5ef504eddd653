"""`make bench`: civbio at one, ten and a hundred times the consortium, measured against the
framework floor in the same run.

1. Makes its own PostgreSQL database (BENCH_DATABASE_URL) and loads the consortium and the demo.
2. For each scale: grows the data with bulk inserts (timed, with a progress bar), counts the SQL
   queries of every key page in-process, then serves the app with gunicorn (production settings,
   persistent connections) and loads each page with wrk at a fixed concurrency: p50, p95 and
   requests per second, and the same for a trivial one-query view (the floor). Times the
   quarterly report (PDF + XLSX + CSV) and a reminder run.
3. The load test: a mix of every role's pages for a minute; server errors must be zero.
4. Writes bench/results.md and bench/results.json.

It starts nothing that is not on the machine: PostgreSQL and Redis must answer, and wrk must be
installed (bin/ensure-wrk); otherwise it says which is missing and stops.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/civbio_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
WORKERS = 3  # as the Dockerfile runs it


@dataclass
class Page:
    name: str
    role: str
    path: str
    queries: int | None = None
    bytes: int | None = None
    figures: dict = field(default_factory=dict)  # under wrk


def fail(message: str) -> None:
    print(f"bench: ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# Services --------------------------------------------------------------------------------------


def check_services(database_url: str, redis_url: str) -> None:
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(server.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        fail(
            f"PostgreSQL does not answer at {server.split('@')[-1]} ({exc}). "
            "make bench measures on PostgreSQL only; start it and run again."
        )
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        fail(f"Redis does not answer at {redis_url.split('@')[-1]} ({exc}).")
    if not shutil.which("wrk"):
        fail("wrk is not installed (bin/ensure-wrk installs Debian's package).")


def recreate_database(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    if not name.replace("_", "").isalnum():
        fail(f"unexpected database name {name!r}")
    server = database_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def environment(args, media: Path, static: Path) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": args.database,
        "REDIS_URL": args.redis,
        "CACHE_KEY_PREFIX": f"civbio-bench-{secrets.token_hex(4)}",
        # Tasks run in the process that asks (nothing is left in a queue after the run).
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "CELERY_BROKER_URL": args.redis,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(static),
        "LOG_LEVEL": "WARNING",
    }


# Data ------------------------------------------------------------------------------------------


def load_base() -> None:
    from django.core.management import call_command

    from reports.demo import load_demo

    say("migrating and loading the consortium and the demo…")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_consortium", verbosity=0)
    # The demo's people and history are the one times consortium (the load_demo command
    # refuses production settings; the bench's database is its own and thrown away).
    load_demo()
    call_command("collectstatic", verbosity=0, interactive=False)


def grow_to(current: int, target: int) -> dict:
    from tqdm import tqdm

    from bench.generate import grow

    bar = tqdm(total=11, desc=f"×{target}", unit="step", file=sys.stderr)

    def report(name, rows, seconds):
        bar.set_postfix_str(f"{name}: {rows:,} in {seconds:.1f} s")
        bar.update(1)

    began = time.perf_counter()
    if current == 0:
        made = grow(target, report=report)
    else:
        made = grow(target - current, partners=26 * (target - current), report=report)
    bar.close()
    made["seconds"] = round(time.perf_counter() - began, 1)
    analyse()
    return made


def analyse() -> None:
    """What autovacuum does on a live database soon after a bulk load: planner statistics, hint
    bits and the visibility map (without it no index-only scan is possible, and every query pays
    for the rows the load left unmarked)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def totals() -> dict:
    from activities.models import Activity, Contribution, Enrolment, Request, Student, UnitProgress
    from partners.models import Organisation, User

    return {
        "organisations": Organisation.objects.count(),
        "people": User.objects.count(),
        "students": Student.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "progress": UnitProgress.objects.count(),
        "activities": Activity.objects.count(),
        "requests": Request.objects.count(),
        "contributions": Contribution.objects.count(),
    }


# Pages -----------------------------------------------------------------------------------------

ROLES = {
    "coordinator": "coordinator@demo.civbio.nl",
    "school": "docent@demo.civbio.nl",
    "industry": "bedrijf@demo.civbio.nl",
    "funder": "financier@demo.civbio.nl",
}


def sessions() -> dict[str, str]:
    """A logged-in session per role, as after a real login (second factor included)."""
    from importlib import import_module

    from django.conf import settings
    from django.test import Client

    from civbio.middleware import MfaRequiredMiddleware
    from partners.models import User

    cookies = {"anonymous": ""}
    for role, email in ROLES.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        store[MfaRequiredMiddleware.KEY] = True
        store.save()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={key}"
    return cookies


def key_pages() -> list[Page]:
    from django.db.models import Count
    from django.urls import reverse

    from activities.models import ActivityKind, Edition, Request
    from programmes.models import ProgrammeLine

    busiest = (
        Request.objects.values("activity").annotate(n=Count("pk")).order_by("-n", "activity")[0]
    )
    largest = Edition.objects.annotate(n=Count("enrolments")).order_by("-n", "pk")[0]
    line = ProgrammeLine.objects.get(number=1)
    board = reverse("activities:board")
    return [
        Page("Public start page", "anonymous", reverse("home")),
        Page("Coordinator dashboard", "coordinator", reverse("reports:dashboard_coordinator")),
        Page("School dashboard", "school", reverse("reports:dashboard_school")),
        Page("Company dashboard", "industry", reverse("reports:dashboard_industry")),
        Page("Funder dashboard", "funder", reverse("reports:dashboard_funder")),
        Page("Opportunities board", "school", board),
        Page(
            "Board, filtered",
            "school",
            f"{board}?kind={ActivityKind.INTERNSHIP}&programme_line={line.pk}&route=bol"
            "&ordering=deadline",
        ),
        Page("Board, searched", "industry", f"{board}?q=Activity+12"),
        Page(
            f"Activity detail ({busiest['n']} requests)",
            "coordinator",
            reverse("activities:activity_detail", kwargs={"pk": busiest["activity"]}),
        ),
        Page(
            f"Progress grid ({largest.n} students)",
            "coordinator",
            reverse("activities:edition_detail", kwargs={"pk": largest.pk}),
        ),
        Page("Finance", "coordinator", reverse("reports:finance")),
        Page("KPIs", "coordinator", reverse("reports:kpis")),
        Page("KPIs", "funder", reverse("reports:kpis")),
        Page("Board as CSV (streamed)", "school", reverse("activities:board_csv")),
    ]


def visitor(page: Page, cookies: dict):
    """A function that asks for the page in-process, as its role, and returns the whole body;
    anything but a 200 fails the run."""
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    if cookies[page.role]:
        name, value = cookies[page.role].split("=", 1)
        client.cookies[name] = value

    def visit() -> bytes:
        response = client.get(page.path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            fail(f"{page.name} as {page.role} answered {response.status_code}, not 200")
        return body

    return visit


def count_queries(pages: list[Page], cookies: dict) -> None:
    """Each page in-process: its SQL queries and its size; it must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        visit = visitor(page, cookies)
        visit()  # warm: the first visit loads what a process loads once
        with CaptureQueriesContext(connection) as queries:
            body = visit()
        page.queries = len(queries)
        page.bytes = len(body)


class Server:
    """gunicorn with production settings on a free local port."""

    def __init__(self, env: dict, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = log
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "civbio.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--forwarded-allow-ips",
                "127.0.0.1",
                "--error-logfile",
                str(log),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # http.client, not urllib: the machine's proxy settings must not apply.
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/bench/floor/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        fail(f"gunicorn did not answer within 30 s; see {log}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(
    url: str,
    cookie: str,
    seconds: int,
    connections: int,
    script: str,
    env=None,
) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",  # the CSV export of a hundred times the consortium takes seconds
        "-s",
        str(ROOT / "bench/wrk" / script),
        "-H",
        "X-Forwarded-Proto: https",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds_run = figures["duration_us"] / 1e6
    figures["rps"] = round(figures["requests"] / seconds_run, 1)
    for key in [k for k in figures if k.endswith("_us")]:
        if key != "duration_us":
            figures[key.replace("_us", "_ms")] = round(figures.pop(key) / 1000, 1)
    return figures


def measure(server: Server, pages: list[Page], cookies: dict, args) -> dict:
    """Each page under wrk, built on every request, between the floors; the ratios to the
    floor."""
    floor = Page("Framework floor (one query)", "anonymous", "/bench/floor/")
    signed_in = Page(
        "Signed-in floor (session and person only)", "coordinator", "/bench/floor/signed-in/"
    )
    count_queries([signed_in], cookies)

    def load(page: Page) -> dict:
        url, cookie = server.base + page.path, cookies[page.role]
        wrk(url, cookie, 2, args.concurrency, "page.lua")  # warm every worker
        figures = wrk(url, cookie, args.seconds, args.concurrency, "page.lua")
        if figures["status_errors"] or figures["socket_errors"]:
            fail(f"{page.name}: unexpected answers under load: {figures}")
        figures["ratio"] = round(figures["rps"] / max((floor.figures or figures)["rps"], 0.1), 2)
        say(
            f"  {page.name:<34} {page.role:<11} q={page.queries!s:>3} "
            f"p50={figures['p50_ms']:>7} ms p95={figures['p95_ms']:>7} ms "
            f"{figures['rps']:>7}/s ×floor {figures['ratio']}"
        )
        return figures

    for page in [floor, signed_in, *pages]:
        page.figures = load(page)
    return {"floor": asdict(floor), "signed_in_floor": asdict(signed_in)}


# Background work -------------------------------------------------------------------------------


def time_report() -> dict:
    from django.utils import timezone

    from programmes.selectors import current_project
    from reports.models import Report, ReportKind
    from reports.services import generate_report, period_of

    project = current_project()
    today = timezone.localdate()
    number = [n for n, _start, end in project.quarters() if end < today][-1]
    period = period_of(project, ReportKind.QUARTERLY, number)
    Report.objects.filter(kind=ReportKind.QUARTERLY, number=number).delete()
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=number,
        period_start=period.start,
        period_end=period.end,
        version=1,
    )
    began = time.perf_counter()
    generate_report(report.pk)
    seconds = time.perf_counter() - began
    report.refresh_from_db()
    return {
        "quarter": number,
        "seconds": round(seconds, 2),
        "state": report.state,
        "pdf_bytes": report.pdf.size,
        "xlsx_bytes": report.xlsx.size,
        "csv_bytes": report.csv.size,
    }


def time_reminders() -> dict:
    from activities.models import Reminder
    from activities.reminders import run_reminders

    Reminder.objects.all().delete()
    began = time.perf_counter()
    made = run_reminders()
    return {"seconds": round(time.perf_counter() - began, 2), "reminders": len(made)}


# The load test ---------------------------------------------------------------------------------


def load_test(server: Server, pages: list[Page], cookies: dict, args, folder: Path) -> dict:
    mix = folder / "mix.tsv"
    mix.write_text("".join(f"{cookies[p.role]}\t{p.path}\n" for p in pages))
    figures = wrk(
        server.base + "/",
        "",
        args.load_seconds,
        args.load_concurrency,
        "mix.lua",
        env={"BENCH_MIX": str(mix)},
    )
    figures.update(
        seconds=args.load_seconds,
        concurrency=args.load_concurrency,
        pages=len(pages),
        roles=sorted({p.role for p in pages}),
    )
    return figures


# Results ---------------------------------------------------------------------------------------


def write_results(results: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (folder / "results.md").write_text(markdown(results))
    say(f"wrote {folder / 'results.md'} and {folder / 'results.json'}")


def markdown(results: dict) -> str:
    run = results["run"]
    out = [
        "# civbio benchmark results",
        "",
        f"Measured {run['date']} by `make bench` on {run['machine']}. PostgreSQL "
        f"{run['postgres']}, Python {run['python']}; gunicorn with {run['workers']} sync "
        f"workers and production settings; wrk at {run['concurrency']} concurrent connections "
        f"for {run['seconds']} s per page. The floor is a view doing one query through the same "
        "middleware, measured in the same run: `× floor` is a page's requests per second "
        "divided by the floor's, so figures compare across machines. Every page is built on "
        "every request: nothing of a page is cached.",
        "",
    ]
    if any("signed_in_floor" in data for data in results["scales"].values()):
        out[-2] += (
            " The signed-in floor reads the session and the person, as every page behind the "
            "login does, and does nothing else: no such page can do better than its ratio."
        )
    scales = results["scales"]
    out += ["## Data", "", "| | " + " | ".join(f"×{s}" for s in scales) + " |"]
    out.append("| --- | " + " | ".join("---:" for _ in scales) + " |")
    for key in next(iter(scales.values()))["totals"]:
        out.append(
            f"| {key} | " + " | ".join(f"{v['totals'][key]:,}" for v in scales.values()) + " |"
        )
    out.append(
        "| generation (s) | "
        + " | ".join(f"{v['generated'].get('seconds', 0):,}" for v in scales.values())
        + " |"
    )
    out += [
        "",
        "Generation is incremental: each scale adds to the one before it; the time is for "
        "that step.",
        "",
    ]
    out += [
        "## Query counts per page",
        "",
        "| Page | Role | " + " | ".join(f"×{s}" for s in scales) + " | same |",
        "| --- | --- | " + " | ".join("---:" for _ in scales) + " | --- |",
    ]
    first = next(iter(scales.values()))["pages"]
    for n, page in enumerate(first):
        counts = [v["pages"][n]["queries"] for v in scales.values()]
        out.append(
            f"| {page['name'].split(' (')[0]} | {page['role']} | "
            + " | ".join(str(c) for c in counts)
            + f" | {'yes' if len(set(counts)) == 1 else '**no**'} |"
        )
    for scale, data in scales.items():
        floor = data["floor"]["figures"]
        head = "| Page | Role | Queries | p50 (ms) | p95 (ms) | req/s | × floor |"
        rule = "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
        out += [
            "",
            f"## ×{scale}",
            "",
            head,
            rule,
            f"| **Floor** (one query) | anonymous | 1 | {floor['p50_ms']} | {floor['p95_ms']} "
            f"| {floor['rps']} | 1.00 |",
        ]
        signed_in = data.get("signed_in_floor")
        for page in [p for p in [signed_in] if p] + data["pages"]:
            f = page["figures"]
            out.append(
                f"| {page['name']} | {page['role']} | {page['queries']} | {f['p50_ms']} | "
                f"{f['p95_ms']} | {f['rps']} | {f['ratio']:.2f} |"
            )
        report, reminders = data["report"], data["reminders"]
        out += [
            "",
            f"- Quarterly report (quarter {report['quarter']}, PDF + XLSX + CSV): "
            f"**{report['seconds']} s** ({report['state']}; PDF {report['pdf_bytes']:,} bytes, "
            f"XLSX {report['xlsx_bytes']:,} bytes).",
            f"- Reminder run: **{reminders['seconds']} s**, {reminders['reminders']:,} "
            "reminders stored with their notifications (their e-mails are separate tasks).",
        ]
    out += goals(results)
    if results.get("load"):
        load = results["load"]
        out += [
            "",
            f"## Load test (×{load['scale']})",
            "",
            f"Every page above, of every role ({', '.join(load['roles'])}), in turn on "
            f"{load['concurrency']} connections for {load['seconds']} s: "
            f"**{load['requests']:,} requests**, {load['rps']} per second, p50 "
            f"{load['p50_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms. "
            f"**Server errors: {load['server_errors']}**; other unexpected answers: "
            f"{load['client_errors']}; socket errors: {load['socket_errors']}.",
        ]
    return "\n".join(out) + "\n"


def goals(results: dict) -> list[str]:
    """Issue #9's goals at ten times the consortium, each marked met or not."""
    scales = results["scales"]
    ten = scales.get(10) or scales.get("10")
    if not ten:
        return []
    pages = ten["pages"]
    fast = [p for p in pages if p["figures"]["p95_ms"] < 150]
    third = [p for p in pages if p["figures"]["ratio"] >= 1 / 3]
    below = ", ".join(
        f"{p['name'].split(' (')[0]} ({p['role']}, {p['figures']['ratio']:.2f})"
        for p in pages
        if p not in third
    )
    counts = {n: {v["pages"][n]["queries"] for v in scales.values()} for n in range(len(pages))}
    constant = [pages[n] for n, c in counts.items() if len(c) == 1]
    report, reminders = ten["report"]["seconds"], ten["reminders"]["seconds"]

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    slow = ", ".join(f"{p['name'].split(' (')[0]} ({p['role']})" for p in pages if p not in fast)
    signed_in = ten.get("signed_in_floor")
    ceiling = (
        f" The signed-in floor, which reads the session and the person and does nothing else, "
        f"is itself {signed_in['figures']['ratio']:.2f} × floor."
        if signed_in
        else ""
    )
    return [
        "",
        "## Goals at ×10 (issue #9)",
        "",
        f"- Same query count at every scale: {len(constant)} of {len(pages)} pages — "
        f"{mark(len(constant) == len(pages))}.",
        f"- p95 under 150 ms: {len(fast)} of {len(pages)} pages — {mark(len(fast) == len(pages))}"
        + (f" (not: {slow})." if slow else "."),
        f"- Throughput at least a third of the floor: {len(third)} of {len(pages)} pages — "
        f"{mark(len(third) == len(pages))}" + (f" (not: {below})." if below else ".") + ceiling,
        f"- Quarterly report under 20 s: {report} s — {mark(report < 20)}.",
        f"- Reminder run under 5 s: {reminders} s — {mark(reminders < 5)}.",
    ]


# Main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,10,100"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-concurrency", type=int, default=8)
    parser.add_argument("--load-scale", type=int, default=10)
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--out", default=str(ROOT / "bench"))
    parser.add_argument(
        "--render", action="store_true", help="only write results.md again from results.json"
    )
    args = parser.parse_args()
    if args.render:
        folder = Path(args.out)
        (folder / "results.md").write_text(
            markdown(json.loads((folder / "results.json").read_text()))
        )
        return 0
    scales = sorted({int(s) for s in args.scales.split(",")})

    check_services(args.database, args.redis)
    redis.Redis.from_url(args.redis).flushdb()
    recreate_database(args.database)
    work = Path(tempfile.mkdtemp(prefix="civbio-bench-"))
    env = environment(args, work / "media", work / "static")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.db import connection

    load_base()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    results = {
        "run": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}",
            "postgres": postgres,
            "python": platform.python_version(),
            "workers": WORKERS,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
        },
        "scales": {},
    }
    cookies = sessions()
    server = Server(env, work / "gunicorn.log")
    current = 0
    try:
        for scale in scales:
            say(f"growing to ×{scale}…")
            generated = grow_to(current, scale)
            current = scale
            pages = key_pages()
            count_queries(pages, cookies)
            say(f"×{scale}: serving {len(pages)} pages and the floor")
            references = measure(server, pages, cookies, args)
            results["scales"][scale] = {
                "totals": totals(),
                "generated": generated,
                **references,
                "pages": [asdict(p) for p in pages],
                "report": time_report(),
                "reminders": time_reminders(),
            }
            say(f"×{scale}: report {results['scales'][scale]['report']}")
            say(f"×{scale}: reminders {results['scales'][scale]['reminders']}")
            if scale == args.load_scale:
                say(f"load test at ×{scale} for {args.load_seconds} s…")
                results["load"] = {
                    "scale": scale,
                    **load_test(server, pages, cookies, args, work),
                }
                say(f"load: {results['load']}")
            write_results(results, Path(args.out))
    finally:
        server.stop()
    errors = work / "gunicorn.log"
    if "Traceback" in errors.read_text():
        fail(f"gunicorn logged a traceback: see {errors}")
    if results.get("load", {}).get("server_errors"):
        fail("the load test saw server errors")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
