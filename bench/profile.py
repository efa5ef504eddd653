"""Look inside one key page at a time, against the benchmark's database, without serving it.

    python -m bench.profile --build 10     # recreate the bench database at ten times (≈ 2 min),
                                           # its ended quarters closed but the last
    python -m bench.profile                # every key page: time, queries, SQL time, size
    python -m bench.profile board --cprofile --repeat 5   # one page (name or role contains
                                                          # "board"), with Python's profiler
    python -m bench.profile school --sql   # the slowest queries of the matching pages
    python -m bench.profile school --explain "MAX("   # the plans of the queries holding "MAX("

It uses the same database and settings as `make bench` (BENCH_DATABASE_URL, BENCH_REDIS_URL)
and the same pages and logged-in people, so what it shows is what the benchmark measures.
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


def build(scale: int) -> None:
    run.load_base()
    run.grow_to(0, 1)
    if scale > 1:
        run.grow_to(1, scale)


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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="list the page's slowest queries")
    parser.add_argument("--explain", metavar="TEXT", help="EXPLAIN ANALYZE queries holding TEXT")
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DATABASE)
    )
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", run.DEFAULT_REDIS))
    args = parser.parse_args()
    run.check_services(args.database, args.redis)
    if args.build:
        run.recreate_database(args.database)
    setup(args)
    if args.build:
        build(args.build)
        print(run.totals())
        return 0

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cookies = run.sessions()
    wanted = args.pages.lower()
    pages = [p for p in run.key_pages() if wanted in f"{p.name} {p.role}".lower()]
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
            f"{page.name[:34]:<34} {page.role:<11} best {min(times):7.1f} ms  "
            f"median {statistics.median(times):7.1f} ms  "
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
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main())
