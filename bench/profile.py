"""Look inside one key page at a time, against the benchmark's database, without serving it.

    python -m bench.profile --build 10     # recreate the bench database at ten times (≈ 2 min),
                                           # its ended quarters closed but the last
    python -m bench.profile                # every key page: time, queries, SQL time, size
    python -m bench.profile board --cprofile --repeat 5   # one page (name or role contains
                                                          # "board"), with Python's profiler
    python -m bench.profile board --cprofile --sort tottime   # where the time itself goes
    python -m bench.profile school --sql   # the slowest queries of the matching pages
    python -m bench.profile school --explain "MAX("   # the plans of the queries holding "MAX("
    python -m bench.profile big_school     # the large school's pages (built with the data)

It uses the same database and settings as `make bench` (BENCH_DATABASE_URL, BENCH_REDIS_URL)
and the same pages and logged-in people, so what it shows is what the benchmark measures.
It needs no wrk: nothing is served.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import run


def setup(args) -> None:
    work = Path(tempfile.gettempdir()) / "civbio-bench-profile"
    env = run.environment(args, work / "media", work / "static")
    env["CACHE_KEY_PREFIX"] = "civbio-bench-profile"
    os.environ.update(env)
    sys.path.insert(0, str(run.ROOT))
    import django

    django.setup()


def build(scale: int, big_school: int) -> None:
    run.load_base()
    run.grow_to(0, 1)
    if scale > 1:
        run.grow_to(1, scale)
    # The large school as `make bench` grows it: its students per ×1, times the scale.
    from bench.generate import big_school as grow_big_school

    grow_big_school(big_school * scale)
    run.analyse()


def big_school_pages(cookies: dict) -> list:
    """The large school's pages, as its teacher, when the database holds one."""
    from partners.models import User
    from students.models import Student

    teacher = User.objects.filter(name="Docent Grote School").order_by("pk").first()
    if teacher is None:
        return []
    cookies["big_school"] = run.session_of(teacher)
    size = Student.objects.filter(school_id=teacher.organisation_id).count()
    return run.big_school_pages(size, teacher)


def explain(captured: list[dict], text: str) -> None:
    """The plans of the captured queries holding `text`, as PostgreSQL ran them."""
    from django.db import connection

    for query in captured:
        if text.lower() in query["sql"].lower():
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print(f"\n  {query['sql'][:200]}…")
                print("\n".join(f"    {row[0]}" for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="?", default="", help="part of a page's name or role")
    parser.add_argument("--build", type=int, metavar="SCALE")
    parser.add_argument(
        "--big-school", type=int, default=2_000, help="students of the large school per ×1"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument(
        "--sort", default="cumulative", help="the profile's order: cumulative, tottime, …"
    )
    parser.add_argument("--sql", action="store_true", help="list the page's slowest queries")
    parser.add_argument("--explain", metavar="TEXT", help="EXPLAIN ANALYZE queries holding TEXT")
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DATABASE)
    )
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", run.DEFAULT_REDIS))
    args = parser.parse_args()
    run.check_services(args.database, args.redis, wrk=False)
    if args.build:
        run.recreate_database(args.database)
    setup(args)
    if args.build:
        build(args.build, args.big_school)
        print(run.totals())
        return 0

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cookies = run.sessions()
    wanted = args.pages.lower()
    # The floors first: what any page costs on this machine now (it is often shared).
    floors = [
        run.Page(
            "Signed-in floor (session and person only)", "coordinator", "/bench/floor/signed-in/"
        ),
    ]
    every = floors + run.key_pages() + big_school_pages(cookies)
    pages = [p for p in every if wanted in f"{p.name} {p.role}".lower()]
    for page in pages:
        get = run.visitor(page, cookies)
        get()  # warm
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                body = get()
                times.append((time.perf_counter() - began) * 1000)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{page.name[:34]:<34} {page.role:<11} median {statistics.median(times):7.1f} ms  "
            f"best {min(times):7.1f} ms  "
            f"q={len(queries):>3} sql {sql_ms:6.1f} ms  {len(body):>9,} bytes"
        )
        if args.sql:
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]
            for query in slowest:
                print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
        if args.explain:
            explain(queries.captured_queries, args.explain)
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.runcall(get)
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main())
