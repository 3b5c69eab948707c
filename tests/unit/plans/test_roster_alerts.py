"""The roster's alert rules: pain rising, no activity for a week, adherence falling, and the cursor they page with."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.plans.analytics.roster import decode_cursor, encode_cursor
from services.plans.domain.roster import (
    AlertInputs, AlertKind, adherence_falling, no_activity, open_alerts, pain_rising,
)

TODAY = date(2026, 3, 16)


def inputs(**changes) -> AlertInputs:  # type: ignore[no-untyped-def]
    base = dict(today=TODAY, plan_active=True, plan_start=date(2026, 3, 1), last_activity_day=date(2026, 3, 15),
                recent_pain_after=(), adherence_7d=100.0, adherence_30d=100.0)
    return AlertInputs(**{**base, **changes})


@pytest.mark.parametrize(
    ("newest_first", "rising"),
    [
        ((7, 5, 3), True),
        ((5, 5, 3), True),  # never fell, ended higher
        ((4, 4, 4), False),  # flat
        ((3, 5, 7), False),  # falling
        ((6, 7, 5), False),  # fell at the end
        ((7, 5), False),  # two reports are no direction
        ((7, 5, 3, 9), True),  # only the last three count
    ],
)
def test_pain_rising_over_the_last_three_reports(newest_first, rising):
    alert = pain_rising(newest_first)
    assert (alert is not None) is rising
    if rising:
        assert alert.kind is AlertKind.PAIN_RISING and " → ".join(map(str, newest_first[:3][::-1])) in alert.detail


def test_no_activity_for_seven_days_of_an_active_plan():
    assert no_activity(inputs(last_activity_day=date(2026, 3, 10))) is None  # six days
    idle = no_activity(inputs(last_activity_day=date(2026, 3, 9)))
    assert idle is not None and idle.detail == "no session for 7 days"
    never = no_activity(inputs(last_activity_day=None, plan_start=date(2026, 3, 2)))
    assert never is not None and "since the plan started 14 days ago" in never.detail
    assert no_activity(inputs(last_activity_day=None, plan_start=date(2026, 3, 12))) is None  # plan is four days old
    assert no_activity(inputs(last_activity_day=None, plan_start=date(2026, 4, 1))) is None  # starts later
    assert no_activity(inputs(plan_active=False, last_activity_day=date(2026, 1, 1))) is None  # plan is over


def test_adherence_falling_by_25_points():
    assert adherence_falling(50.0, 75.0) is not None
    assert adherence_falling(51.0, 75.0) is None
    assert adherence_falling(None, 75.0) is None and adherence_falling(0.0, None) is None
    assert adherence_falling(100.0, 50.0) is None  # rising


def test_open_alerts_in_a_fixed_order():
    found = open_alerts(inputs(recent_pain_after=(8, 6, 4), last_activity_day=date(2026, 3, 1), adherence_7d=0.0,
                               adherence_30d=60.0))
    assert [a.kind for a in found] == [AlertKind.PAIN_RISING, AlertKind.NO_ACTIVITY, AlertKind.ADHERENCE_FALLING]
    assert open_alerts(inputs()) == []


def test_a_cursor_round_trips_and_refuses_what_it_did_not_make():
    patient = uuid.uuid4()
    assert decode_cursor(encode_cursor("name", "ana", patient), "name").patient_id == patient
    assert decode_cursor(encode_cursor("-adherence", 37.5, patient), "-adherence").key == 37.5
    for cursor, sort in (("garbage!", "name"), (encode_cursor("name", "ana", patient), "-name"),
                         (encode_cursor("adherence", "ana", patient), "adherence")):
        with pytest.raises(InvalidInput, match="cursor"):
            decode_cursor(cursor, sort)


def test_a_forged_cursor_is_refused_not_sent_to_postgres():
    import base64
    import json

    def forged(key: object) -> str:
        raw = json.dumps({"s": "adherence", "k": key, "p": str(uuid.uuid4())}).encode()
        return base64.urlsafe_b64encode(raw).decode()

    with pytest.raises(InvalidInput, match="cursor"):
        decode_cursor(forged(10 ** 400), "adherence")
    with pytest.raises(InvalidInput, match="cursor"):
        decode_cursor(forged(True), "adherence")
    nul = base64.urlsafe_b64encode(json.dumps({"s": "name", "k": "a\x00", "p": str(uuid.uuid4())}).encode()).decode()
    with pytest.raises(InvalidInput, match="cursor"):
        decode_cursor(nul, "name")
