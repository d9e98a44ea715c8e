#!/usr/bin/env python3
"""Time a center's programme page (活动节目单) with 1,500 sessions in the month, and count
the SQL queries of the programme page, the activity page and the iCalendar feeds at the
demo's size and at that size (they must be equal).

    .venv/bin/python benchmarks/activities_programme.py                  # SQLite
    .venv/bin/python benchmarks/activities_programme.py --sessions 3000 --requests 20
    .venv/bin/python benchmarks/activities_programme.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_activities

It builds a throwaway database (a temporary SQLite file, or the PostgreSQL database named
by ``--database-url``, created and dropped; the helpers of ``benchmarks/bench_import.py``),
migrates it and loads the demo district, its holidays and its programme
(``load_district``, ``load_public_holidays``, ``activities.demo.load_activities_demo``).

**Small** is that demo. **Large** adds, at the same center (海棠苑, ``--center``), rooms
and daily activities saved through ``Activity.save()`` until the current month holds
``--sessions`` sessions there, some with sign-ups. For each size, with
``django.test.Client`` (in process, test settings, DEBUG off; one request to warm up and
one to count its queries (``connection.execute_wrapper``), outside the timings), it requests
``--requests`` times: the center's programme for the month (``…/benyue/``) and this week
(``…/``), the activity page of the demo's 义诊 and the center's, the street's and that
activity's iCalendar feeds. It prints p50 and p95 (ms), queries per request, the sessions
shown and each p50 as a multiple of the same page on the small data of the same run.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CENTER = "HHD-CH-01"
PAGES = (
    "programme, month",
    "programme, week",
    "activity page",
    "feed: center",
    "feed: street",
    "feed: activity",
)


def bench_import():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import bench_import

    return bench_import


def load_demo() -> None:
    from activities.demo import load_activities_demo
    from catalog.demo import load_public_holidays
    from catalog.models import Taxonomy, TaxonomyTerm
    from catalog.taxonomy_seed import seed_taxonomies
    from district.demo.loader import load_district

    load_district(password="bench-password")
    seed_taxonomies(Taxonomy, TaxonomyTerm)
    load_public_holidays()
    for line in load_activities_demo():
        print(f"… {line}", file=sys.stderr, flush=True)


def month_span(today: date) -> tuple[datetime, datetime]:
    from catalog.opening import LOCAL_TZ

    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, clock_time.min, tzinfo=LOCAL_TZ),
        datetime.combine(following, clock_time.min, tzinfo=LOCAL_TZ),
    )


def sessions_in_month(center) -> int:
    from django.utils import timezone

    from activities.models import Occurrence

    return (
        Occurrence.objects.filter(center=center).between(*month_span(timezone.localdate())).count()
    )


def grow(center, target: int) -> None:
    """Daily activities in rooms of their own, four a day per room, until the month holds
    ``target`` sessions at the center; every tenth session has two sign-ups."""
    from django.utils import timezone

    from activities.models import Activity, ActivityKind, Room, SignUp

    today = timezone.localdate()
    first, following = (moment.date() for moment in month_span(today))
    days = (following - first).days
    needed = math.ceil(max(target - sessions_in_month(center), 0) / days)
    kind = ActivityKind.objects.order_by("sort_order").first()
    slots = [(8, 30), (10, 30), (14, 0), (16, 0)]
    started = time.perf_counter()
    for number in range(needed):
        room, _ = Room.objects.get_or_create(
            center=center, name=f"基准教室{number // len(slots) + 1}", defaults={"capacity": 30}
        )
        hour, minute = slots[number % len(slots)]
        activity = Activity(
            center=center,
            title=f"基准活动{number + 1}",
            kind=kind,
            room=room,
            dtstart=first,
            until=following - timedelta(days=1),
            freq="DAILY",
            start_time=clock_time(hour, minute),
            end_time=clock_time(hour + 1, minute),
            capacity=30,
            signup_required=True,
        )
        activity.save()
        for index, occurrence in enumerate(activity.occurrences.order_by("starts_at")):
            if index % 10 == 0:
                SignUp.objects.bulk_create(
                    SignUp(
                        occurrence=occurrence, name="测试", phone=f"139{n:08d}", status="confirmed"
                    )
                    for n in (number * 100 + index, number * 100 + index + 50)
                )
    print(
        f"… {needed} daily activities saved in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def urls(center) -> dict[str, str]:
    from django.urls import reverse

    from activities.models import Activity, ProgrammeSheetPage

    programme = ProgrammeSheetPage.objects.child_of(center).live().get()
    street = center.get_parent()
    clinic = Activity.objects.get(center=center, title="专家进社区义诊")
    return {
        "programme, month": programme.url + "benyue/",
        "programme, week": programme.url,
        "activity page": programme.url + ProgrammeSheetPage.activity_route(clinic.pk),
        "feed: center": reverse("activities:center_ical", kwargs={"code": center.code}),
        "feed: street": reverse("activities:street_ical", kwargs={"street_id": street.pk}),
        "feed: activity": reverse("activities:activity_ical", kwargs={"uid": clinic.uid}),
    }


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection

    response = client.get(url)  # warm the caches
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper counts every statement whatever the debug cursor's log holds.
    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)],
        "queries": len(queries),
        "bytes": len(response.content),
    }


def measure_size(label: str, requests: int) -> dict:
    from django.test import Client

    from district.models import CenterPage

    center = CenterPage.objects.get(code=CENTER)
    client = Client()
    results = {"sessions": sessions_in_month(center)}
    for page, url in urls(center).items():
        results[page] = measure(client, url, requests)
        print(f"… {label} {page}: {results[page]['p50']:.1f} ms", file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1500, help="in the month, large size")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", help="a PostgreSQL database to create and drop")
    parser.add_argument("--maintenance-db", default="postgres")
    options = parser.parse_args()
    helpers = bench_import()
    with helpers.throwaway_database(options.database_url, options.maintenance_db) as url:
        helpers.prepare(url)
        helpers.django_setup(url)
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "localhost"]
        settings.DEBUG = False
        from district.models import CenterPage

        load_demo()
        small = measure_size("small", options.requests)
        grow(CenterPage.objects.get(code=CENTER), options.sessions)
        large = measure_size("large", options.requests)
        from django.db import connection

        vendor = connection.vendor
    print(
        f"{vendor}, center {CENTER}, sessions this month: small {small['sessions']:,}, "
        f"large {large['sessions']:,}; {options.requests} requests each"
    )
    print()
    print("| page | sessions in month | p50 ms | p95 ms | queries | KB | p50 × small |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    same = True
    for page in PAGES:
        for size in (small, large):
            row = size[page]
            print(
                f"| {page} | {size['sessions']:,} | {row['p50']:.1f} | {row['p95']:.1f} "
                f"| {row['queries']} | {row['bytes'] / 1024:.0f} "
                f"| {row['p50'] / small[page]['p50']:.2f} |"
            )
        same = same and small[page]["queries"] == large[page]["queries"]
    print()
    print(f"Queries equal at both sizes: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
