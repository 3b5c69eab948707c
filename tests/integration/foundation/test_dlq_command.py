"""`momentum dlq list|show|replay|purge` as an operator runs it (a subprocess) against parked messages:
replay sends them back to their work queue and each is applied once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from tests.integration.foundation.messaging_kit import Switchboard, start_test_consumer, timezone_changes
from tests.support.clinic import new_clinic
from tests.support.waiting import eventually


async def momentum(stack, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, MOMENTUM_AMQP_VHOST=stack.settings.broker.vhost, MOMENTUM_ENV="test")
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True,
        timeout=60,
    )


async def test_dlq_list_show_replay_and_purge(stack):
    people = stack.runtimes["plans"].components.people
    clinics = [await new_clinic(people, stack.settings) for _ in range(3)]
    handler = Switchboard(poison=True)
    probe = await start_test_consumer(stack, handler)
    dead = probe.spec.dead_letter_name
    try:
        ids = [await probe.publish(clinic) for clinic in clinics]

        async def parked() -> int:
            listed = await momentum(stack, "dlq", "list", "--queue", dead, "--json")
            assert listed.returncode == 0, listed.stderr
            rows = [r for r in json.loads(listed.stdout) if r["queue"] == dead]
            return rows[0]["count"] if rows else 0

        await eventually(parked, lambda n: n == 3, timeout=20, every=0.5)
        listed = await momentum(stack, "dlq", "list", "--queue", dead)
        assert dead in listed.stdout and "never existed" in listed.stdout

        shown = await momentum(stack, "dlq", "show", dead, "--limit", "2", "--json")
        assert shown.returncode == 0, shown.stderr
        rows = json.loads(shown.stdout)
        assert len(rows) == 2
        for row in rows:
            assert row["routing_key"] == probe.routing_key
            assert row["message_id"] in ids
            assert row["tenant_id"] in {str(c.tenant_id) for c in clinics}
            assert "never existed" in row["reason"] and row["first_failure"] and row["last_failure"]
        assert await parked() == 3  # show leaves them where they are

        handler.poison = False  # the bug is fixed; replay
        replayed = await momentum(stack, "dlq", "replay", dead)
        assert replayed.returncode == 0, replayed.stderr
        assert "replayed 3" in replayed.stdout
        for clinic in clinics:
            await eventually(lambda c=clinic: timezone_changes(stack, c), lambda n: n == 1, timeout=10)
        assert await parked() == 0
        # A copy of an already replayed message (a second replay, a producer's retry): the inbox absorbs it.
        await probe.publish(clinics[0], message_id=ids[0])
        await asyncio.sleep(1)
        assert [await timezone_changes(stack, c) for c in clinics] == [1, 1, 1]

        handler.poison = True
        await probe.publish(clinics[1])
        await eventually(parked, lambda n: n == 1, timeout=20, every=0.5)
        refused = await momentum(stack, "dlq", "purge", dead)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        purged = await momentum(stack, "dlq", "purge", dead, "--yes")
        assert purged.returncode == 0 and "purged 1" in purged.stdout
        assert await parked() == 0
        missing = await momentum(stack, "dlq", "show", "no-such-queue.dead")
        assert missing.returncode == 2 and "no queue" in missing.stderr
    finally:
        await probe.stop()
