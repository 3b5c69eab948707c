"""Pose batches that arrive out of order or in parallel: every frame sent is kept, once, and the replay
in S3 holds them in time order; reps are counted over the frames in time order."""

from __future__ import annotations

import asyncio
import random

import numpy as np

from services.telemetry.domain.pose_batch import decode_replay
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import Exercise, bearer, session_token


async def _replay(http, clinic, session_id):
    link = await http.get(f"/v1/sessions/{session_id}/replay", headers=clinic.as_therapist())
    assert link.status_code == 200, link.text
    return decode_replay((await http.get(link.json()["url"])).content)


async def test_batches_sent_out_of_order_are_all_kept_and_replayed_in_time_order(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=1, seed=71, lead_in_seconds=0.5)
    b = movement.batches[:4]
    session_id, token = session_token(stack.settings, clinic)
    async with client(stack.base_url) as http:
        replies = []
        for body in (b[0], b[2], b[1], b[3]):
            reply = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert reply.status_code == 200, reply.text
            replies.append(reply.json())
        # b1 arrived after b2: its frames are new, not duplicates.
        assert [r["duplicateFrames"] for r in replies] == [0, 0, 0, 0]
        sent = sum(decode_replay(x).frame_count for x in b)
        assert replies[-1]["sessionFrames"] == sent
        # A retry of b1 is a duplicate by timestamp, whatever arrived in between.
        retry = await http.post("/v1/pose/frames", content=b[1], headers=bearer(token))
        assert (retry.json()["framesAccepted"], retry.json()["duplicateFrames"]) == (0, decode_replay(b[1]).frame_count)
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200 and ended.json()["frameCount"] == sent
        replay = await _replay(http, clinic, session_id)
    np.testing.assert_array_equal(replay.timestamps_ms, movement.timestamps[:sent])
    np.testing.assert_array_equal(replay.landmarks, movement.landmarks[:sent])


async def test_parallel_uploads_keep_every_frame_and_count_the_reps(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    movement = Exercise.of(reps=4, seed=72)
    session_id, token = session_token(stack.settings, clinic)
    order = list(range(len(movement.batches)))
    random.Random(7).shuffle(order)
    async with client(stack.base_url) as http:
        for start in range(0, len(order), 8):  # eight uploads in flight at a time, in shuffled order
            replies = await asyncio.gather(*(
                http.post("/v1/pose/frames", content=movement.batches[i], headers=bearer(token))
                for i in order[start:start + 8]
            ))
            assert all(r.status_code == 200 for r in replies), [r.text for r in replies]
            assert all(r.json()["duplicateFrames"] == 0 for r in replies)
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
        assert (ended.json()["frameCount"], ended.json()["repCount"]) == (movement.timestamps.shape[0], 4)
        replay = await _replay(http, clinic, session_id)
    np.testing.assert_array_equal(replay.timestamps_ms, movement.timestamps)
    np.testing.assert_array_equal(replay.landmarks, movement.landmarks)
