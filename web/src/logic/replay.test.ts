// The replay decoder against a blob telemetry's own encoder wrote, chunked and shuffled input, and the 10-minute budget.
import { gzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { FRAME_FLOATS, ReplayDecoder, ReplayFormatError, angleTrace, decodeReplay, durationMs, frameAt, jointAngle, primaryJoint } from "./replay";
import { KNOWN_BLOB_BASE64 } from "./replay.fixture";

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** One batch as the patient app posts it (and telemetry appends it to the replay). */
function batch(timestamps: number[], value: (frame: number, landmark: number, channel: number) => number): Uint8Array {
  const n = timestamps.length;
  const payload = new ArrayBuffer(9 + n * FRAME_FLOATS * 4 + n * 4);
  const view = new DataView(payload);
  view.setUint8(0, 1);
  view.setUint32(1, n, true);
  view.setUint32(5, 30, true);
  for (let f = 0; f < n; f++)
    for (let l = 0; l < 33; l++) for (let c = 0; c < 4; c++) view.setFloat32(9 + (f * FRAME_FLOATS + l * 4 + c) * 4, value(f, l, c), true);
  timestamps.forEach((ms, f) => view.setUint32(9 + n * FRAME_FLOATS * 4 + f * 4, ms, true));
  return gzipSync(new Uint8Array(payload));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe("replay decoding", () => {
  // Written by services/telemetry/domain/pose_batch.encode_batch (see replay.fixture.ts): two members, three frames,
  // landmark l of frame f at x = f + l/100, y = 0.5, z = -l/10, visibility 0.9 (frame 2: 0.25), at 0, 33 and 66 ms.
  it("reads the frames telemetry's encoder wrote", () => {
    const replay = decodeReplay(fromBase64(KNOWN_BLOB_BASE64), 3);
    expect(replay.count).toBe(3);
    expect(replay.fps).toBe(30);
    expect(Array.from(replay.timestamps.subarray(0, 3))).toEqual([0, 33, 66]);
    const at = (f: number, l: number, c: number): number => replay.landmarks[f * FRAME_FLOATS + l * 4 + c];
    expect(at(0, 0, 0)).toBeCloseTo(0);
    expect(at(1, 12, 0)).toBeCloseTo(1.12, 5);
    expect(at(2, 32, 0)).toBeCloseTo(2.32, 5);
    expect(at(2, 32, 1)).toBeCloseTo(0.5, 5);
    expect(at(1, 5, 2)).toBeCloseTo(-0.5, 5);
    expect(at(0, 7, 3)).toBeCloseTo(0.9, 5);
    expect(at(2, 7, 3)).toBeCloseTo(0.25, 5);
    expect(durationMs(replay)).toBe(66);
  });

  it("gives the same frames fed one byte at a time, and grows past the announced count", () => {
    const blob = fromBase64(KNOWN_BLOB_BASE64);
    const decoder = new ReplayDecoder(1);
    const seen: number[] = [];
    for (let i = 0; i < blob.length; i++) {
      decoder.push(blob.subarray(i, i + 1));
      if (seen[seen.length - 1] !== decoder.count) seen.push(decoder.count);
    }
    const replay = decoder.finish();
    expect(seen).toEqual([0, 2, 3]); // the first batch is drawable before the second arrives
    expect(Array.from(replay.landmarks.subarray(0, 3 * FRAME_FLOATS))).toEqual(
      Array.from(decodeReplay(blob).landmarks.subarray(0, 3 * FRAME_FLOATS)),
    );
  });

  it("puts batches stored out of order back in time order", () => {
    const late = batch([1000, 1033], (f) => 10 + f);
    const early = batch([0, 33], (f) => f);
    const replay = decodeReplay(concat([late, early]), 4);
    expect(Array.from(replay.timestamps.subarray(0, 4))).toEqual([0, 33, 1000, 1033]);
    expect([0, 1, 2, 3].map((f) => replay.landmarks[f * FRAME_FLOATS])).toEqual([0, 1, 10, 11]);
  });

  it("refuses a cut-short blob and another wire version, naming the problem", () => {
    const blob = fromBase64(KNOWN_BLOB_BASE64);
    expect(() => decodeReplay(blob.subarray(0, blob.length - 20))).toThrow(ReplayFormatError);
    const payload = new Uint8Array(9);
    payload[0] = 2;
    expect(() => decodeReplay(gzipSync(payload))).toThrow(/wire version 2/);
    expect(() => decodeReplay(new Uint8Array([1, 2, 3, 4]))).toThrow(ReplayFormatError);
  });

  it("finds the frame shown at an instant and measures the joint angle", () => {
    // Hip above knee, ankle to the side: a right angle at the knee (25) in the image plane.
    const square = batch([0, 40, 80], (_f, l, c) => {
      if (c === 3) return 1;
      if (l === 23) return c === 0 ? 0.5 : c === 1 ? 0.2 : 0;
      if (l === 25) return c === 0 ? 0.5 : c === 1 ? 0.5 : 0;
      if (l === 27) return c === 0 ? 0.8 : c === 1 ? 0.5 : 0;
      return 0;
    });
    const replay = decodeReplay(square, 3);
    expect([frameAt(replay, 0), frameAt(replay, 39), frameAt(replay, 40), frameAt(replay, 1e9)]).toEqual([0, 0, 1, 2]);
    expect(jointAngle(replay, 0, [23, 25, 27])).toBeCloseTo(90, 5);
    expect(angleTrace(replay, [23, 25, 27])).toEqual([[0, 0.04, 0.08], [90, 90, 90]]);
    expect(jointAngle(replay, 0, [0, 1, 2])).toBeNull(); // all at the origin: no angle to measure
    expect(primaryJoint({ primary_joint: [24, 12, 14] })).toEqual([24, 12, 14]);
    expect(primaryJoint(null)).toEqual([23, 25, 27]);
    expect(primaryJoint({ primary_joint: [1, 2, 99] })).toEqual([23, 25, 27]);
  });

  it("starts a 10-minute replay (18,000 frames) within the 1-second budget and decodes it all while it plays", () => {
    // A camera's landmarks: a slow sway plus sensor noise in every value, so they compress as real ones do.
    let seed = 7;
    const noise = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648 - 0.5) * 0.004;
    const members: Uint8Array[] = [];
    for (let second = 0; second < 600; second++) {
      const timestamps = Array.from({ length: 30 }, (_, f) => second * 1000 + Math.round((f * 1000) / 30));
      members.push(batch(timestamps, (f, l, c) => (c === 3 ? 0.9 + noise() : 0.3 + 0.01 * l + 0.05 * Math.sin((second * 30 + f) / 40) + noise())));
    }
    const blob = concat(members);
    const started = performance.now();
    const decoder = new ReplayDecoder(18_000);
    // The viewer pushes what the network delivers; 64 KiB chunks stand in for it.
    let firstFrameMs = -1;
    for (let at = 0; at < blob.length; at += 65_536) {
      decoder.push(blob.subarray(at, at + 65_536));
      if (firstFrameMs < 0 && decoder.count > 0) firstFrameMs = performance.now() - started;
    }
    const replay = decoder.finish();
    const [seconds, angles] = angleTrace(replay, [23, 25, 27]);
    const totalMs = performance.now() - started;
    console.info(`10-minute replay: first frame after ${firstFrameMs.toFixed(0)} ms, all after ${totalMs.toFixed(0)} ms`);
    expect(replay.count).toBe(18_000);
    expect(durationMs(replay)).toBe(599_967);
    expect(seconds.length).toBe(18_000);
    expect(angles.every((a) => a !== null)).toBe(true);
    // The first frame can be drawn (and played) after the first chunk: a fraction of the 1-second budget.
    expect(firstFrameMs).toBeLessThan(250);
    // The rest decodes far faster than it plays (10 minutes), with margin for a busy machine.
    expect(totalMs).toBeLessThan(5000);
  }, 60_000); // building the 600 gzip members for the test is the slow part, not decoding them
});
