"""Benchmark: check-in cycles (issue 9) — opening a cycle, the tick with nothing due, autosave and submission.

Registered in scripts/bench.py as "checkins" (`make bench BENCH_ARGS=checkins`; on PostgreSQL as the
application role with row-level security, like every benchmark there). Builds its own districts, so it
does not depend on what other benchmarks did to the shared one:

1. Opening a cycle: a 1,800-school district whose active plan asks 20 commitments of every school (36,000
   assignments, built through the services). The tick step that opens the cycle (one check-in per school,
   one entry per assignment: 36,000 entries, bulk inserts) is timed with its query count; so is the same
   district's next hourly look while the cycle is open (nothing new to add).
2. The tick over 13,000 districts with nothing due: the platform tick's cost (one indexed query finds no
   district), and `run_district` for a district with nothing due (what each district costs the fan-out
   when its daily look comes round), as time and queries per district.
3. The check-in page: one autosave (the HTMX post of the form, after one field was typed in; and one with
   every entry changed) and one submission of a 20-entry check-in,
   through the Django test client (session, middleware, the district's transaction, the view, the
   services), each as a median over `runs` and as a ratio to the trivial views timed in the same loop
   (scripts/bench_urls.py: /bench/ok/ and /d/<slug>/bench/ok/). Targets: autosave ≤ 3×, submission ≤ 6×
   the trivial district view. Queries per autosave and per submission are counted at 5 and at 20
   entries: they must be equal.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

# BENCH_CHECKINS_SCHOOLS makes the big district smaller and BENCH_CHECKINS_PARTS=pages skips the tick's
# 13,000 idle districts, for a quick look at the page figures while working on them (the figures in
# the note are from the full run).
BIG_SCHOOLS = int(os.environ.get("BENCH_CHECKINS_SCHOOLS", "1800"))
PARTS = frozenset(os.environ.get("BENCH_CHECKINS_PARTS", "open,tick,pages").split(","))
BIG_COMMITMENTS = 20
SMALL_SCHOOLS = 30
SMALL_COMMITMENTS = 5
IDLE_DISTRICTS = 13_000
IDLE_RUNS = 200  # run_district over this many idle districts, for the per-district figure


# --- Data ------------------------------------------------------------------------------------------


def build_plan(district: Any, admin: Any, *, commitments: int) -> Any:
    """An active plan of `commitments` commitments (4 priorities), each asked of every school, through the services."""
    from districts.models import RoleLabel
    from districts.tenancy import district_context
    from plans import services as plan_services
    from priorities import services as priority_services

    today = date.today()
    with district_context(district):
        teachers = RoleLabel.objects.get(district=district, slug="teachers")
        plan = plan_services.plan_create(
            district=district, actor=admin, title="Bench plan", start_year=today.year - 1, end_year=today.year + 4
        )
        priorities = [
            priority_services.priority_create(
                district=district, actor=admin, plan=plan, title=f"Priority {p + 1}", success_looks_like="Gains."
            )
            for p in range(4)
        ]
        for c in range(commitments):
            priority_services.commitment_create(
                district=district,
                actor=admin,
                priority=priorities[c % 4],
                title=f"Commitment {c + 1}",
                role_label=teachers,
                starts_on=date(today.year - 1, 8, 1),
                ends_on=date(today.year + 4, 6, 30),
                assign_every_school=True,
            )
        plan_services.plan_activate(district=district, actor=admin, plan=plan)
    return plan


def last_opened_cycle_times(district: Any, plan: Any) -> Any:
    """The plan's most recent cycle that opened before today (its instants, from the district's schedule)."""
    from django.utils import timezone

    from checkins.schedule import ScheduleSettings, schedule
    from districts.models import District

    district = District.objects.get(pk=district.pk)
    now = timezone.now()
    cycles = [c for c in schedule(plan.period, ScheduleSettings.of(district), district.tzinfo) if c.opens_at < now]
    return cycles[-1]


def plan_cycle(district: Any, opens_at: datetime) -> None:
    """Run the tick a minute before the cycle opens: it plans (schedules) that cycle, opening nothing."""
    from checkins.models import CheckinCycle, CycleState
    from districts import ticks
    from districts.models import District
    from districts.tenancy import district_context

    ticks.run_district(District.objects.get(pk=district.pk), now=opens_at - timedelta(minutes=1))
    with district_context(district):
        if CheckinCycle.objects.filter(district=district).exclude(state=CycleState.SCHEDULED).exists():
            raise RuntimeError("planning the cycle opened one: the benchmark's instants are wrong")


def open_cycle(district: Any, opens_at: datetime) -> tuple[float, int, int]:
    """Run the tick step at the opening instant; (seconds, queries, entries made)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkins.models import CheckinEntry
    from districts import ticks
    from districts.models import District
    from districts.tenancy import district_context

    fresh = District.objects.get(pk=district.pk)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        ticks.run_district(fresh, now=opens_at)
        seconds = time.perf_counter() - started
    with district_context(district):
        entries = CheckinEntry.objects.filter(district=district).count()
    return seconds, len(queries), entries


def timed_run_district(district: Any, now: datetime) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from districts import ticks
    from districts.models import District

    fresh = District.objects.get(pk=district.pk)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        ticks.run_district(fresh, now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries)


def make_idle_districts(count: int) -> list[int]:
    """`count` districts with nothing due (no plan; next tick a day away), with bulk inserts; their ids."""
    from django.utils import timezone

    from districts.models import District

    later = timezone.now() + timedelta(days=1)
    made = District.objects.bulk_create(
        [
            District(name=f"Idle District {n:05d}", slug=f"idle-{n:05d}", languages=["en"], next_tick_at=later)
            for n in range(count)
        ],
        batch_size=2000,
    )
    return [district.pk for district in made]


def deliver_pending_work() -> int:
    """Deliver every outbox row now, as a worker would (emails to the dummy backend); how many were delivered."""
    from django.test import override_settings

    from districts import outbox
    from districts.models import District, PendingWork
    from districts.tenancy import dangerously_cross_district

    with dangerously_cross_district():
        rows = list(
            PendingWork.objects.filter(done_at__isnull=True, failed_at__isnull=True).values_list("district", "pk")
        )
    districts = {d.pk: d for d in District.objects.filter(pk__in={district_id for district_id, _pk in rows})}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return sum(outbox.deliver(district=districts[district_id], item_id=pk) for district_id, pk in rows)


# --- The check-in page ------------------------------------------------------------------------------


def checkins_of(district: Any) -> list[tuple[Any, Any]]:
    """(check-in, its school's principal membership) for every school of the district's open cycle, in school order."""
    from checkins.models import Checkin
    from districts.models import Membership
    from districts.roles import Role
    from districts.tenancy import district_context

    with district_context(district):
        principals = {
            m.school_id: m
            for m in Membership.objects.select_related("user").filter(district=district, role=Role.PRINCIPAL)
        }
        checkins = list(
            Checkin.objects.filter(district=district, school__isnull=False)
            .select_related("district")
            .order_by("school")
        )
    return [(checkin, principals[checkin.school_id]) for checkin in checkins]


def form_data(checkin: Any, *, note: str, first_note: str | None = None) -> dict[str, str]:
    """The check-in's form as posted, at its current version: every entry at risk with `note` (the first
    entry with `first_note`, if given: what one debounced autosave after typing in one field sends)."""
    from checkins.forms import entry_field
    from checkins.models import CheckinEntry, EntryStatus
    from districts.tenancy import district_context

    with district_context(checkin.district):
        version = type(checkin).objects.get(pk=checkin.pk).version
        entry_ids = list(CheckinEntry.objects.filter(checkin=checkin).order_by("pk").values_list("pk", flat=True))
    data = {"version": str(version)}
    for n, pk in enumerate(entry_ids):
        data[entry_field(pk, "status")] = EntryStatus.AT_RISK
        data[entry_field(pk, "note")] = first_note if n == 0 and first_note is not None else note
        data[entry_field(pk, "evidence_url")] = "https://docs.example.org/walkthroughs"
        data[entry_field(pk, "blocker")] = "Substitute coverage on Fridays."
        data[entry_field(pk, "support_needed")] = ""
    return data


class PageTimer:
    """Times requests of one kind beside the trivial views, interleaved in the same loop."""

    def __init__(self, slug: str) -> None:
        from django.test import Client

        self.trivial = Client()
        self.slug = slug
        self.timings: dict[str, list[float]] = {"trivial": [], "trivial district": []}

    def floor(self, client: Any) -> None:
        for label, url in (("trivial", "/bench/ok/"), ("trivial district", f"/d/{self.slug}/bench/ok/")):
            started = time.perf_counter()
            response = (client if label == "trivial district" else self.trivial).get(url)
            self.timings[label].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

    def time(self, label: str, request: Callable[[], Any], expect: Callable[[Any], bool]) -> Any:
        started = time.perf_counter()
        response = request()
        self.timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
        if not expect(response):
            raise RuntimeError(f"{label} answered {response.status_code}: {response.content[:300]!r}")
        return response

    def median(self, label: str) -> float:
        return statistics.median(self.timings[label])


def login(membership: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# What a browser sends for the check-in form (it has no file field) and what htmx sends for hx-post:
# the test client's default multipart body would time Django's multipart parser instead.
FORM_ENCODED = "application/x-www-form-urlencoded"


def _form_body(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def autosave(client: Any, checkin: Any, data: dict[str, str]) -> Any:
    from django.urls import reverse

    url = reverse("checkins:checkin_detail", kwargs={"district_slug": checkin.district.slug, "checkin_id": checkin.pk})
    return client.post(url, _form_body({**data, "autosave": "1"}), content_type=FORM_ENCODED, HTTP_HX_REQUEST="true")


def submit(client: Any, checkin: Any, data: dict[str, str]) -> Any:
    from django.urls import reverse

    url = reverse("checkins:checkin_submit", kwargs={"district_slug": checkin.district.slug, "checkin_id": checkin.pk})
    return client.post(url, _form_body(data), content_type=FORM_ENCODED)


def submitted(checkin: Any) -> bool:
    from checkins.models import Checkin, CheckinState
    from districts.tenancy import district_context

    with district_context(checkin.district):
        return Checkin.objects.get(pk=checkin.pk).state == CheckinState.SUBMITTED


def count_queries(request: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)


def page_benchmark(bench: Any, district: Any, *, entries: int, runs: int) -> dict[str, int]:
    """Autosave and submission of `entries`-entry check-ins in `district`; report times; return query counts."""
    pairs = checkins_of(district)
    if len(pairs) < runs + 3:
        raise RuntimeError(f"{district.slug} has {len(pairs)} check-ins, fewer than the {runs + 3} needed")
    timer = PageTimer(district.slug)
    (checkin, principal), submits = pairs[0], pairs[2 : runs + 3]
    client = login(principal)
    ok = lambda response: response.status_code == 200  # noqa: E731
    redirected = lambda response: response.status_code == 302  # noqa: E731
    note = "Walkthroughs weekly."
    autosave(client, checkin, form_data(checkin, note=note))  # warm; every entry filled in
    timer.floor(client)
    if os.environ.get("BENCH_PROFILE"):  # a local look at where an autosave's time goes (not a figure)
        import cProfile

        profile = cProfile.Profile()
        for n in range(20):
            data = form_data(checkin, note=note, first_note=f"{note} (profile {n})")
            profile.enable()
            autosave(client, checkin, data)
            profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"] + f".{entries}.autosave")
        profile = cProfile.Profile()
        for target, target_principal in pairs[-3:]:  # never one the timed runs submit
            target_client = login(target_principal)
            data = form_data(target, note=note)
            profile.enable()
            submit(target_client, target, data)
            profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"] + f".{entries}.submit")
    for n in range(runs):  # one field typed in since the last save: the usual autosave
        data = form_data(checkin, note=note, first_note=f"{note} Coaching cycle {n}.")
        timer.floor(client)
        timer.time("autosave", lambda: autosave(client, checkin, data), ok)  # noqa: B023
    for n in range(runs):  # every entry changed since the last save
        data = form_data(checkin, note=f"{note} Round {n}.")
        timer.floor(client)
        timer.time("autosave, every entry changed", lambda: autosave(client, checkin, data), ok)  # noqa: B023
    autosave(client, checkin, form_data(checkin, note=note))
    queries = {
        "autosave": count_queries(lambda: autosave(client, checkin, form_data(checkin, note=note, first_note="Q."))),
        "autosave, every entry changed": count_queries(
            lambda: autosave(client, checkin, form_data(checkin, note="Q."))
        ),
    }
    # Submissions: each of another school's check-in, by its own principal (logged in before the timing).
    warm_checkin, warm_principal = pairs[1]
    submit(login(warm_principal), warm_checkin, form_data(warm_checkin, note="Warm-up."))
    for target, target_principal in submits[:runs]:
        target_client = login(target_principal)
        data = form_data(target, note="Walkthroughs weekly.")
        timer.floor(target_client)
        timer.time("submission", lambda: submit(target_client, target, data), redirected)  # noqa: B023
        if not submitted(target):
            raise RuntimeError(f"check-in {target.pk} was not submitted")
    last, last_principal = submits[runs]
    last_client = login(last_principal)
    queries["submission"] = count_queries(lambda: submit(last_client, last, form_data(last, note="Counted.")))
    trivial, trivial_district = timer.median("trivial"), timer.median("trivial district")
    label = f"{entries} entries"
    bench.report(f"trivial view: median of {len(timer.timings['trivial'])}", trivial, "ms")
    bench.report(f"trivial district view: median of {len(timer.timings['trivial district'])}", trivial_district, "ms")
    for kind, target in (("autosave", 3), ("autosave, every entry changed", 3), ("submission", 6)):
        median = timer.median(kind)
        bench.report(f"{label}: {kind}: median of {runs}", median, "ms")
        bench.report(f"{label}: {kind} / trivial district view (target ≤ {target}x)", median / trivial_district, "x")
        bench.report(f"{label}: {kind} / trivial view", median / trivial, "x")
        bench.report(f"{label}: {kind}: queries", queries[kind], "queries")
    return queries


# --- The benchmark -----------------------------------------------------------------------------------


def run(bench: Any, build_district: Callable[..., tuple[Any, Any]], analyze: Callable[..., None]) -> None:

    # 1. Opening a cycle for 1,800 schools x 20 assignments.
    big, big_admin = bench.timed(
        f"build {BIG_SCHOOLS:,} schools",
        lambda: build_district(
            slug="checkins-bench", name="Checkins Bench District", schools=BIG_SCHOOLS, memberships=BIG_SCHOOLS + 200
        ),
    )
    plan = bench.timed(
        f"build plan: {BIG_COMMITMENTS} commitments x {BIG_SCHOOLS:,} schools (services)",
        lambda: build_plan(big, big_admin, commitments=BIG_COMMITMENTS),
    )
    times = last_opened_cycle_times(big, plan)
    plan_cycle(big, times.opens_at)
    analyze()
    seconds, queries, entries = open_cycle(big, times.opens_at)
    bench.report(f"open a cycle: {entries:,} entries for {BIG_SCHOOLS:,} schools (tick step)", seconds, "s")
    bench.report("open a cycle: queries", queries, "queries")
    started = time.perf_counter()
    delivered = deliver_pending_work()
    bench.report(
        f"the opening's follow-up work ({delivered} outbox rows: roll-ups, emails), delivered in-process",
        time.perf_counter() - started,
        "s",
    )
    analyze()
    seconds, queries = timed_run_district(big, times.opens_at + timedelta(hours=1, minutes=1))
    bench.report("open cycle's hourly look, nothing new (run_district)", seconds * 1000, "ms")
    bench.report("open cycle's hourly look: queries", queries, "queries")

    # 2. The tick over 13,000 districts with nothing due.
    if "tick" in PARTS:
        run_idle_tick(bench, analyze, times)
    if "pages" in PARTS:
        run_pages(bench, build_district, analyze, big)


def run_idle_tick(bench: Any, analyze: Callable[..., None], times: Any) -> None:
    from districts import tasks

    idle = bench.timed(f"build {IDLE_DISTRICTS:,} idle districts", lambda: make_idle_districts(IDLE_DISTRICTS))
    analyze()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from districts.models import District

    # Nothing of the benchmark's own districts is due either.
    District.objects.filter(slug__startswith="checkins-bench").update(next_tick_at=times.opens_at + timedelta(days=400))
    tick_timings = []
    for _ in range(bench.runs):
        started = time.perf_counter()
        tasks.platform_tick()
        tick_timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as tick_queries:
        tasks.platform_tick()
    total = District.objects.count()
    bench.report(
        f"platform tick, {total:,} districts, nothing due: median of {bench.runs}",
        statistics.median(tick_timings),
        "ms",
    )
    bench.report("platform tick: queries", len(tick_queries), "queries")
    per_district, per_queries = [], []
    for district_id in idle[:IDLE_RUNS]:
        seconds, queries = timed_run_district(District.objects.get(pk=district_id), None)
        per_district.append(seconds * 1000)
        per_queries.append(queries)
    bench.report(
        f"run_district, a district with nothing due: median of {IDLE_RUNS}", statistics.median(per_district), "ms"
    )
    bench.report("run_district, nothing due: queries", max(per_queries), "queries")
    bench.report(
        f"daily look at all {IDLE_DISTRICTS:,} idle districts (worker time)",
        statistics.median(per_district) * IDLE_DISTRICTS / 1000,
        "s",
    )


def run_pages(
    bench: Any, build_district: Callable[..., tuple[Any, Any]], analyze: Callable[..., None], big: Any
) -> None:
    """3. Autosave and submission at 20 entries (the big district) and 5 (a small one)."""
    from django.test import override_settings

    small, small_admin = build_district(
        slug="checkins-bench-small", name="Checkins Bench Small", schools=SMALL_SCHOOLS, memberships=SMALL_SCHOOLS + 40
    )
    small_plan = build_plan(small, small_admin, commitments=SMALL_COMMITMENTS)
    small_times = last_opened_cycle_times(small, small_plan)
    plan_cycle(small, small_times.opens_at)
    open_cycle(small, small_times.opens_at)
    analyze()
    deliver_pending_work()
    runs = min(bench.runs, SMALL_SCHOOLS - 4)
    with override_settings(ROOT_URLCONF="bench_urls"):  # scripts/bench_urls.py: the app's URLs + trivial views
        queries_20 = page_benchmark(bench, big, entries=BIG_COMMITMENTS, runs=runs)
        queries_5 = page_benchmark(bench, small, entries=SMALL_COMMITMENTS, runs=runs)
    for kind in queries_20:
        bench.report(
            f"{kind}: queries at {BIG_COMMITMENTS} minus at {SMALL_COMMITMENTS} entries (must be 0)",
            queries_20[kind] - queries_5[kind],
            "queries",
        )
