"""Through the gateway, on generated patients: pages sorted or filtered by a figure (whose order and alerts come
from the roster's first pass, grouped over the clinic) hold exactly the rows, in exactly the order, that the
one-statement name-ordered roster's own figures and the domain's alert rules give."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from tests.e2e.test_roster_flow import TODAY, _clinic, _roster
from tests.support.analytics import complete, exercises, give_plan, noon
from tests.support.clinic import client

PATIENTS = 28


def _sort_key(row: dict, sort: str) -> float:  # type: ignore[type-arg]
    # The roster's documented keys: no figure sorts below every figure (last going down).
    if sort.lstrip("-") == "adherence":
        return -1.0 if row["adherence30d"] is None else row["adherence30d"]
    at = row["lastActivityAt"]
    return -1.0 if at is None else datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


async def _walk(http, clinic, query: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    rows, cursor = [], None
    while True:
        page = await _roster(http, clinic, f"?limit=4{query}" + (f"&cursor={cursor}" if cursor else ""))
        rows += page["patients"]
        cursor = page["nextCursor"]
        if cursor is None:
            return rows


async def test_figure_sorted_and_alert_filtered_pages_agree_with_the_name_roster(stack):
    rng = random.Random(20261201)
    clinic = await _clinic(stack, [f"Generated {n:02d}" for n in range(PATIENTS + 2)])
    catalogue = await exercises(stack, clinic, ("Squat",))
    for index in range(PATIENTS):
        if index % 7 == 0:
            continue  # no plan at all
        # Plans that started days or months ago, so some patients' sessions all lie outside the first pass's
        # month (their last activity and pains come from the probe) and some have fewer than three pains in it.
        started = rng.choice((4, 12, 25, 40, 75))
        care = await give_plan(stack, clinic, index, TODAY - timedelta(days=started), 16, rng.choice((2, 3, 5)), catalogue)
        recent_only = index % 5 == 0
        span = range(1, min(started, 31) if recent_only else started)
        days_ago = sorted(rng.sample(span, k=min(len(span), rng.randint(0, 9))), reverse=True)
        if index % 6 == 1:
            days_ago = [d for d in days_ago if d > 33]  # idle for more than a month
        for workout, ago in zip(care.workouts, days_ago):
            await complete(stack, clinic, index, workout, noon(TODAY - timedelta(days=ago)), pain=(5, rng.randint(0, 9)))

    # Two whose rising pains lie mostly outside the first pass's month: only the probe for the rest sees them.
    for index, days_ago_and_pain in ((PATIENTS, ((45, 2), (40, 4), (3, 6))), (PATIENTS + 1, ((50, 1), (44, 3), (38, 5)))):
        care = await give_plan(stack, clinic, index, TODAY - timedelta(days=55), 16, 3, catalogue)
        for workout, (ago, pain) in zip(care.workouts, days_ago_and_pain):
            await complete(stack, clinic, index, workout, noon(TODAY - timedelta(days=ago)), pain=(5, pain))

    async with client(stack.base_url) as http:
        reference = (await _roster(http, clinic, "?limit=100"))["patients"]
        assert len(reference) == PATIENTS + 2
        assert all("pain_rising" in [a["kind"] for a in r["alerts"]] for r in reference[-2:])
        alerting = [r["patientId"] for r in reference if r["alerts"]]
        calm = [r["patientId"] for r in reference if not r["alerts"]]
        assert alerting and calm, "the generated clinic must hold both kinds of row"
        by_id = {r["patientId"]: r for r in reference}

        for sort in ("adherence", "-adherence", "lastActivity", "-lastActivity"):
            expected = sorted(reference, key=lambda r: (_sort_key(r, sort), uuid.UUID(r["patientId"])),
                              reverse=sort.startswith("-"))
            walked = await _walk(http, clinic, f"&sort={sort}")
            assert [r["patientId"] for r in walked] == [r["patientId"] for r in expected], sort
            assert walked == [by_id[r["patientId"]] for r in walked], sort  # every figure as the name roster shows it
            for wanted, ids in (("true", alerting), ("false", calm)):
                filtered = await _walk(http, clinic, f"&sort={sort}&hasAlerts={wanted}")
                assert [r["patientId"] for r in filtered] == [i for i in (r["patientId"] for r in expected) if i in ids], sort

        for wanted, ids in (("true", alerting), ("false", calm)):
            filtered = await _walk(http, clinic, f"&hasAlerts={wanted}")
            assert [r["patientId"] for r in filtered] == ids
            assert filtered == [by_id[i] for i in ids]
